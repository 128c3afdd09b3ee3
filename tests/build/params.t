#!/bin/bash
# tests/build/params.t - every program binds its typed parameters once
# (lib/cfgbind) and looks none up by name afterwards (issue 17, "One
# contract, one place").
# SPDX-License-Identifier: ISC
#
# Three rules over the C files of the tree (git ls-files, or a release
# tarball), tests/, bench/ and *_test.c aside:
#
#  - no file calls cfg_str, cfg_bool, cfg_int, cfg_size, cfg_time,
#    cfg_percent or cfg_list (comments and string literals do not
#    count), except the mechanism (lib/cfg*.c, lib/cfg*.h) and the
#    commands that handle parameters by name by design (stsd/, stsconf/);
#  - every daemon's directory (each that runs lib/server's skeleton,
#    and master/) registers a table (CFG_BIND_REGISTER or
#    CFG_BIND_TABLE);
#  - every entry of a table, CFG_BIND_KIND("name", &var) or X(V, KIND,
#    name) in the list of a CFG_BIND_TABLE, names a parameter that
#    lib/params.c declares, with the type of its kind (STR takes any).
#    This is the check a program makes when its configuration is first
#    loaded (cfg_bind_check, a log_panic at start; lib/cfgbind_test runs
#    it), made here over every program without starting one.
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

# bindings PARAMS_C FILE...: "FILE:LINE: what is wrong" for each
# entry of a table in FILE... that PARAMS_C does not declare with its
# type; a name given as a macro is looked up among the #defines of the
# files.  "bindings: N" on stderr, the number of entries seen.
bindings() {
	perl - "$@" <<'EOF'
my $params = shift(@ARGV);
my (%type, %define, @entries);
open(my $ph, "<", $params) or die "$params: $!\n";
while (<$ph>) {
	$type{$1} = $2 if /^\s*\{\s*"([a-z0-9_]+)",\s*PARAM_([A-Z]+)\s*,/;
}
close($ph);
for my $f (@ARGV) {
	open(my $fh, "<", $f) or die "$f: $!\n";
	local $/;
	my $text = <$fh>;
	close($fh);
	$text =~ s{(/\*.*?\*/|//[^\n]*)}{ (my $m = $1) =~ s/[^\n]/ /g; $m }gse;
	$define{$1} = $2
	    while $text =~ /^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+"([^"]*)"/mg;
	my $kind = qr/STR|BOOL|INT|SIZE|TIME|PERCENT|LIST/;
	while ($text =~ /\bCFG_BIND_($kind)\(\s*(?:"([^"]*)"|(\w+))\s*,/g) {
		my $line = 1 + (substr($text, 0, $-[0]) =~ tr/\n//);
		push(@entries, [$f, $line, $1, $2, $3]);
	}
	while ($text =~ /\b\w+\(\s*\w+\s*,\s*($kind)\s*,\s*(\w+)\s*\)/g) {
		my $line = 1 + (substr($text, 0, $-[0]) =~ tr/\n//);
		push(@entries, [$f, $line, $1, $2, undef]);
	}
}
for my $e (@entries) {
	my ($f, $line, $macro, $name, $sym) = @$e;
	if (!defined($name)) {
		$name = $define{$sym};
		if (!defined($name)) {
			print "$f:$line: CFG_BIND_$macro($sym): $sym is not"
			    . " a #define of a string\n";
			next;
		}
	}
	my $want = $macro eq "STR" ? undef : $macro;	# STR: any type
	if (!exists($type{$name})) {
		print "$f:$line: CFG_BIND_$macro: parameter $name is not"
		    . " declared in $params\n";
	} elsif (defined($want) && $type{$name} ne $want) {
		print "$f:$line: CFG_BIND_$macro: parameter $name is"
		    . " PARAM_$type{$name}\n";
	}
}
print STDERR "bindings: ", scalar(@entries), "\n";
EOF
}

# The directories of the daemons: those that run lib/server's skeleton,
# and master.
daemons() {
	{
		echo "$srcs" | grep -v '^lib/' | xargs grep -l 'server_main(' |
		    sed -n 's|^\([^/]*\)/[^/]*$|\1|p'
		echo master
	} | sort -u
}

# The checkers find what they must, and only that.
tmp=$(t_tmpdir)
cat > "$tmp/fixture.c" <<'EOF'
/* cfg_str("sts_zone") in a comment is no call */
static const char *text = "cfg_int(\"readiness_days\")";
#define FIX_ZONE	"sts_zone"
#define FIX_DKIM	"report_require_dkim"
long long t = cfg_time("ipc_timeout");	/* line 5 */
static const struct cfg_bind fix[] = {
	CFG_BIND_TIME("ipc_timeout", &a),
	CFG_BIND_INT("no_such_parameter", &b),	/* line 8 */
	CFG_BIND_SIZE("ipc_timeout",		/* line 9 */
	    &c),
	CFG_BIND_STR(FIX_ZONE, &d),
	CFG_BIND_STR("ipc_timeout", &e),
	CFG_BIND_BOOL(FIX_DKIM, &f),
	CFG_BIND_LIST(FIX_ZONE, &g),		/* line 14 */
	CFG_BIND_END
};
#define FIX_PARAMS(X, V) \
	X(V, TIME, ipc_timeout) \
	X(V, BOOL, sts_zone) /* line 19 */ \
	X(V, STR, no_such_list_entry) /* line 20 */
CFG_BIND_TABLE(fix_params, fix_conf, FIX_PARAMS)
CFG_BIND_REGISTER(fix)
EOF
is "$(lookups "$tmp/fixture.c" | sed "s|^$tmp/||")" \
	'fixture.c:5: long long t = cfg_time("ipc_timeout");	/* line 5 */' \
	"a call is found, a comment and a string literal are not"
is "$(bindings lib/params.c "$tmp/fixture.c" 2>/dev/null | sed "s|^$tmp/||")" \
"fixture.c:8: CFG_BIND_INT: parameter no_such_parameter is not declared in lib/params.c
fixture.c:9: CFG_BIND_SIZE: parameter ipc_timeout is PARAM_TIME
fixture.c:14: CFG_BIND_LIST: parameter sts_zone is PARAM_STRING
fixture.c:19: CFG_BIND_BOOL: parameter sts_zone is PARAM_STRING
fixture.c:20: CFG_BIND_STR: parameter no_such_list_entry is not declared in lib/params.c" \
	"an unknown name and a wrong type are found, through a #define and in a list too"

# The tree.
srcs=$(t_c_sources)
ok "the tree's C files are listed ($(echo "$srcs" | grep -c .))" \
	test "$(echo "$srcs" | grep -c '^lib/.*\.c$')" -gt 20
found=$(lookups $(echo "$srcs" | exempt))
is "$found" "" "no program looks a parameter up by name (lib/cfgbind instead)"

n=0
for d in $(daemons); do
	n=$((n + 1))
	ok "$d/ registers its parameters (lib/cfgbind)" \
		test -n "$(echo "$srcs" | grep "^$d/[^/]*\.c$" |
		    xargs grep -lE '^CFG_BIND_(REGISTER|TABLE)\(')"
done
ok "the daemons are found ($n: $(echo $(daemons)))" test "$n" -ge 8

bad=$(bindings lib/params.c $(echo "$srcs" | grep -Ev '^lib/cfgbind\.[ch]$') \
    2>"$tmp/count")
is "$bad" "" "every bound parameter is declared in lib/params.c with its type"
count=$(sed -n 's/^bindings: //p' "$tmp/count")
ok "the tree's tables are read ($count entries)" test "${count:-0}" -ge 20
done_testing
