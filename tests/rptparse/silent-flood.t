#!/bin/bash
# tests/rptparse/silent-flood.t - a flood of organizations: 105 regular
# reporters of one domain fall silent together; a run of rptparse's job
# raises SILENT_ALERTS_MAX (100) of them and logs that 5 wait, the next
# run raises those 5 and nothing again; the gauge counts all 105.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq python3

T=$(t_tmpdir)
rp_webhook "$T"

# No delivery limits: this test is about the job's own bound.
rp_begin "$RP_WEBHOOK_CF" "alert_hourly_limit = 0" \
	"alert_per_domain_daily_limit = 0"
quiet $STSCTL domain add example.com --mx '*.mail.example.com'

N=105
# Five daily reports (HTTPS: they count) from each of N organizations,
# the days 4 to 8 before today: 3 days silent and more.
for k in 4 5 6 7 8; do
	day=$(date -u -d "-$k days" +%F)
	jq -c --arg day "$day" --arg k "$k" \
	    '."report-id" = ("r-@SEQ@-" + $k) | ."organization-name" = "Org @SEQ@" |
	     ."date-range" = {"start-datetime": ($day + "T00:00:00Z"),
	     "end-datetime": ($day + "T23:59:59Z")}' \
	    "$FIX/rfc8460.json" >"$T/d$k.json"
	rp_https application/tlsrpt+json "$T/d$k.json" >"$T/d$k.eml"
	rp_put -N "$N" "$T/d$k.eml" >/dev/null
done
rp_idle 120
is "$(rp_nstored)" $((N * 5)) "$((N * 5)) reports stored"

nsilent() {
	[ -s "$T/hook.log" ] &&
	    jq -c '.alerts[] | select(.kind | startswith("silent-reporter:"))' "$T/hook.log" | grep -c . || echo 0
}

atleast() { [ "$(nsilent)" -ge "$1" ]; }

ok "a run after the reports" rp_silent_restart 30
ok "100 alerts arrive" wait_until 20 atleast 100
sleep 1.5
is "$(nsilent)" 100 "one run raises at most 100 silent-reporter alerts"
like "$(cat "$RP_LOG")" "rptparse.*silent reporters: 5 new alerts left for the next run \(at most 100 per run\)" \
	"the rest is logged"
ok "the gauge counts all $N" wait_until 10 rp_gauge_is "$N"
ok "the next run" rp_silent_restart 30
ok "5 more arrive" wait_until 20 atleast 105
ok "another run" rp_silent_restart 30
sleep 1.5
is "$(nsilent)" 105 "the next runs raise the 5 left, then nothing"
is "$(jq -r '.alerts[] | .kind' "$T/hook.log" | sort | uniq -d)" "" "no alert twice"
done_testing
