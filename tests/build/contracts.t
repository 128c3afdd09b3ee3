#!/bin/bash
# tests/build/contracts.t - each contract between programs is spelled in
# one module (issue 17): a list of contracts, each a pattern and the
# files allowed to hold it.  No other source file of the tree (tests,
# benchmarks and *_test.c aside: they build fixtures by hand) may match
# the pattern, and the allowed files must (so that a pattern that no
# longer finds anything fails too).
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

cd "$SRCDIR" || { fail "source tree"; done_testing; }

# The C sources of the tree, as git or the tarball has them.
sources() {
	if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files
	else
		find . -type f -not -path './_build/*' | sed 's|^\./||'
	fi | grep -E '\.[ch]$' | grep -Ev '^(tests|bench)/|_test\.c$'
}

# The contracts: name, extended regular expression, the files allowed to
# hold it (an extended regular expression over their paths), separated
# by tabs.
contracts() {
	# reports.db's tables (lib/rptdb.h REPORTS.DB): SQL that names one.
	printf '%s\t%s\t%s\n' "reports.db tables" \
	    '\<(FROM|JOIN|INTO|UPDATE|TABLE|REFERENCES|ON)[[:space:]]+(reports|policies|failures|deviations)\>' \
	    '^lib/rptdb[_.]'
	# What makes a stored report trusted (RFC 8460 section 3).
	printf '%s\t%s\t%s\n' "reports.db trust rule" \
	    "dkim_result = 'pass'" \
	    '^lib/rptdb[_.]'
}

# holds PATTERN FILES...: some of the files (at least one) match.
holds() {
	local pattern=$1; shift
	[ $# -gt 0 ] && grep -qE -- "$pattern" "$@" </dev/null
}

files=$(sources)
ok "source files found ($(echo "$files" | wc -l))" test "$(echo "$files" | wc -l)" -gt 100
while IFS=$'\t' read -r name pattern allowed; do
	inside=$(echo "$files" | grep -E "$allowed")
	outside=$(echo "$files" | grep -Ev "$allowed")
	ok "$name: spelled in $allowed" holds "$pattern" $inside
	hits=$(grep -lE -- "$pattern" $outside </dev/null | tr '\n' ' ')
	is "$hits" "" "$name: spelled nowhere else"
done < <(contracts)
done_testing
