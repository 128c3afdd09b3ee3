#!/bin/bash
# tests/rptparse/crash.t - rptparse killed (SIGKILL) again and again while
# it works through 5,000 reports (at least 3 times with work left, each
# after it stored more): master restarts it, and in the end every report
# is stored exactly once and nothing is left in the spool or in corrupt/.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq

# 5,000: five commits of 1,000 (RPTPARSE_BATCH), so that a kill after
# each new commit still finds work left.
N=5000
# The fixtures come unsigned: they count with report_require_dkim = no.
rp_start "report_require_dkim = no" || { fail "instance starts"; done_testing; }
T=$(t_tmpdir)

# One mail, its report-id numbered by spoolput (-N) for each copy; 20
# policies each, so that the work lasts long enough to be cut several
# times.
{ printf 'From: crash@sender.example\r\nMIME-Version: 1.0\r\n'
  printf 'Content-Type: application/tlsrpt+json\r\n\r\n'
  jq -c '."report-id" = "crash-@SEQ@" | .policies = [range(20) as $i | .policies[0]]' \
      "$FIX/rfc8460.json"; } >"$T/crash.eml"

stored() { rp_json list | jq '.reports | length'; }
left() { ls "$RP_SPOOL/incoming" "$RP_SPOOL/active" | grep -cv -e '^$' -e ':$'; }
restarted() { local p; p=$(rp_pid); [ -n "$p" ] && [ "$p" != "$1" ]; }
progress() { [ "$(stored)" -gt "$1" ] || rp_empty; }
ok "spooled $N reports" quiet rp_put -N $N "$T/crash.eml"

# Kill whenever rptparse has stored more since the last kill, while work
# is left: each kill cuts it in the middle of the 5,000 reports.
kills=0 midwork=0 last=0
for round in 1 2 3 4 5 6; do
	wait_until 60 progress "$last" || break
	rp_empty && break
	pid=$(rp_pid)
	[ -n "$pid" ] || break
	n=$(left)
	kill -KILL "$pid" 2>/dev/null || continue
	kills=$((kills + 1))
	last=$(stored)
	[ "$n" -gt 0 ] && [ "$last" -lt $N ] && midwork=$((midwork + 1))
	note "killed rptparse $pid with $last reports stored, $n messages left"
	wait_until 30 restarted "$pid" || break
done
ok "rptparse was killed in the middle of the work at least 3 times ($midwork of $kills)" \
    test "$midwork" -ge 3
ok "the spool empties after the restarts" rp_idle 180
is "$(stored)" $N "every report stored"
is "$(rp_json list | jq '[.reports[]."report-id"] | unique | length')" $N \
    "each report stored exactly once"
is "$(ls "$RP_SPOOL/corrupt" | wc -l)" 0 "nothing in corrupt/"
done_testing
