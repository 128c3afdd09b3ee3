#!/bin/bash
# tests/rptparse/silent.t - silent-reporter alerts: 20 days of daily
# reports from one organization, then none; no alert while its last
# report is younger than alert_silent_time, exactly one once it is older
# (and none again at the next runs), shown in "stsctl report summary"
# (text and --json) and in stsd_rptparse_silent_reporters; a new report
# from it clears the alert (logged).  An organization with too few
# reports never alerts; one whose name holds a newline and an escape
# reaches the log, the alert and the summary escaped.  The job runs at
# rptparse's start: the test restarts rptparse rather than wait an hour,
# and moves alert_silent_time rather than the clock (the dates of the
# reports are what the job reads).
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq python3

T=$(t_tmpdir)
rp_webhook "$T"

rp_begin "$RP_WEBHOOK_CF" "alert_silent_time = 3d"
quiet $STSCTL domain add example.com --mx '*.mail.example.com'
quiet $STSCTL domain add example.net --mx '*.mail.example.net'

# report NAME ORG DOMAIN DAYS-AGO: a daily report (HTTPS: it counts) of
# ORG about DOMAIN for the UTC day DAYS-AGO days before today, spooled.
report() {
	local day
	day=$(date -u -d "-$4 days" +%F)
	jq -c --arg id "$1" --arg org "$2" --arg d "$3" --arg day "$day" \
	    '."report-id" = $id | ."organization-name" = $org |
	     .policies[0].policy."policy-domain" = $d |
	     ."date-range" = {"start-datetime": ($day + "T00:00:00Z"),
	     "end-datetime": ($day + "T23:59:59Z")}' \
	    "$FIX/rfc8460.json" >"$T/$1.json"
	rp_https application/tlsrpt+json "$T/$1.json" >"$T/$1.eml"
	rp_put "$T/$1.eml" >/dev/null
}
EVIL=$'Evil\nOrg\e[31m'
# 20 days of daily reports, the last for the day 3 days ago (it ends
# 2 days and some hours ago); an organization with 3 reports only.
for i in $(seq 3 22); do
	report "silent-$i" "Silent Org" example.com "$i"
	report "evil-$i" "$EVIL" example.net "$i"
done
for i in 3 4 5; do report "sparse-$i" "Sparse Org" example.com "$i"; done
rp_idle 60
is "$(rp_nstored)" 43 "43 reports stored"

silent_alerts() {
	[ -s "$T/hook.log" ] &&
	    jq -c '.alerts[] | select(.kind | startswith("silent-reporter:"))' "$T/hook.log"
}
nsilent() { silent_alerts | grep -c . ; }

# 1. The last report is younger than alert_silent_time (3 days): no alert.
ok "the job ran at start" wait_until 20 sh -c "[ \$(grep -c 'rptparse.*silent reporters: [0-9]*, ' '$RP_LOG') -ge 1 ]"
ok "a run after the reports" rp_silent_restart
sleep 1.5
is "$(nsilent)" 0 "2 days silent, alert_silent_time 3d: no alert"
ok "gauge 0" wait_until 10 rp_gauge_is 0
is "$(rp_json summary example.com | jq -c '."silent-reporters"')" "[]" \
	"summary --json: no silent reporter"

# 2. alert_silent_time 2d: the same silence is now too long.
inst_set alert_silent_time=2d
ok "a run with alert_silent_time 2d" rp_silent_restart
wait_until 10 sh -c "[ \$(jq '.alerts | length' '$T/hook.log' 2>/dev/null | awk '{ n += \$1 } END { print n + 0 }') -ge 2 ]"
sleep 1.5
is "$(silent_alerts | jq -r 'select(.domain == "example.com") | .kind')" \
	"silent-reporter:Silent Org" "exactly one alert for example.com: Silent Org"
is "$(nsilent)" 2 "two in all: Silent Org and the escaped one of example.net"
like "$(silent_alerts | jq -r 'select(.domain == "example.com") | .text')" \
	"Silent Org sent 1[0-9] TLS reports for example\.com before, the last one ending .* \(2 days ago\)" \
	"the alert text: how many reports, the last one, days ago"
like "$(silent_alerts | jq -r 'select(.domain == "example.net") | .subject')" \
	'no TLS report from Evil\\nOrg\\x1b\[31m for 2 days' \
	"a hostile organization name is escaped in the subject"
ok "gauge 2" wait_until 10 rp_gauge_is 2
s=$($STSCTL report summary example.com)
like "$s" "silent reporters:"$'\n'"    Silent Org \(last report $(date -u -d '-3 days' +%F), 2 days ago\)" \
	"summary: the silent reporter, its last report and days ago"
is "$(rp_json summary example.com | jq -r '."silent-reporters"[] | "\(."organization-name"):\(.days)"')" \
	"Silent Org:2" "summary --json: the silent reporter"
unlike "$s" "Sparse Org \(last" "3 reports are not regular: not silent"
like "$($STSCTL report summary example.net)" 'Evil\\nOrg\\x1b\[31m \(last report' \
	"summary: a hostile organization name escaped"
$STSCTL report html >"$T/page.html" 2>/dev/null
like "$(cat "$T/page.html")" '<li class="silent-reporter">Silent Org \(last report [0-9-]*, 2 days ago\)</li>' \
	"dashboard: the silent reporter in the domain's list"
like "$(cat "$T/page.html")" '<li class="silent-reporter">Evil' "dashboard: the hostile one too"
is "$(grep -c $'\e' "$T/page.html")" 0 "dashboard: no raw escape character of the organization name"

# 3. Another run: raised, not cleared: no second alert.
ok "another run" rp_silent_restart
sleep 1.5
is "$(nsilent)" 2 "the next run raises nothing again"

# 4. A new report from Silent Org clears its alert (logged); the next
# run has one silent reporter left.
report silent-new "Silent Org" example.com 1
rp_idle
like "$(cat "$RP_LOG")" "rptparse.*example\.com: Silent Org reports again: silent-reporter alert cleared" \
	"a new report clears the alert, logged"
ok "a run after it" rp_silent_restart
ok "gauge 1" wait_until 10 rp_gauge_is 1
is "$(rp_json summary example.com | jq -c '."silent-reporters"')" "[]" \
	"summary: Silent Org no longer silent"
is "$(nsilent)" 2 "no new alert"
done_testing
