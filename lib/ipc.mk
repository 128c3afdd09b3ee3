# lib/ipc.mk - the IPC framing (lib/ipc), its unit test and the fuzz
# target of the framing.
# SPDX-License-Identifier: ISC
lib_libsts_a_SOURCES += lib/ipc.c lib/ipc.h

check_PROGRAMS += lib/ipc_test
lib_ipc_test_CPPFLAGS = $(UNIT_CPPFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
lib_ipc_test_LDADD = $(STS_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_ipc
tests_fuzz_fuzz_ipc_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)

