# tests/fuzz - libFuzzer targets.
#
# With --enable-fuzzing (CC=clang) each target NAME is built as
# tests/fuzz/fuzz_NAME, a libFuzzer binary:
#	tests/fuzz/fuzz_NAME -max_total_time=60 tests/fuzz/corpus/NAME
# Otherwise it is built as tests/fuzz/fuzz_NAME_test, which replays
# tests/fuzz/corpus/NAME/* once, as part of the test suite.
# A target is added with its own lines in the fragment of its module:
#	FUZZ_TARGETS += NAME   (and the _SOURCES/_LDADD lines, see below)
EXTRA_DIST += tests/fuzz/standalone.c tests/fuzz/corpus
