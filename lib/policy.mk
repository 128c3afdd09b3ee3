# lib/policy.mk - the MTA-STS policy model and the TXT record parsers.
# SPDX-License-Identifier: ISC
lib_libsts_a_SOURCES += lib/policy.c lib/policy.h lib/ststxt.c lib/ststxt.h

check_PROGRAMS += lib/policy_test lib/ststxt_test
lib_policy_test_LDADD = $(STS_LIBS)
lib_policy_test_CPPFLAGS = $(UNIT_CPPFLAGS)
lib_ststxt_test_LDADD = $(STS_LIBS)
lib_ststxt_test_CPPFLAGS = $(UNIT_CPPFLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_policy tests/fuzz/fuzz_ststxt

# lib/dnsname - names that can exist: hosted domains, mx patterns.
lib_libsts_a_SOURCES += lib/dnsname.c lib/dnsname.h
check_PROGRAMS += lib/dnsname_test
lib_dnsname_test_LDADD = $(STS_LIBS)
lib_dnsname_test_CPPFLAGS = $(UNIT_CPPFLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_dnsname
