# dnsmon/local.mk - dnsmon, the DNS and MX monitor (its checks are
# lib/dnscheck's, which "stsctl check" runs too).
# SPDX-License-Identifier: ISC
pkglibexec_PROGRAMS += dnsmon/dnsmon
dnsmon_dnsmon_SOURCES = dnsmon/dnsmon.c \
	dnsmon/answers.c dnsmon/answers.h dnsmon/domlist.c dnsmon/domlist.h \
	dnsmon/soon.c dnsmon/soon.h dnsmon/tell.c dnsmon/tell.h \
	dnsmon/verdict.c dnsmon/verdict.h
dnsmon_dnsmon_CPPFLAGS = $(AM_CPPFLAGS) $(LDNS_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(OPENSSL_CFLAGS) $(JANSSON_CFLAGS)
dnsmon_dnsmon_LDADD = $(STS_LIBS) $(LDNS_LIBS)
dist_man_MANS += man/stsd-dnsmon.8

# Test helpers (not unit tests: their names do not end in _test).
check_PROGRAMS += tests/dnsmon/dnsupdate_tool
tests_dnsmon_dnsupdate_tool_LDADD = $(STS_LIBS) $(LDNS_LIBS)
EXTRA_DIST += tests/dnsmon

# The DNS answers dnsmon reads, fuzzed (TXT text parsing is lib/ststxt's,
# fuzzed by fuzz_ststxt).
FUZZ_TARGETS += tests/fuzz/fuzz_dnsanswer
tests_fuzz_fuzz_dnsanswer_CPPFLAGS = $(AM_CPPFLAGS) $(LDNS_CFLAGS)
tests_fuzz_fuzz_dnsanswer_LDADD = $(LDADD) $(LDNS_LIBS)

check_PROGRAMS += dnsmon/soon_test
dnsmon_soon_test_SOURCES = dnsmon/soon_test.c dnsmon/soon.c dnsmon/soon.h
dnsmon_soon_test_LDADD = $(STS_LIBS)
dnsmon_soon_test_CPPFLAGS = $(UNIT_CPPFLAGS)
