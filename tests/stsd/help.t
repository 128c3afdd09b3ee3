#!/bin/bash
# tests/stsd/help.t - stsd, stsctl, stsconf and master answer -h and
# --help (usage on standard output, exit 0), --version (the configure
# version, exit 0), and a usage error with the usage on standard error
# and exit status 2.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$BUILDDIR/config.h")
[ -n "$version" ] || skip_all "no PACKAGE_VERSION in $BUILDDIR/config.h"
t=$(t_tmpdir)

for prog in stsd/stsd stsctl/stsctl stsconf/stsconf master/master; do
	bin=$BUILDDIR/$prog
	name=${prog##*/}
	[ -x "$bin" ] || { fail "$bin is built"; continue; }
	for opt in -h --help; do
		"$bin" "$opt" >"$t/out" 2>"$t/err"
		is "$?" 0 "$name $opt: exit 0"
		like "$(head -1 "$t/out")" "^usage: $name " "$name $opt: usage on stdout"
		is "$(cat "$t/err")" "" "$name $opt: nothing on stderr"
		like "$(cat "$t/out")" "$name -h \\| --help \\| --version" \
		    "$name $opt: the usage names -h, --help and --version"
	done
	"$bin" --version >"$t/out" 2>"$t/err"
	is "$?" 0 "$name --version: exit 0"
	is "$(cat "$t/out")" "$name (stsd) $version" "$name --version prints the configure version"
	is "$(cat "$t/err")" "" "$name --version: nothing on stderr"
	# -h wins over the rest of the line, like the other options before it.
	"$bin" -c /nonexistent -h >"$t/out" 2>&1
	is "$?" 0 "$name -c DIR -h: exit 0 without reading DIR"
	for bad in --bogus -Q; do
		"$bin" "$bad" >"$t/out" 2>"$t/err"
		is "$?" 2 "$name $bad: usage error, exit 2"
		is "$(cat "$t/out")" "" "$name $bad: nothing on stdout"
		like "$(cat "$t/err")" "usage: $name " "$name $bad: usage on stderr"
	done
	"$bin" --help | head -c 0 >/dev/null
	case ${PIPESTATUS[0]} in 0 | 1 | 141) pass "$name --help into a closed pipe does not crash" ;;
	*) fail "$name --help into a closed pipe: status ${PIPESTATUS[0]}" ;; esac
done

# A usage error after the options, not only a bad option.
"$BUILDDIR/stsctl/stsctl" >"$t/out" 2>"$t/err"
is "$?" 2 "stsctl without a command: exit 2"
like "$(cat "$t/err")" "usage: stsctl " "stsctl without a command: usage on stderr"
: >"$t/main.cf"
"$BUILDDIR/stsctl/stsctl" -c "$t" frob >"$t/out" 2>"$t/err"
is "$?" 2 "stsctl with an unknown command: exit 2"
is "$(cat "$t/err")" "stsctl: frob: unknown command (domain, check, report, queue, cert, fetch, account, audit, alert, node)" \
    "stsctl with an unknown command: the commands it knows"
"$BUILDDIR/master/master" stray >/dev/null 2>"$t/err"
is "$?" 2 "master with an operand: exit 2"
"$BUILDDIR/stsconf/stsconf" -d -e x=1 >/dev/null 2>"$t/err"
is "$?" 2 "stsconf -d -e: exit 2"

# A command given the wrong words is a usage error too (no instance is
# needed to say so): exit 2, its usage on stderr, nothing on stdout.
for args in "domain frob" "domain" "check" "check a.example b.example" \
    "report bogus" "queue show" "cert" "cert renew"; do
	# shellcheck disable=SC2086
	"$BUILDDIR/stsctl/stsctl" -c "$t" $args >"$t/out" 2>"$t/err"
	is "$?" 2 "stsctl $args: exit 2"
	like "$(cat "$t/err")" "usage: stsctl |unknown (sub)?command \\(|^stsctl: [a-z]+ [a-z]+: missing" \
	    "stsctl $args: usage, or the commands it knows, on stderr"
	is "$(cat "$t/out")" "" "stsctl $args: nothing on stdout"
done

done_testing
