# tests/fuzz - libFuzzer targets.
# SPDX-License-Identifier: ISC
#
# Each target NAME is the program tests/fuzz/fuzz_NAME.  With
# --enable-fuzzing (CC=clang) it is a libFuzzer binary:
#	tests/fuzz/fuzz_NAME -max_total_time=60 tests/fuzz/corpus/NAME
# Otherwise it is a check program linked with standalone.c, which
# replays tests/fuzz/corpus/NAME/* once, as part of the test suite
# (tests/run runs it as a unit test).
# Each target's rule stands in the fragment of the module it fuzzes
# (lib/local.mk, lib/*.mk, DIR/local.mk), beside that module's other
# rules; the sources stay here, beside standalone.c and corpus/, which
# every target shares.  A target is added with one line,
#	FUZZ_TARGETS += tests/fuzz/fuzz_NAME
# which builds tests/fuzz/fuzz_NAME.c with $(AM_CPPFLAGS) and links it
# with $(LDADD) below.  A target that needs more says so in its own
# _SOURCES (tests/fuzz/fuzz_NAME.c and the module's files), _CPPFLAGS
# (with $(TEST_CPPFLAGS) when it includes a header of tests/, as unit
# tests do) or _LDADD (= $(LDADD) and its libraries).
EXTRA_DIST += tests/fuzz/standalone.c tests/fuzz/fuzz.h tests/fuzz/corpus

# LDADD is what a program without its own _LDADD links with: only the
# fuzz targets are such programs.  libFuzzer gives a target its main()
# under FUZZING, tests/fuzz/libfuzzmain.a (standalone.c) otherwise.
if FUZZING
noinst_PROGRAMS += $(FUZZ_TARGETS)
LDADD = $(FUZZ_CFLAGS) $(STS_LIBS)
else
check_PROGRAMS += $(FUZZ_TARGETS)
noinst_LIBRARIES += tests/fuzz/libfuzzmain.a
tests_fuzz_libfuzzmain_a_SOURCES = tests/fuzz/standalone.c
LDADD = tests/fuzz/libfuzzmain.a $(STS_LIBS)
endif
