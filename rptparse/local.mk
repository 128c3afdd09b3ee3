# rptparse/local.mk - rptparse, the parser of spooled TLS reports, its
# unit test, its test helper and the fuzz target of its message path.
# SPDX-License-Identifier: ISC
RPTPARSE_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/rptparse \
	$(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) $(JANSSON_CFLAGS) \
	$(SQLITE_CFLAGS) $(GMIME_CFLAGS) $(ZLIB_CFLAGS) $(LDNS_CFLAGS) \
	$(OPENDKIM_CFLAGS)
RPTPARSE_MSG_SOURCES = rptparse/message.c rptparse/message.h \
	rptparse/mimefast.c rptparse/mimefast.h \
	rptparse/gunzip.c rptparse/gunzip.h

pkglibexec_PROGRAMS += rptparse/rptparse
rptparse_rptparse_SOURCES = rptparse/rptparse.c rptparse/rptparse.h \
	rptparse/deferral.c $(RPTPARSE_MSG_SOURCES) rptparse/hosted.c \
	rptparse/hosted.h rptparse/alerts.c rptparse/alerts.h rptparse/silent.c \
	rptparse/silent.h rptparse/fetches.c rptparse/fetches.h \
	rptparse/dkimcheck.c rptparse/dkimcheck.h \
	rptparse/dkimkey.c rptparse/dkimkey.h
rptparse_rptparse_CPPFLAGS = $(RPTPARSE_CPPFLAGS)
rptparse_rptparse_LDADD = $(STS_LIBS) $(SQLDB_LIBS) $(GMIME_LIBS) \
	$(ZLIB_LIBS) $(OPENDKIM_LIBS) $(LDNS_LIBS)
dist_man_MANS += man/stsd-rptparse.8
EXTRA_DIST += tests/rptparse

check_PROGRAMS += rptparse/message_test
rptparse_message_test_SOURCES = rptparse/message_test.c \
	$(RPTPARSE_MSG_SOURCES) rptparse/hosted.c rptparse/hosted.h
rptparse_message_test_CPPFLAGS = $(RPTPARSE_CPPFLAGS) $(TEST_CPPFLAGS)
rptparse_message_test_LDADD = $(STS_LIBS) $(GMIME_LIBS) $(ZLIB_LIBS)

check_PROGRAMS += rptparse/dkimcheck_test
rptparse_dkimcheck_test_SOURCES = rptparse/dkimcheck_test.c \
	rptparse/dkimcheck.c rptparse/dkimcheck.h \
	rptparse/dkimkey.c rptparse/dkimkey.h
rptparse_dkimcheck_test_CPPFLAGS = $(RPTPARSE_CPPFLAGS) $(TEST_CPPFLAGS)
rptparse_dkimcheck_test_LDADD = $(STS_LIBS) $(GMIME_LIBS) $(OPENDKIM_LIBS) \
	$(LDNS_LIBS)

check_PROGRAMS += rptparse/alerts_test
rptparse_alerts_test_SOURCES = rptparse/alerts_test.c rptparse/alerts.c \
	rptparse/alerts.h rptparse/hosted.c rptparse/hosted.h
rptparse_alerts_test_CPPFLAGS = $(RPTPARSE_CPPFLAGS) $(TEST_CPPFLAGS)
rptparse_alerts_test_LDADD = $(STS_LIBS) $(SQLDB_LIBS) $(GMIME_LIBS)

# Puts files into a spool and tells rptparse, for tests/rptparse/*.t.
check_PROGRAMS += tests/rptparse/spoolput
tests_rptparse_spoolput_CPPFLAGS = $(RPTPARSE_CPPFLAGS)
tests_rptparse_spoolput_LDADD = $(STS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_rptmsg
tests_fuzz_fuzz_rptmsg_SOURCES = tests/fuzz/fuzz_rptmsg.c \
	$(RPTPARSE_MSG_SOURCES)
tests_fuzz_fuzz_rptmsg_CPPFLAGS = $(RPTPARSE_CPPFLAGS) $(TEST_CPPFLAGS)
tests_fuzz_fuzz_rptmsg_LDADD = $(LDADD) $(GMIME_LIBS) $(ZLIB_LIBS)


# fuzz_dkim: DKIM verification (dkimcheck.c with libopendkim), keys from
# a table.
FUZZ_TARGETS += tests/fuzz/fuzz_dkim
tests_fuzz_fuzz_dkim_SOURCES = tests/fuzz/fuzz_dkim.c \
	rptparse/dkimcheck.c rptparse/dkimkey.c
tests_fuzz_fuzz_dkim_CPPFLAGS = $(RPTPARSE_CPPFLAGS)
tests_fuzz_fuzz_dkim_LDADD = $(LDADD) $(GMIME_LIBS) $(OPENDKIM_LIBS) \
	$(LDNS_LIBS)
