# tests/ - the test runner, shell helpers and fixtures.
EXTRA_DIST += tests/run tests/lib.sh
