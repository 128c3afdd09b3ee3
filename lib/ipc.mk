# lib/ipc.mk - the IPC framing (lib/ipc), its unit test and the fuzz
# target of the framing.
# SPDX-License-Identifier: ISC
lib_libsts_a_SOURCES += lib/ipc.c lib/ipc.h

check_PROGRAMS += lib/ipc_test
lib_ipc_test_SOURCES = lib/ipc_test.c
lib_ipc_test_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) $(TEST_CPPFLAGS)
lib_ipc_test_LDADD = $(STS_LIBS)

if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_ipc
tests_fuzz_fuzz_ipc_SOURCES = tests/fuzz/fuzz_ipc.c
tests_fuzz_fuzz_ipc_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_ipc_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_ipc_LDADD = $(STS_LIBS)
else
check_PROGRAMS += tests/fuzz/fuzz_ipc_test
tests_fuzz_fuzz_ipc_test_SOURCES = tests/fuzz/fuzz_ipc.c tests/fuzz/standalone.c
tests_fuzz_fuzz_ipc_test_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_ipc_test_LDADD = $(STS_LIBS)
endif

