# rptrecv/local.mk - the SMTP receiver of TLS reports.
# SPDX-License-Identifier: ISC
RPTRECV_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS)

# The SMTP protocol without the network: command and DATA parsing, the
# recipient table and the client limits, which rptrecv, its unit tests
# and fuzz_smtp link.
noinst_LIBRARIES += rptrecv/librptrecv.a
rptrecv_librptrecv_a_SOURCES = rptrecv/smtp_cmd.c rptrecv/smtp_cmd.h \
	rptrecv/smtp_data.c rptrecv/smtp_data.h rptrecv/rcpt.c rptrecv/rcpt.h \
	rptrecv/connlimit.c rptrecv/connlimit.h
rptrecv_librptrecv_a_CPPFLAGS = $(RPTRECV_CPPFLAGS)

pkglibexec_PROGRAMS += rptrecv/rptrecv
rptrecv_rptrecv_SOURCES = rptrecv/rptrecv.c rptrecv/rptrecv.h \
	rptrecv/session.c rptrecv/session.h rptrecv/command.c \
	rptrecv/commit.c rptrecv/commit.h
rptrecv_rptrecv_CPPFLAGS = $(RPTRECV_CPPFLAGS)
rptrecv_rptrecv_CFLAGS = $(AM_CFLAGS) -pthread	# the syncer thread (commit.c)
rptrecv_rptrecv_LDFLAGS = -pthread
rptrecv_rptrecv_LDADD = rptrecv/librptrecv.a $(STS_LIBS)
dist_man_MANS += man/stsd-rptrecv.8
EXTRA_DIST += tests/rptrecv

check_PROGRAMS += rptrecv/smtp_cmd_test rptrecv/smtp_data_test \
	rptrecv/rcpt_test rptrecv/connlimit_test
rptrecv_smtp_cmd_test_CPPFLAGS = $(UNIT_CPPFLAGS)
rptrecv_smtp_cmd_test_LDADD = rptrecv/librptrecv.a $(STS_LIBS)
rptrecv_smtp_data_test_CPPFLAGS = $(UNIT_CPPFLAGS)
rptrecv_smtp_data_test_LDADD = rptrecv/librptrecv.a $(STS_LIBS)
rptrecv_rcpt_test_CPPFLAGS = $(UNIT_CPPFLAGS)
rptrecv_rcpt_test_LDADD = rptrecv/librptrecv.a $(STS_LIBS)
rptrecv_connlimit_test_CPPFLAGS = $(UNIT_CPPFLAGS)
rptrecv_connlimit_test_LDADD = rptrecv/librptrecv.a $(STS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_smtp
tests_fuzz_fuzz_smtp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/rptrecv
tests_fuzz_fuzz_smtp_LDADD = rptrecv/librptrecv.a $(LDADD)
