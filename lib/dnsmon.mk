# lib/dnsmon.mk - alerts and DNS UPDATE, shared by dnsmon, policyd and
# the other daemons.  dnsupdate needs ldns: link $(LDNS_LIBS) with it.
# SPDX-License-Identifier: ISC
lib_libsts_a_SOURCES += lib/alert.c lib/alert.h \
	lib/dnsupdate.c lib/dnsupdate.h
lib_libsts_a_CPPFLAGS += $(LDNS_CFLAGS)

check_PROGRAMS += lib/alert_test lib/dnsupdate_test
lib_alert_test_LDADD = $(STS_LIBS)
lib_alert_test_CPPFLAGS = $(UNIT_CPPFLAGS)
lib_dnsupdate_test_LDADD = $(STS_LIBS) $(LDNS_LIBS)
lib_dnsupdate_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# fuzz_alertstate: the reader of lib/alert's state file.
FUZZ_TARGETS += tests/fuzz/fuzz_alertstate
# fuzz_alertsub: the reader of the alert subscriptions file.
FUZZ_TARGETS += tests/fuzz/fuzz_alertsub
