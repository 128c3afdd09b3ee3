#!/bin/bash
# tests/build/filesize.t - no production .c file over FILE_LINES_MAX
# lines, and no two .c or .h files of the tree with the same name (issue
# 17: a file with one duty, findable by its name alone).
# SPDX-License-Identifier: ISC
#
# Production files are t_c_sources: outside tests/ and bench/, unit
# tests (*_test.c) excepted.  Names are compared over every .c and .h
# file of the tree, tests included.
source "$SRCDIR/tests/lib.sh"

cd "$SRCDIR" || { fail "source tree"; done_testing; }

FILE_LINES_MAX=900

srcs=$(t_c_sources | grep '\.c$')
ok "the tree has production .c files" test "$(echo "$srcs" | wc -l)" -gt 100
long=$(for f in $srcs; do
	n=$(wc -l <"$f")
	[ "$n" -gt "$FILE_LINES_MAX" ] && echo "$f: $n lines"
done)
is "$long" "" "no production .c file over $FILE_LINES_MAX lines"

twice=$(t_tree_files | grep -E '\.[ch]$' | sed 's|.*/||' | sort | uniq -d)
is "$twice" "" "no two .c or .h files share a name"
done_testing
