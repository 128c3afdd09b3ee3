#!/bin/bash
# tests/build/contracts.t - each contract between processes is spelled in
# one module of lib/ (as Postfix's global/mail_proto.h): a name of the
# table below appears in the C string literals of the programs only in
# the files allowed for it.
# SPDX-License-Identifier: ISC
#
# A contract is one line of the table at the end:
#	contract WHAT ERE FILE...
# WHAT names it in the report, ERE (grep -E) is matched against the text
# of every C string literal (between its quotes, as written, escapes
# included) of the sources: *.c and *.h outside tests/ and bench/, not
# *_test.c.  Comments and #include lines are not looked at.  FILE... are
# the files where the names may be spelled; the case fails when another
# file has such a literal, and when FILE... have none (a pattern that
# matches nothing guards nothing).
source "$SRCDIR/tests/lib.sh"

cd "$SRCDIR" || { fail "source tree"; done_testing; }

# The C sources of the programs and lib/, as git or a tarball has them.
contract_sources() {
	if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files -- '*.c' '*.h'
	else
		find . -type f -name '*.[ch]' -not -path './_build/*' |
		    sed 's|^\./||' | grep -v '^config\.h$'
	fi | grep -Ev '^(tests|bench)/|_test\.c$'
}

# FILE:LINE:TEXT for each string literal of the files named.
contract_literals() {
	perl -e '
	for my $f (@ARGV) {
		open(my $fh, "<", $f) or die "$f: $!\n";
		local $/;
		my $s = <$fh>;
		close($fh);
		my $line = 1;
		while ($s =~ m{\G(?:
		    (/\*.*?\*/)			# 1 comment
		  | (//[^\n]*)			# 2 comment
		  | (\#[ \t]*include[^\n]*)	# 3 include line
		  | "((?:[^"\\\n]|\\.)*)"	# 4 string literal
		  | (\x27(?:[^\x27\\\n]|\\.)*\x27)	# 5 character
		  | (\n)			# 6
		  | ([^/"\x27\n\#]+|.)		# 7 other
		)}gsx) {
			if (defined $1) {
				$line += ($1 =~ tr/\n//);
			} elsif (defined $4) {
				print "$f:$line:$4\n";
			} elsif (defined $6) {
				$line++;
			}
		}
	}' "$@"
}

# The extractor itself: a literal is found, a comment is not.
selftest=$(t_tmpdir)
cat >"$selftest/x.c" <<'EOF'
/* "in/a/comment" */
#include "inc.h"
static const char *a = "one", c = '"';	// "two"
static const char *b = "esc\"aped" "three";
EOF
is "$(contract_literals "$selftest/x.c" | sed "s|^$selftest/||")" \
    "x.c:3:one
x.c:4:esc\\\"aped
x.c:4:three" "the literals of a C file, without comments and includes"

literals=$(contract_literals $(contract_sources))
ok "string literals of the sources found ($(printf '%s\n' "$literals" | wc -l))" \
    test "$(printf '%s\n' "$literals" | wc -l)" -gt 5000

# contract WHAT ERE FILE...: see the head of this file.
contract() {
	local what=$1 ere=$2 hits outside allowed f
	shift 2
	hits=$(printf '%s\n' "$literals" | awk -v ere="$ere" '{
		text = $0
		sub(/^[^:]*:[0-9]+:/, "", text)
		if (text ~ ere)
			print
	}')
	outside=$hits
	allowed=0
	for f in "$@"; do
		grep -q "^$f:" <<<"$hits" && allowed=1
		outside=$(grep -v "^$f:" <<<"$outside")
	done
	ok "$what: spelled in $*" test "$allowed" = 1
	is "$outside" "" "$what: in no other file"
}

# The certificate store: the file names of a host's pair and acmed's
# state file (the layout of lib/certstore.h; every program asks it).
contract "certificate file names" 'fullchain\.pem|privkey\.pem' \
    lib/certstore.h
contract "acmed's state file" 'state\.json' \
    lib/certstore.h

done_testing
