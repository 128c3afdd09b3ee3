#!/bin/bash
# tests/stsconf/manpage.t - the parameter list of man/stsd.conf.5 is the
# one that the parameter table gives (stsconf -m).
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

STSCONF=$BUILDDIR/stsconf/stsconf
page=$SRCDIR/man/stsd.conf.5
t_built "$STSCONF"

gen=$("$STSCONF" -m)
is "$?" 0 "stsconf -m exits 0"
committed=$(sed -n '/^\.\\" BEGIN PARAMETERS/,/^\.\\" END PARAMETERS/p' "$page")
if [ "$committed" = "$gen" ]; then
	pass "man/stsd.conf.5 lists the parameters of lib/params.c"
else
	fail "man/stsd.conf.5 lists the parameters of lib/params.c"
	echo "# the page is out of date: run \"make update-man\" in the build"
	echo "# directory and commit man/stsd.conf.5. Differences:"
	diff <(printf '%s\n' "$committed") <(printf '%s\n' "$gen") | head -20 |
	    sed 's/^/#   /'
fi

# Every parameter that stsconf knows has an entry.
missing=
for name in $("$STSCONF" -d | sed 's/ =.*//'); do
	grep -qx "\.B $name" <<<"$gen" || missing="$missing $name"
done
is "$missing" "" "stsconf -m has an entry for every parameter"

if command -v groff >/dev/null; then
	warn=$(groff -man -ww -z "$page" 2>&1)
	is "$warn" "" "groff formats stsd.conf.5 without warnings"
	warn=$(groff -man -ww -z "$SRCDIR/man/stsconf.1" 2>&1)
	is "$warn" "" "groff formats stsconf.1 without warnings"
fi

done_testing
