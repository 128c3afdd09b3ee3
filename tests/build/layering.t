#!/bin/bash
# tests/build/layering.t - no program includes a header of another
# program's directory, and lib/ includes none at all: code two programs
# share is a lib/ module (issue 17, "One contract, one place").
# SPDX-License-Identifier: ISC
#
# Each quoted #include of a C file outside tests/ and bench/ (unit tests,
# *_test.c, are left to their own rules) must name config.h or a header
# of its own directory or of lib/, without a path; a program's directory
# holds the modules only it uses.
source "$SRCDIR/tests/lib.sh"

cd "$SRCDIR" || { fail "source tree"; done_testing; }


# The includes of DIR's files that are neither config.h nor a header of
# DIR or lib/: "file: header" lines.
foreign() {
	local dir=$1 f h
	for f in $(t_c_sources | grep "^$dir/[^/]*$"); do
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
		while read -r h; do
			[ "$h" = config.h ] && continue
			case $h in */*) echo "$f: $h"; continue ;; esac
			[ -f "$dir/$h" ] || [ -f "lib/$h" ] || echo "$f: $h"
		done
	done
}

dirs=$(t_c_sources | sed -n 's|^\([^/]*\)/[^/]*$|\1|p' | sort -u)
ok "the tree has program directories besides lib" \
	test "$(echo "$dirs" | grep -vc '^lib$')" -gt 5
for d in $dirs; do
	is "$(foreign "$d")" "" "$d includes only its own headers and lib's"
done
done_testing
