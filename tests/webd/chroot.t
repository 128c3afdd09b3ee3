#!/bin/bash
# tests/webd/chroot.t - webd chrooted in queue_directory (a master.cf
# written before stsd init left webd unchrooted) still reads reports.db
# when the file is there at its start: opened before the chroot and
# kept open, reports stored later included.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd rptparse master stsctl
t_need curl jq
[ "$(id -u)" = 0 ] || skip_all "a chroot needs root"

t=$(t_tmpdir)
PORTAL_MORE=rptparse PORTAL_FIELD=webd/unix/chroot=y portal_start "$t/i"
like "$(grep '^webd' "$I/etc/master.cf")" '^webd +unix +y +y +y ' "webd's line: chroot y"

report() { portal_fixture "$SRCDIR/tests/rptparse/fixtures/google.json" a.example 1 "$1"; }
report first
ok "rptparse stores a report" portal_idle

# webd anew, now that reports.db is there: master starts another.
webd_pid() {
	local p
	for p in $(pgrep -P "$INST_MASTER"); do
		grep -q 'webd' "/proc/$p/cmdline" 2>/dev/null && { echo "$p"; return 0; }
	done
	return 1
}
old=$(webd_pid)
ok "webd runs ($old)" test -n "$old"
kill -TERM "$old"
new_webd() { p=$(webd_pid) && [ "$p" != "$old" ]; }
ok "master starts webd again" wait_until 20 new_webd
pid=$(webd_pid)
wait_until 10 sh -c "[ \"\$(readlink /proc/$pid/root)\" = \"$I/spool\" ]"
is "$(readlink "/proc/$pid/root")" "$I/spool" "the new webd is chrooted in queue_directory"

api() { web -H "Authorization: Bearer $TOK_A" "$@"; }
got() { api "/api/v1/domains/a.example/reports" | jq -r '[.reports[]."report-id"] | sort | join(" ")'; }
ok "its report pages read reports.db" wait_output 20 "first" got
report second
portal_idle
ok "... and reports stored after its start" wait_output 20 "first second" got
is "$(api -o /dev/null -w '%{http_code}' /api/v1/domains/a.example/summary)" 200 \
	"... the summary too"
portal_sanitizers
done_testing
