#!/bin/bash
# tests/build/contracts.t - each contract between processes is spelled in
# one module: a list of patterns, each with the only files outside the
# tests and benchmarks where it may appear (issue 17, "One contract, one place").
# SPDX-License-Identifier: ISC
#
# A line of the list is: a name, an extended regular expression (grep
# -E, word boundaries as \b) and the files allowed to match it.  The
# source files are the C files of git ls-files (or of a release
# tarball), without tests/ and *_test.c: a test may build a fixture by
# hand.  Each pattern must match in its allowed files too, so that a
# renamed table or a mistyped pattern fails here instead of passing.
source "$SRCDIR/tests/lib.sh"

cd "$SRCDIR" || { fail "source tree"; done_testing; }

# The C source files of the tree, tests excepted.
sources() {
	if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files
	else
		find . -type f -not -path './_build/*' | sed 's|^\./||'
	fi | grep -E '\.[ch]$' | grep -Ev '^(tests|bench)/|_test\.c$'
}

# contract NAME PATTERN ALLOWED...: PATTERN appears in ALLOWED only,
# and in at least one of them.
contract() {
	local name=$1 pattern=$2 found allowed f extra= seen=
	shift 2
	allowed=" $* "
	found=$(sources | xargs grep -lE -- "$pattern" 2>/dev/null | sort)
	for f in $found; do
		case $allowed in
		*" $f "*) seen=1 ;;
		*) extra="$extra $f" ;;
		esac
	done
	is "$extra" "" "$name: spelled only in $*"
	ok "$name: the pattern finds them in $*" test -n "$seen"
}

# policy.db (policyd, its only writer): lib/policydb.
POLICYDB_FILES="lib/policydb.h lib/policydb.c lib/policydb_dns.c"
contract "policy.db table domains" \
    '\b(FROM|INTO|UPDATE|JOIN|TABLE|ON) domains\b' $POLICYDB_FILES
contract "policy.db table domain_mx" '\bdomain_mx\b' $POLICYDB_FILES
contract "policy.db table domain_names" '\bdomain_names\b' $POLICYDB_FILES
contract "policy.db table domain_monitor" '\bdomain_monitor\b' $POLICYDB_FILES
contract "policy.db table domain_checks" '\bdomain_checks\b' $POLICYDB_FILES
contract "policy.db table dns_publish" '\bdns_publish\b' $POLICYDB_FILES
# policyd reaches policy.db through lib/policydb alone.
is "$(sources | grep '^policyd/' | xargs grep -lE '#include (<sqlite3\.h>|"db\.h")')" "" \
    "policyd includes neither sqlite3.h nor lib/db.h"
# reports.db (rptparse writes, the commands and pages read): lib/rptdb.
RPTDB_FILES=$(sources | grep -E '^lib/rptdb[_.]')
contract "reports.db tables" \
    '\<(FROM|JOIN|INTO|UPDATE|TABLE|REFERENCES|ON)[[:space:]]+(reports|policies|failures|deviations)\>' \
    $RPTDB_FILES
# What makes a stored report trusted (RFC 8460 section 3).
contract "reports.db trust rule" "dkim_result = 'pass'" $RPTDB_FILES
done_testing
