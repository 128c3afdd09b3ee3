# httpd/local.mk - httpd, the MTA-STS policy web server.
# SPDX-License-Identifier: ISC

FUZZ_TARGETS += tests/fuzz/fuzz_http

EXTRA_DIST += tests/httpd

pkglibexec_PROGRAMS += httpd/httpd
httpd_httpd_SOURCES = httpd/httpd.c httpd/httpd.h \
	httpd/conn.c httpd/conn.h httpd/route.c \
	httpd/certcache.c httpd/certcache.h \
	httpd/challenge.c httpd/challenge.h \
	httpd/policytab.c httpd/policytab.h \
	httpd/subscribe.c \
	httpd/rua.c httpd/rua.h httpd/report.c \
	httpd/clientlimit.c httpd/clientlimit.h \
	httpd/fetchbatch.c httpd/fetchbatch.h
httpd_httpd_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS)
httpd_httpd_LDADD = $(STS_LIBS) $(ZLIB_LIBS)
dist_man_MANS += man/stsd-httpd.8

check_PROGRAMS += httpd/policytab_test
httpd_policytab_test_SOURCES = httpd/policytab_test.c httpd/policytab.c \
	httpd/policytab.h
httpd_policytab_test_LDADD = $(STS_LIBS)
httpd_policytab_test_CPPFLAGS = $(AM_CPPFLAGS) $(TEST_CPPFLAGS)

check_PROGRAMS += httpd/rua_test
httpd_rua_test_SOURCES = httpd/rua_test.c httpd/rua.c httpd/rua.h
httpd_rua_test_LDADD = $(STS_LIBS)
httpd_rua_test_CPPFLAGS = $(AM_CPPFLAGS) $(TEST_CPPFLAGS)

# fuzz_rua: httpd's report POST handling (httpd/rua.c).
FUZZ_TARGETS += tests/fuzz/fuzz_rua
tests_fuzz_fuzz_rua_SOURCES = tests/fuzz/fuzz_rua.c httpd/rua.c

check_PROGRAMS += httpd/clientlimit_test
httpd_clientlimit_test_SOURCES = httpd/clientlimit_test.c \
	httpd/clientlimit.c httpd/clientlimit.h
httpd_clientlimit_test_LDADD = $(STS_LIBS)
httpd_clientlimit_test_CPPFLAGS = $(AM_CPPFLAGS) $(TEST_CPPFLAGS)
