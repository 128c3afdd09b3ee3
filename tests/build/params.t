#!/bin/bash
# tests/build/params.t - every parameter is declared once, in
# lib/params_table.h, with its variable var_NAME, and no program looks
# one up by name (issue 17, "One contract, one place").
# SPDX-License-Identifier: ISC
#
# Three rules over the C files of the tree (git ls-files, or a release
# tarball), tests/, bench/ and *_test.c aside:
#
#  - no file calls cfg_str, cfg_bool, cfg_int, cfg_size, cfg_time,
#    cfg_percent or cfg_list (comments and string literals do not
#    count), except the mechanism (lib/cfg*.c, lib/cfg*.h) and the
#    commands that handle parameters by name by design (stsd/, stsconf/);
#  - no module keeps a table of parameters of its own (CFG_BIND_*,
#    cfg_bind_register): the variables are the table's (lib/params.h),
#    of the C type of each parameter's kind, so that a variable of the
#    wrong type does not compile;
#  - every parameter of lib/params_table.h is read somewhere: as
#    var_NAME, or by name where that is allowed.
#
# Each rule is first run on a fixture that breaks it, so that a checker
# that finds nothing fails here instead of passing.
source "$SRCDIR/tests/lib.sh"

cd "$SRCDIR" || { fail "source tree"; done_testing; }

# The files allowed to look parameters up by name.
exempt() {
	grep -Ev '^lib/cfg[^/]*\.[ch]$|^stsd/|^stsconf/'
}

# lookups FILE...: "FILE:LINE: text" for each use of a lookup by name
# outside comments and string literals.
lookups() {
	perl - "$@" <<'EOF'
for my $f (@ARGV) {
	open(my $fh, "<", $f) or die "$f: $!\n";
	local $/;
	my $text = <$fh>;
	close($fh);
	my @orig = split(/\n/, $text, -1);
	# Comments and literals become blanks; the newlines stay.
	$text =~ s{(/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\x27(?:\\.|[^\x27\\\n])*\x27)}
	    { (my $m = $1) =~ s/[^\n]/ /g; $m }gse;
	my @code = split(/\n/, $text, -1);
	for my $i (0 .. $#code) {
		next unless $code[$i] =~
		    /\bcfg_(?:str|bool|int|size|time|percent|list)\b/;
		(my $l = $orig[$i]) =~ s/^\s+//;
		print "$f:", $i + 1, ": $l\n";
	}
}
EOF
}

# unread TABLE FILE...: the parameters of TABLE (params_table.h) that no
# FILE reads: neither as var_NAME, nor by name in the files allowed to
# look parameters up by name.  "unread: N" on stderr, the number of
# parameters in TABLE.
unread() {
	perl - "$@" <<'EOF'
my $table = shift(@ARGV);
my (@names, %seen);
open(my $th, "<", $table) or die "$table: $!\n";
while (<$th>) {
	push(@names, $1) if /^PARAM\(\s*[A-Z]+\s*,\s*([a-z0-9_]+)\s*,/;
}
close($th);
for my $f (@ARGV) {
	open(my $fh, "<", $f) or die "$f: $!\n";
	local $/;
	my $text = <$fh>;
	close($fh);
	$seen{$1} = 1 while $text =~ /\bvar_([a-z0-9_]+)\b/g;
	next unless $f =~ m{^(lib/cfg[^/]*\.[ch]|stsd/.*|stsconf/.*)$};
	$seen{$1} = 1 while $text =~ /"([a-z0-9_]+)"/g;
}
print STDERR "unread: ", scalar(@names), "\n";
print "$_\n" for grep { !$seen{$_} } @names;
EOF
}

# tables FILE...: "FILE:LINE:text" for each parameter table of a
# module's own (the mechanism before params_table.h: CFG_BIND_* and
# cfg_bind_register).
tables() {
	grep -nE '\b(CFG_BIND_[A-Z]+|cfg_bind_register)\b' "$@" /dev/null
}

# The checkers find what they must, and only that.
tmp=$(t_tmpdir)
cat > "$tmp/fixture.c" <<'EOF'
/* cfg_str("sts_zone") in a comment is no call */
static const char *text = "cfg_int(\"readiness_days\")";
long long t = cfg_time("ipc_timeout");	/* line 3 */
long long u = var_ipc_timeout;
CFG_BIND_REGISTER(fix)
EOF
printf 'PARAM(TIME, ipc_timeout, "30s",\n    "doc")\nPARAM(STRING, sts_zone, "", "doc")\n' \
	> "$tmp/table.h"
is "$(lookups "$tmp/fixture.c" | sed "s|^$tmp/||")" \
	'fixture.c:3: long long t = cfg_time("ipc_timeout");	/* line 3 */' \
	"a call is found, a comment and a string literal are not"
is "$(unread "$tmp/table.h" "$tmp/fixture.c" 2>/dev/null)" "sts_zone" \
	"a parameter that nothing reads is found, one read as var_NAME is not"
is "$(tables "$tmp/fixture.c" | sed "s|^$tmp/||")" \
	"fixture.c:5:CFG_BIND_REGISTER(fix)" \
	"a table of a module's own is found"

# The tree.
srcs=$(t_c_sources)
ok "the tree's C files are listed ($(echo "$srcs" | grep -c .))" \
	test "$(echo "$srcs" | grep -c '^lib/.*\.c$')" -gt 20
found=$(lookups $(echo "$srcs" | exempt))
is "$found" "" "no program looks a parameter up by name (lib/cfgbind instead)"

is "$(tables $(echo "$srcs" | grep -Ev '^lib/cfgbind\.[ch]$'))" "" \
	"no module keeps a parameter table of its own (lib/params_table.h)"
bad=$(unread lib/params_table.h $srcs 2>"$tmp/count")
is "$bad" "" "every parameter of lib/params_table.h is read somewhere"
count=$(sed -n 's/^unread: //p' "$tmp/count")
ok "the parameters are read from lib/params_table.h ($count)" \
	test "${count:-0}" -ge 80
done_testing
