# acmed/local.mk - acmed, the ACME client that keeps the policy hosts'
# certificates.
# SPDX-License-Identifier: ISC

ACMED_SOURCES = acmed/acme.c acmed/acme.h acmed/acmemsg.c acmed/acmemsg.h \
	acmed/fetch.c acmed/fetch.h acmed/jws.c acmed/jws.h \
	acmed/store.c acmed/store.h

pkglibexec_PROGRAMS += acmed/acmed
acmed_acmed_SOURCES = acmed/acmed.c $(ACMED_SOURCES)
acmed_acmed_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS) \
	$(JANSSON_CFLAGS)
acmed_acmed_LDADD = $(STS_LIBS)
dist_man_MANS += man/stsd-acmed.8

check_PROGRAMS += acmed/acme_test
acmed_acme_test_SOURCES = acmed/acme_test.c $(ACMED_SOURCES)
acmed_acme_test_CPPFLAGS = $(acmed_acmed_CPPFLAGS) $(TEST_CPPFLAGS)
acmed_acme_test_LDADD = $(STS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_acme
tests_fuzz_fuzz_acme_SOURCES = tests/fuzz/fuzz_acme.c acmed/acmemsg.c \
	acmed/acmemsg.h
tests_fuzz_fuzz_acme_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/acmed \
	$(JANSSON_CFLAGS)

EXTRA_DIST += tests/acmed
