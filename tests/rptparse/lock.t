#!/bin/bash
# tests/rptparse/lock.t - rptparse holds the spool's consumer lock (an
# flock of active/) while it runs, so that it may take messages in
# incoming/ without a claim; when another process holds the lock,
# rptparse says so and claims each message into active/ first, and
# stores every report all the same.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v flock >/dev/null || skip_all "flock(1) is not installed"

# The fixtures come unsigned: they count with report_require_dkim = no.
rp_begin "report_require_dkim = no"
rp_mail application/tlsrpt+json - "$FIX/google.json" >"$T/g.eml"
jq '."report-id" = "lock-2"' "$FIX/google.json" >"$T/g2.json"
rp_mail application/tlsrpt+json - "$T/g2.json" >"$T/g2.eml"

ok "rptparse holds the consumer lock" wait_until 10 \
    test "$(flock -n -E 99 "$RP_SPOOL/active" true; echo $?)" = 99
rp_put "$T/g.eml" >/dev/null
ok "a report is stored" rp_idle 20
is "$(rp_nstored)" 1 "one report stored"
nok "no warning about the lock" grep -q "consumer lock" "$RP_LOG"

# Another process holds the lock when rptparse starts.
"$RP_STSD" -c "$RP_DIR/etc" stop >/dev/null 2>&1
flock "$RP_SPOOL/active" sleep 120 &
holder=$!
at_exit "kill $holder"
held() { ! flock -n "$RP_SPOOL/active" true; }	# run at each try
wait_until 10 held
"$RP_STSD" -c "$RP_DIR/etc" start >/dev/null 2>&1
ok "without the lock rptparse says so" wait_until 20 grep -q \
    "active: consumer lock held by another process; claiming each message into active/" \
    "$RP_LOG"
rp_put "$T/g2.eml" >/dev/null
ok "and still stores what comes" rp_idle 20
is "$(rp_nstored)" 2 "two reports stored"
is "$(ls "$RP_SPOOL/corrupt" | wc -l)" 0 "nothing in corrupt/"
kill "$holder"
done_testing
