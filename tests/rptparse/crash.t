#!/bin/bash
# tests/rptparse/crash.t - rptparse killed (SIGKILL) while it works through
# 1,000 reports: master restarts it, and in the end every report is
# stored exactly once and nothing is left in the spool or in corrupt/.
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
command -v jq >/dev/null || skip_all "jq is not installed"

N=1000
rp_start || { fail "instance starts"; done_testing; }
rp_tmpdir
T=$RP_TMP

# One mail, its report-id numbered by spoolput (-N) for each copy.
{ printf 'From: crash@sender.example\r\nMIME-Version: 1.0\r\n'
  printf 'Content-Type: application/tlsrpt+json\r\n\r\n'
  jq -c '."report-id" = "crash-@SEQ@"' "$FIX/rfc8460.json"; } >"$T/crash.eml"

stored() { rp_json list | jq '.reports | length'; }
restarted() { local p; p=$(rp_pid); [ -n "$p" ] && [ "$p" != "$1" ]; }
ok "spooled $N reports" quiet rp_put -N $N "$T/crash.eml"

kills=0
for round in 1 2 3; do
	sleep 0.$((RANDOM % 5 + 3))
	pid=$(rp_pid)
	[ -n "$pid" ] || continue
	kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
	note "killed rptparse $pid with $(stored) reports stored"
	wait_until 30 restarted "$pid" || break
done
ok "rptparse was killed at least once ($kills)" test "$kills" -ge 1
ok "the spool empties after the restarts" rp_idle 180
is "$(stored)" $N "every report stored"
is "$(rp_json list | jq '[.reports[]."report-id"] | unique | length')" $N \
    "each report stored exactly once"
is "$(ls "$RP_SPOOL/corrupt" | wc -l)" 0 "nothing in corrupt/"
done_testing
