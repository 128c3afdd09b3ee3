# tests/package/local.mk - the Debian packaging (debian/) and the tests
# of what gets installed: tests/package/deb.t builds and installs the
# .deb, tests/package/walkthrough.t follows README.md's walk-through on
# it (both only with CI=true or STSD_TEST_PACKAGE=1; tests/package/pkg.sh
# is their shared build and install), tests/man/pages.t checks the
# installed manual pages.  Both are scripts that tests/run
# finds by themselves; this only puts them in the release tarball.
# SPDX-License-Identifier: ISC
EXTRA_DIST += debian tests/package tests/man
