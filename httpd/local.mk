# httpd/local.mk - httpd, the MTA-STS policy web server.

check_PROGRAMS += httpd/http_test
httpd_http_test_SOURCES = httpd/http_test.c httpd/http.c httpd/http.h
httpd_http_test_LDADD = $(STS_LIBS)

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_http
tests_fuzz_fuzz_http_SOURCES = tests/fuzz/fuzz_http.c httpd/http.c httpd/http.h
tests_fuzz_fuzz_http_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_http_LDADD = $(STS_LIBS)
else
check_PROGRAMS += tests/fuzz/fuzz_http_test
tests_fuzz_fuzz_http_test_SOURCES = tests/fuzz/fuzz_http.c httpd/http.c \
	httpd/http.h tests/fuzz/standalone.c
tests_fuzz_fuzz_http_test_LDADD = $(STS_LIBS)
endif

EXTRA_DIST += tests/httpd

pkglibexec_PROGRAMS += httpd/httpd
httpd_httpd_SOURCES = httpd/httpd.c httpd/httpd.h \
	httpd/http.c httpd/http.h \
	httpd/conn.c \
	httpd/certcache.c httpd/certcache.h \
	httpd/challenge.c httpd/challenge.h \
	httpd/policytab.c httpd/policytab.h \
	httpd/subscribe.c
httpd_httpd_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS)
httpd_httpd_LDADD = $(STS_LIBS)
dist_man_MANS += man/httpd.8

check_PROGRAMS += httpd/policytab_test
httpd_policytab_test_SOURCES = httpd/policytab_test.c httpd/policytab.c \
	httpd/policytab.h httpd/http.c httpd/http.h
httpd_policytab_test_LDADD = $(STS_LIBS)
