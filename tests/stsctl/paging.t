#!/bin/bash
# tests/stsctl/paging.t - "stsctl domain list" follows policyd's pages of
# domain-list (lib/policyc), and stops with a clear error, at once, when
# policyd's "next" repeats (a loop) or carries control characters; so
# does the certificate check of "stsd check".  The policyd is
# fakepages.py on the instance's public/policyd socket.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

STSCTL_BIN=$BUILDDIR/stsctl/stsctl
[ -x "$STSCTL_BIN" ] || skip_all "no stsctl built"
command -v python3 >/dev/null || skip_all "no python3"

I=$(t_tmpdir)
mkdir -p "$I/etc" "$I/data" "$I/spool/public" "$I/spool/private"
cat >"$I/etc/main.cf" <<EOF
config_directory = $I/etc
data_directory = $I/data
queue_directory = $I/spool
myhostname = localhost
sts_zone = demo.test
EOF
SOCK=$I/spool/public/policyd
FAKE_PID=

# fake MODE: a fake policyd in MODE on public/policyd, its log emptied.
fake() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
	rm -f "$SOCK"
	: >"$I/requests.log"
	python3 "$SRCDIR/tests/stsctl/fakepages.py" "$SOCK" "$1" "$I/requests.log" &
	FAKE_PID=$!
	wait_until 10 test -S "$SOCK"
}
at_exit 'kill $FAKE_PID'

# list: stsctl domain list, its output and status in OUT and RC.
list() {
	OUT=$(timeout 30 "$STSCTL_BIN" -c "$I/etc" domain list "$@" 2>&1)
	RC=$?
}

ok "fake policyd answers (pages)" fake pages
list
is "$RC" 0 "domain list of three pages exits 0"
is "$(printf '%s\n' "$OUT" | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" \
    "a.example b.example c.example d.example " \
    "every domain of every page, in order"
is "$(tr '\n' ' ' <"$I/requests.log")" "- b.example c.example " \
    "each page asked for with the last \"next\""
list --json
is "$(printf '%s' "$OUT" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(len(d["domains"]), "next" in d)')" "4 False" \
    "--json: one list of the 4 domains, without \"next\""

ok "fake policyd answers (loop)" fake loop
SECONDS=0
list
is "$RC" 1 "a \"next\" that repeats: domain list fails"
ok "at once, not after a loop (${SECONDS} s)" test "$SECONDS" -lt 10
is "$OUT" 'stsctl: domain-list: "next" b.example does not follow b.example' \
    "the error says which \"next\" is wrong"
is "$(wc -l <"$I/requests.log")" 2 "after two requests"

# stsd check reads the same pages for its certificate check.
if [ -x "$BUILDDIR/stsd/stsd" ]; then
	ok "fake policyd answers (loop, for stsd check)" fake loop
	OUT=$(timeout 60 "$BUILDDIR/stsd/stsd" -c "$I/etc" check 2>&1)
	like "$OUT" '^stsd: warning: policyd: domain-list: "next" b\.example does not follow b\.example: certificates not checked$' \
	    "stsd check: a \"next\" that repeats ends its certificate check with a warning"
	is "$(wc -l <"$I/requests.log")" 2 "after two requests"
fi

ok "fake policyd answers (control)" fake control
list
is "$RC" 1 "a \"next\" with control characters that goes back: fails"
is "$OUT" 'stsctl: domain-list: "next" a\n\x1b[2Jb does not follow x.example' \
    "its control characters are escaped in the error"

kill "$FAKE_PID" 2>/dev/null
wait "$FAKE_PID" 2>/dev/null
FAKE_PID=
rm -f "$SOCK"
list
is "$RC" 1 "no policyd: domain list fails"
like "$OUT" "^stsctl: cannot reach policyd: connect to $SOCK: " \
    "and names the socket under queue_directory"
done_testing
