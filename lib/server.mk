# lib/server.mk - master.cf parsing, privilege dropping and the worker
# side of the master protocol; their unit tests and fuzz target.
# SPDX-License-Identifier: ISC
lib_libsts_a_SOURCES += lib/mastercf.c lib/mastercf.h lib/privsep.c \
	lib/privsep.h lib/server.c lib/server.h

check_PROGRAMS += lib/mastercf_test lib/privsep_test lib/server_test
lib_mastercf_test_LDADD = $(STS_LIBS)
lib_mastercf_test_CPPFLAGS = $(UNIT_CPPFLAGS)
lib_privsep_test_LDADD = $(STS_LIBS)
lib_privsep_test_CPPFLAGS = $(UNIT_CPPFLAGS)
lib_server_test_CPPFLAGS = $(UNIT_CPPFLAGS) $(LIBEVENT_CFLAGS)
lib_server_test_LDADD = $(STS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_mastercf
