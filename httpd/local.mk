# httpd/local.mk - httpd, the MTA-STS policy web server.
# SPDX-License-Identifier: ISC
HTTPD_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS)

# What httpd's unit tests and fuzz_rua test without a server: the policy
# table, the report POST handling and the client limits.
noinst_LIBRARIES += httpd/libhttpd.a
httpd_libhttpd_a_SOURCES = httpd/policytab.c httpd/policytab.h \
	httpd/rua.c httpd/rua.h httpd/clientlimit.c httpd/clientlimit.h
httpd_libhttpd_a_CPPFLAGS = $(HTTPD_CPPFLAGS)

pkglibexec_PROGRAMS += httpd/httpd
httpd_httpd_SOURCES = httpd/httpd.c httpd/httpd.h httpd/conn.c httpd/conn.h \
	httpd/canned.c httpd/canned.h \
	httpd/route.c httpd/certcache.c httpd/certcache.h httpd/challenge.c \
	httpd/challenge.h httpd/subscribe.c httpd/report.c \
	httpd/connrec.c httpd/fetchbatch.c httpd/fetchbatch.h httpd/portal.c
httpd_httpd_CPPFLAGS = $(HTTPD_CPPFLAGS)
httpd_httpd_LDADD = httpd/libhttpd.a $(STS_LIBS) $(ZLIB_LIBS)
dist_man_MANS += man/stsd-httpd.8
EXTRA_DIST += tests/httpd

check_PROGRAMS += httpd/policytab_test httpd/rua_test httpd/clientlimit_test
httpd_policytab_test_CPPFLAGS = $(UNIT_CPPFLAGS)
httpd_policytab_test_LDADD = httpd/libhttpd.a $(STS_LIBS)
httpd_rua_test_CPPFLAGS = $(UNIT_CPPFLAGS)
httpd_rua_test_LDADD = httpd/libhttpd.a $(STS_LIBS)
httpd_clientlimit_test_CPPFLAGS = $(UNIT_CPPFLAGS)
httpd_clientlimit_test_LDADD = httpd/libhttpd.a $(STS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_http
# fuzz_rua: httpd's report POST handling (httpd/rua.c).
FUZZ_TARGETS += tests/fuzz/fuzz_rua
tests_fuzz_fuzz_rua_LDADD = httpd/libhttpd.a $(LDADD)
