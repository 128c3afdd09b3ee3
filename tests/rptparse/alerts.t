#!/bin/bash
# tests/rptparse/alerts.t - rptparse's alerts on stored reports, by
# webhook and by mail: a failure rate above alert_failure_rate, a result
# type new for the domain, any sts-policy-fetch-error or
# sts-webpki-invalid; exactly one per domain, kind and day, with what
# the result type means and its fix; the alerts of a report in one
# digest (one mail, one webhook call); none for a domain that is not
# hosted; kept across a restart of rptparse.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq python3

T=$(t_tmpdir)
chmod 777 "$T"		# rptparse's sendmail writes here as mail_owner
rp_webhook "$T"
printf '#!/bin/sh\n{ echo "args: $*"; cat; echo .; } >>%s/mail.out\n' "$T" >"$T/sendmail"
chmod 755 "$T/sendmail"

# The reports come unsigned: they count with report_require_dkim = no.
rp_start "report_require_dkim = no" \
	"alert_webhook_url = http://127.0.0.1:$HOOK/alert" \
	"alert_recipients = ops@example.test" "sendmail_path = $T/sendmail" ||
	{ fail "instance starts"; done_testing; }
quiet $STSCTL domain add example.com --mx '*.mail.example.com'
today=$(date -u +%F)

# report ID JQ-FILTER: a mail with rfc8460.json changed by the filter and
# given report-id ID, spooled; waits until rptparse took it.
report() {
	jq -c --arg id "$1" "$2 | .\"report-id\" = \$id" "$FIX/rfc8460.json" >"$T/$1.json"
	rp_mail application/tlsrpt+gzip "$1.json.gz" "$T/$1.json" gzip >"$T/$1.eml"
	rp_put "$T/$1.eml" >/dev/null
	rp_idle
}
# hooks [JQ-SELECT]: the webhook alerts received, one JSON per line
# (each webhook call is a digest: {"time","alerts":[...],"dropped"}).
hooks() { [ -s "$T/hook.log" ] && jq -c ".alerts[] | ${1:-.}" "$T/hook.log"; }
calls() { cat "$T/hook.log" 2>/dev/null | wc -l; }
count() { hooks "select(.domain == \"$1\" and .kind == \"$2\")" | wc -l; }
kinds() { hooks "select(.domain == \"$1\") | .kind" | tr -d '"' | sort | tr '\n' ' ' | sed 's/ $//'; }
text() { hooks "select(.domain == \"$1\" and .kind == \"$2\") | .text" | head -1 | jq -r .; }
# settled N: wait until N webhook alerts arrived, then a little more, so
# that an extra one would be seen (rptparse raises its alerts before it
# removes the message from the spool, and delivery takes milliseconds).
settled() {
	wait_until 15 sh -c "[ \$(jq '.alerts | length' '$T/hook.log' 2>/dev/null | awk '{ n += \$1 } END { print n + 0 }') -ge $1 ]"
	sleep 1.5
}
nhooks() { hooks | wc -l; }

# 1. RFC 8460's example: 303 failed of 5629 sessions (5.4%), three
# result types never seen for example.com.
report first .
settled 4
is "$(kinds example.com)" \
	"failure-rate new-result-type:certificate-expired new-result-type:starttls-not-supported new-result-type:validation-failure" \
	"first report: failure rate and three new result types"
is "$(nhooks)" 4 "first report: four alerts in all"
is "$(calls)" 1 "... in one webhook call"
is "$(hooks .key | sort -u | tr -d '"')" "$today" "alert keys are the day received (UTC)"
t=$(text example.com failure-rate)
like "$t" "count 303 failed of 5629 TLS sessions to example\.com \(5\.38%\), above alert_failure_rate \(1%\)" \
	"failure-rate: the counts and the threshold"
like "$t" "starttls-not-supported: 200 sessions" "failure-rate: failures by result type"
like "$t" "Fix: renew the MX certificate" "failure-rate: the fix of each result type"
t=$(text example.com new-result-type:starttls-not-supported)
like "$t" "Company-X reports 200 failed TLS sessions of type starttls-not-supported to example\.com \(MX mx2\.mail\.example\.com\)" \
	"new result type: who, how many, which MX"
like "$t" "What it means: the MX host did not offer STARTTLS" "new result type: what it means"
like "$t" "Fix: enable STARTTLS with a certificate on every MX host" "new result type: the fix"
like "$(hooks 'select(.kind == "failure-rate") | .subject')" "stsd: example\.com: 5\.38% of TLS sessions failed \($today\)" \
	"failure-rate: the subject"

# 2. The same kinds again the same day: no new alert.
report second '.policies[0].summary."total-failure-session-count" = 500'
settled 4
is "$(nhooks)" 4 "second report, same kinds, same day: no alert"

# 3. The policy host failing: one alert per kind, no "new" alert for them.
report third '.policies[0]."failure-details" = [
	{"result-type": "sts-policy-fetch-error", "failed-session-count": 7},
	{"result-type": "sts-webpki-invalid", "failed-session-count": 2},
	{"result-type": "sts-webpki-invalid", "failed-session-count": 3}]'
settled 6
is "$(count example.com sts-policy-fetch-error):$(count example.com sts-webpki-invalid)" 1:1 \
	"sts-policy-fetch-error and sts-webpki-invalid alert once each"
is "$(nhooks)" 6 "no new-result-type alert for them"
t=$(text example.com sts-webpki-invalid)
like "$t" "reports 5 failed TLS sessions of type sts-webpki-invalid" "sts-webpki-invalid: sessions summed over details"
like "$t" "Fix: point mta-sts\.example\.com at the policy host" "sts-webpki-invalid: the fix names the domain"
like "$(text example.com sts-policy-fetch-error)" "https://mta-sts\.example\.com/\.well-known/mta-sts\.txt" \
	"sts-policy-fetch-error: the policy URL of the domain"
report fourth '.policies[0]."failure-details" = [
	{"result-type": "sts-policy-fetch-error", "failed-session-count": 1}]'
settled 6
is "$(nhooks)" 6 "sts-policy-fetch-error again the same day: no alert"

# 4. Another domain, not hosted: every policy fails, with a result type
# new for it; no alert at all (a report may name any domain).
report other '.policies[0].policy."policy-domain" = "example.org" |
	.policies[0].summary = {"total-successful-session-count": 0, "total-failure-session-count": 100}'
settled 6
is "$(kinds example.org)" "" "a domain that is not hosted: no alert"
is "$(nhooks):$(calls)" 6:2 "six alerts in all, in two webhook calls"

# 5. Mail: the same alerts through sendmail_path, one mail per digest.
wait_until 10 sh -c "[ \$(grep -c '^Subject: ' '$T/mail.out') -ge 2 ]"
is "$(grep -c '^Subject: ' "$T/mail.out")" 2 "one mail per digest"
like "$(head -1 "$T/mail.out")" "^args: -i -- ops@example\.test$" "mailed to alert_recipients"
like "$(cat "$T/mail.out")" "Subject: stsd: 4 alerts: example\.com"$'\n' \
	"the subject of a digest: how many alerts, for which domains"
is "$(grep -c '^== stsd: example\.com: ' "$T/mail.out")" 6 \
	"each alert once in the mails, by its subject"
like "$(cat "$T/mail.out")" "== stsd: example\.com: new TLS failure type certificate-expired \($today\) ==" \
	"an alert's subject in the digest"

# 6. A restart of rptparse keeps the state: still no repeat.
pid=$(rp_pid)
kill "$pid"
respawned() { local p; p=$(rp_pid); [ -n "$p" ] && [ "$p" != "$pid" ]; }
ok "rptparse is restarted by master" wait_until 20 respawned
wait_until 10 test -S "$RP_SPOOL/private/rptparse"
report fifth '.policies[0]."failure-details" = [
	{"result-type": "sts-webpki-invalid", "failed-session-count": 1},
	{"result-type": "certificate-expired", "failed-session-count": 50}]'
settled 6
is "$(nhooks)" 6 "after a restart: no repeat the same day"
ok "the state is kept in data_directory" test -s "$RP_DIR/data/rptparse-alerts.state"
like "$(cat "$RP_LOG")" "rptparse.*alert: example\.com: failure-rate: stsd: example\.com: 5\.38%" "alerts are logged"

# 7. A bad alert_failure_rate is refused before it reaches rptparse:
# stsd reload names it, and the running rptparse stays.
pid=$(rp_pid)
sed -i -E 's/^(rptparse .*) rptparse$/\1 rptparse -o alert_failure_rate=lots/' "$RP_DIR/etc/master.cf"
out=$("$RP_STSD" -c "$RP_DIR/etc" reload 2>&1)
is "$?" 1 "bad alert_failure_rate: stsd reload refuses it"
like "$out" 'parameter alert_failure_rate: bad percentage value "lots": expected a number from 0% to 100%' \
    "bad alert_failure_rate: stsd reload says why"
is "$(rp_pid)" "$pid" "bad alert_failure_rate: rptparse keeps running"

done_testing
