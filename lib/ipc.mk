# lib/ipc.mk - the IPC framing (lib/ipc) and the instance directories
# (lib/dirs), their unit tests and the fuzz target of the framing.
# SPDX-License-Identifier: ISC
lib_libsts_a_SOURCES += lib/ipc.c lib/ipc.h lib/dirs.c lib/dirs.h

check_PROGRAMS += lib/ipc_test lib/dirs_test
lib_ipc_test_SOURCES = lib/ipc_test.c
lib_ipc_test_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) $(TEST_CPPFLAGS)
lib_ipc_test_LDADD = $(STS_LIBS)
lib_dirs_test_SOURCES = lib/dirs_test.c
lib_dirs_test_LDADD = $(STS_LIBS)
lib_dirs_test_CPPFLAGS = $(AM_CPPFLAGS) $(TEST_CPPFLAGS)

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

