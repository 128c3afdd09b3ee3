# lib/ - libsts, the code two or more programs share.
# SPDX-License-Identifier: ISC
noinst_LIBRARIES += lib/libsts.a
lib_libsts_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(JANSSON_CFLAGS)
lib_libsts_a_SOURCES = \
	lib/log.c lib/log.h \
	lib/mymalloc.c lib/mymalloc.h \
	lib/buf.c lib/buf.h \
	lib/timefmt.c lib/timefmt.h \
	lib/plural.c lib/plural.h \
	lib/fileio.c lib/fileio.h \
	lib/esc.c lib/esc.h \
	lib/hash.c lib/hash.h \
	lib/usage.c lib/usage.h \
	lib/proctitle.c lib/proctitle.h
check_PROGRAMS += lib/esc_test lib/timefmt_test lib/plural_test
lib_plural_test_SOURCES = lib/plural_test.c
lib_plural_test_LDADD = $(STS_LIBS)
lib_timefmt_test_SOURCES = lib/timefmt_test.c
lib_timefmt_test_LDADD = $(STS_LIBS)
lib_esc_test_SOURCES = lib/esc_test.c
lib_esc_test_LDADD = $(STS_LIBS)
check_PROGRAMS += lib/log_test
lib_log_test_SOURCES = lib/log_test.c
lib_log_test_LDADD = $(STS_LIBS)
lib_libsts_a_SOURCES += lib/db.c lib/db.h
lib_libsts_a_CPPFLAGS += $(SQLITE_CFLAGS)

check_PROGRAMS += lib/db_test
lib_db_test_SOURCES = lib/db_test.c
lib_db_test_LDADD = $(STS_LIBS) $(SQLITE_LIBS)

# lib/dashboard - HTML report pages (stsctl report html, metrics listener)
lib_libsts_a_SOURCES += lib/dashboard.c lib/dashboard.h
lib_libsts_a_SOURCES += lib/rptsum.c lib/rptsum.h lib/html.c lib/html.h \
	lib/svg.c lib/svg.h lib/domlist.c lib/domlist.h

check_PROGRAMS += lib/svg_test
lib_svg_test_SOURCES = lib/svg_test.c
lib_svg_test_LDADD = $(STS_LIBS)

# lib/http - the HTTP/1.x request parser (httpd, the metrics worker)
lib_libsts_a_SOURCES += lib/http.c lib/http.h
lib_libsts_a_SOURCES += lib/certstore.c lib/certstore.h
check_PROGRAMS += lib/certstore_test
lib_certstore_test_SOURCES = lib/certstore_test.c
lib_certstore_test_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(JANSSON_CFLAGS)
lib_certstore_test_LDADD = $(STS_LIBS)
check_PROGRAMS += lib/http_test
lib_http_test_SOURCES = lib/http_test.c
lib_http_test_LDADD = $(STS_LIBS)

# lib/polsnap - the policy snapshot on disk (policyd writes, httpd reads).
lib_libsts_a_SOURCES += lib/polsnap.c lib/polsnap.h lib/polsnapwriter.c
lib_libsts_a_CPPFLAGS += $(ZLIB_CFLAGS)
check_PROGRAMS += lib/polsnap_test
lib_polsnap_test_SOURCES = lib/polsnap_test.c
lib_polsnap_test_LDADD = $(STS_LIBS) $(ZLIB_LIBS)

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_polsnap
tests_fuzz_fuzz_polsnap_SOURCES = tests/fuzz/fuzz_polsnap.c
tests_fuzz_fuzz_polsnap_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_polsnap_LDADD = $(STS_LIBS) $(ZLIB_LIBS)
else
check_PROGRAMS += tests/fuzz/fuzz_polsnap_test
tests_fuzz_fuzz_polsnap_test_SOURCES = tests/fuzz/fuzz_polsnap.c \
	tests/fuzz/standalone.c
tests_fuzz_fuzz_polsnap_test_LDADD = $(STS_LIBS) $(ZLIB_LIBS)
endif
