# lib/policy.mk - the MTA-STS policy model and the TXT record parsers.
# SPDX-License-Identifier: ISC
lib_libsts_a_SOURCES += lib/policy.c lib/policy.h lib/ststxt.c lib/ststxt.h

check_PROGRAMS += lib/policy_test lib/ststxt_test
lib_policy_test_SOURCES = lib/policy_test.c
lib_policy_test_LDADD = $(STS_LIBS)
lib_policy_test_CPPFLAGS = $(AM_CPPFLAGS) $(TEST_CPPFLAGS)
lib_ststxt_test_SOURCES = lib/ststxt_test.c
lib_ststxt_test_LDADD = $(STS_LIBS)
lib_ststxt_test_CPPFLAGS = $(AM_CPPFLAGS) $(TEST_CPPFLAGS)

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_policy tests/fuzz/fuzz_ststxt
tests_fuzz_fuzz_policy_SOURCES = tests/fuzz/fuzz_policy.c
tests_fuzz_fuzz_policy_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_policy_LDADD = $(STS_LIBS)
tests_fuzz_fuzz_ststxt_SOURCES = tests/fuzz/fuzz_ststxt.c
tests_fuzz_fuzz_ststxt_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_ststxt_LDADD = $(STS_LIBS)
else
check_PROGRAMS += tests/fuzz/fuzz_policy_test tests/fuzz/fuzz_ststxt_test
tests_fuzz_fuzz_policy_test_SOURCES = tests/fuzz/fuzz_policy.c \
	tests/fuzz/standalone.c
tests_fuzz_fuzz_policy_test_LDADD = $(STS_LIBS)
tests_fuzz_fuzz_ststxt_test_SOURCES = tests/fuzz/fuzz_ststxt.c \
	tests/fuzz/standalone.c
tests_fuzz_fuzz_ststxt_test_LDADD = $(STS_LIBS)
endif

# lib/dnsname - names that can exist: hosted domains, mx patterns.
lib_libsts_a_SOURCES += lib/dnsname.c lib/dnsname.h
check_PROGRAMS += lib/dnsname_test
lib_dnsname_test_SOURCES = lib/dnsname_test.c
lib_dnsname_test_LDADD = $(STS_LIBS)
lib_dnsname_test_CPPFLAGS = $(AM_CPPFLAGS) $(TEST_CPPFLAGS)

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_dnsname
tests_fuzz_fuzz_dnsname_SOURCES = tests/fuzz/fuzz_dnsname.c
tests_fuzz_fuzz_dnsname_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_dnsname_LDADD = $(STS_LIBS)
else
check_PROGRAMS += tests/fuzz/fuzz_dnsname_test
tests_fuzz_fuzz_dnsname_test_SOURCES = tests/fuzz/fuzz_dnsname.c \
	tests/fuzz/standalone.c
tests_fuzz_fuzz_dnsname_test_LDADD = $(STS_LIBS)
endif
