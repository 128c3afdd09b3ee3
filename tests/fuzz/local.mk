# tests/fuzz - libFuzzer targets.
# SPDX-License-Identifier: ISC
#
# With --enable-fuzzing (CC=clang) each target NAME is built as
# tests/fuzz/fuzz_NAME, a libFuzzer binary:
#	tests/fuzz/fuzz_NAME -max_total_time=60 tests/fuzz/corpus/NAME
# Otherwise it is built as tests/fuzz/fuzz_NAME_test, which replays
# tests/fuzz/corpus/NAME/* once, as part of the test suite.
# Each target's rule stands in the fragment of the module it fuzzes
# (lib/local.mk, lib/*.mk, DIR/local.mk), beside that module's other
# rules; the sources stay here, beside standalone.c and corpus/, which
# every target shares.  A target is added with these lines:
#	if FUZZING: noinst_PROGRAMS += tests/fuzz/fuzz_NAME (+ _SOURCES, _LDFLAGS
#	= $(FUZZ_CFLAGS), _LDADD); else: check_PROGRAMS +=
#	tests/fuzz/fuzz_NAME_test (+ _SOURCES with standalone.c, _LDADD);
#	a target that includes a header of tests/ adds $(TEST_CPPFLAGS) to
#	its _CPPFLAGS, as unit tests do (Makefile.am).
EXTRA_DIST += tests/fuzz/standalone.c tests/fuzz/corpus
