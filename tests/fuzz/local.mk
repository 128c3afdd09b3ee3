# tests/fuzz - libFuzzer targets.
# SPDX-License-Identifier: ISC
#
# With --enable-fuzzing (CC=clang) each target NAME is built as
# tests/fuzz/fuzz_NAME, a libFuzzer binary:
#	tests/fuzz/fuzz_NAME -max_total_time=60 tests/fuzz/corpus/NAME
# Otherwise it is built as tests/fuzz/fuzz_NAME_test, which replays
# tests/fuzz/corpus/NAME/* once, as part of the test suite.
# A target is added with these lines in the fragment of its module:
#	if FUZZING: noinst_PROGRAMS += tests/fuzz/fuzz_NAME (+ _SOURCES, _LDFLAGS
#	= $(FUZZ_CFLAGS), _LDADD); else: check_PROGRAMS +=
#	tests/fuzz/fuzz_NAME_test (+ _SOURCES with standalone.c, _LDADD)
EXTRA_DIST += tests/fuzz/standalone.c tests/fuzz/corpus

# fuzz_rua: httpd's report POST handling (httpd/rua.c).
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_rua
tests_fuzz_fuzz_rua_SOURCES = tests/fuzz/fuzz_rua.c httpd/rua.c
tests_fuzz_fuzz_rua_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_rua_LDADD = $(STS_LIBS)
else
check_PROGRAMS += tests/fuzz/fuzz_rua_test
tests_fuzz_fuzz_rua_test_SOURCES = tests/fuzz/fuzz_rua.c httpd/rua.c \
	tests/fuzz/standalone.c
tests_fuzz_fuzz_rua_test_LDADD = $(STS_LIBS)
endif

# fuzz_esc: lib/esc, untrusted text escaped for logs, headers and lines.
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_esc
tests_fuzz_fuzz_esc_SOURCES = tests/fuzz/fuzz_esc.c
tests_fuzz_fuzz_esc_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_esc_LDADD = $(STS_LIBS)
else
check_PROGRAMS += tests/fuzz/fuzz_esc_test
tests_fuzz_fuzz_esc_test_SOURCES = tests/fuzz/fuzz_esc.c \
	tests/fuzz/standalone.c
tests_fuzz_fuzz_esc_test_LDADD = $(STS_LIBS)
endif
