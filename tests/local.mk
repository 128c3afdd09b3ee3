# tests/ - the test runner, shell helpers and fixtures.
# SPDX-License-Identifier: ISC
EXTRA_DIST += tests/run tests/lib.sh tests/unit.h tests/unit_policydb.h \
	tests/unit_rptdb.h tests/msgdiff.h
EXTRA_DIST += tests/build
EXTRA_DIST += tests/netns.sh tests/pki.sh tests/pg.sh tests/harness
EXTRA_DIST += tests/instance.sh tests/mtasts.sh tests/integration tests/corpus
EXTRA_DIST += tests/cluster
