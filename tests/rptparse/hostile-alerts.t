#!/bin/bash
# tests/rptparse/hostile-alerts.t - reports built to forge or multiply
# alerts: one naming 50 invented domains raises none; one for a hosted
# domain with 21 invented result types, every known one, and CR LF
# "Bcc:" lines in every string field raises at most
# alert_per_domain_daily_limit alerts in one digest mail whose header is
# exactly the one stsd writes (parsed with python3's email module); the
# rest are logged and counted in stsd_alerts_dropped_total (present at 0
# from the start); the state file reads back what it wrote after a
# restart of rptparse.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq python3

T=$(t_tmpdir)
mkdir -m 1777 "$T/mail"	# rptparse's sendmail writes here as mail_owner
rp_webhook "$T"
# One file per mail: its arguments in .args, the message in .eml.
cat >"$T/sendmail" <<EOF
#!/bin/sh
f=\$(mktemp "$T/mail/m.XXXXXX")
printf '%s\n' "\$*" >"\$f.args"
cat >"\$f.tmp" && mv "\$f.tmp" "\$f.eml"
EOF
chmod 755 "$T/sendmail"

LIMIT=5
rp_start "alert_webhook_url = http://127.0.0.1:$HOOK/alert" \
	"alert_recipients = ops@example.test" "sendmail_path = $T/sendmail" \
	"alert_per_domain_daily_limit = $LIMIT" ||
	{ fail "instance starts"; done_testing; }
quiet $STSCTL domain add example.com --mx '*.mail.example.com'

mails() { ls "$T/mail" | grep -c '\.eml$'; }
alerts() { [ -s "$T/hook.log" ] && jq '.alerts | length' "$T/hook.log" | awk '{ n += $1 } END { print n + 0 }' || echo 0; }
calls() { cat "$T/hook.log" 2>/dev/null | wc -l; }
# metric NAME-AND-LABELS: the value in rptparse's metrics file.
metric() {
	local f
	f=$(ls "$RP_SPOOL"/metrics/rptparse.* 2>/dev/null | head -1)
	[ -n "$f" ] && awk -v s="$1" '$1 == s { print $2 + 0 }' "$f"
}
dropped='stsd_alerts_dropped_total{reason="domain-daily-limit"}'
hourly='stsd_alerts_dropped_total{reason="hourly-limit"}'
has_metric() { [ -n "$(metric "$dropped")" ]; }
ok "rptparse writes its metrics" wait_until 10 has_metric
is "$(metric "$dropped"):$(metric "$hourly"):$(metric stsd_alerts_sent_total)" 0:0:0 \
	"the alert counters are there at 0 from the start"

# spool NAME: the report in $T/NAME.json, as httpd spools a POST (a
# report that counts without a DKIM signature); waits until stored.
spool() {
	rp_https application/tlsrpt+json "$T/$1.json" >"$T/$1.eml"
	rp_put "$T/$1.eml" >/dev/null
	rp_idle
}

# 1. 50 invented domains, each all failures of a type new for it.
python3 - "$T/fifty.json" <<'EOF'
import json, sys
pol = [{"policy": {"policy-type": "sts", "policy-domain": "d%d.invented.example" % i},
        "summary": {"total-successful-session-count": 0, "total-failure-session-count": 10},
        "failure-details": [{"result-type": "certificate-expired", "failed-session-count": 5},
                            {"result-type": "made-up-%d" % i, "failed-session-count": 5}]}
       for i in range(50)]
json.dump({"organization-name": "Flood", "date-range": {"start-datetime": "2026-11-20T00:00:00Z",
           "end-datetime": "2026-11-20T23:59:59Z"}, "contact-info": "x@flood.example",
           "report-id": "fifty", "policies": pol}, open(sys.argv[1], "w"))
EOF
spool fifty
sleep 2
is "$(mails):$(calls)" 0:0 "50 invented domains: no mail, no webhook call"
unlike "$(grep 'rptparse.*alert:' "$RP_LOG")" 'invented' "... and no alert in the log"
like "$(grep 'rptparse' "$RP_LOG")" 'report [0-9]+: Flood, id fifty, .*, 50 policies' \
	"the report itself is stored"

# 2. A hosted domain: every result type of RFC 8460, 21 invented ones,
# and CR LF "Bcc:" lines in every string field.
python3 - "$T/evil.json" <<'EOF'
import json, sys
evil = "\r\nBcc: victim@evil.example\r\nSubject: forged\r\n\r\nforged body\n.\n"
known = ["starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
         "certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid",
         "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid"]
det = [{"result-type": t, "failed-session-count": 1, "sending-mta-ip": "192.0.2.1" + evil,
        "receiving-mx-hostname": "mx1.mail.example.com" + evil,
        "receiving-mx-helo": "helo" + evil, "additional-information": "info" + evil,
        "failure-reason-code": "code" + evil} for t in known]
det += [{"result-type": "invented-%d%s" % (i, evil), "failed-session-count": 1}
        for i in range(21)]
json.dump({"organization-name": "Org" + evil, "date-range": {"start-datetime": "2026-11-20T00:00:00Z",
           "end-datetime": "2026-11-20T23:59:59Z"}, "contact-info": "c@org.example" + evil,
           "report-id": "evil" + evil, "policies": [
           {"policy": {"policy-type": "sts", "policy-domain": "example.com",
                       "policy-string": ["version: STSv1" + evil], "mx-host": "mx" + evil},
            "summary": {"total-successful-session-count": 0, "total-failure-session-count": 32},
            "failure-details": det},
           {"policy": {"policy-type": "sts", "policy-domain": "example.com" + evil},
            "summary": {"total-successful-session-count": 0, "total-failure-session-count": 1},
            "failure-details": [{"result-type": "certificate-expired", "failed-session-count": 1}]}]},
          open(sys.argv[1], "w"))
EOF
spool evil
wait_until 15 sh -c "[ \$(ls '$T/mail' | grep -c '\\.eml\$') -ge 1 ]"
sleep 2
is "$(mails)" 1 "the hostile report: one digest mail"
is "$(calls)" 1 "... and one webhook call"
is "$(alerts)" "$LIMIT" "... of alert_per_domain_daily_limit ($LIMIT) alerts"
is "$(jq '.dropped' "$T/hook.log")" 8 "... the 8 others left out (11 kinds of RFC types, failure-rate, unknown-result-type)"
is "$(jq -r '[.alerts[].kind] | map(select(startswith("new-result-type:invented"))) | length' "$T/hook.log")" 0 \
	"no alert kind per invented result type"
wait_until 5 sh -c "[ \"\$(awk '\$1 == \"$dropped\" { print \$2 + 0 }' $RP_SPOOL/metrics/rptparse.*)\" = 8 ]"
is "$(metric "$dropped")" 8 "the dropped alerts are counted by reason"
is "$(metric stsd_alerts_sent_total)" "$LIMIT" "the sent ones too"
is "$(grep -c 'rptparse.*alert: example\.com: .*not sent: over alert_per_domain_daily_limit (5)' "$RP_LOG")" 8 \
	"each dropped alert is logged with the limit"

eml=$(ls "$T/mail"/*.eml | head -1)
is "$(cat "${eml%.eml}.args")" "-i -- ops@example.test" "mailed to alert_recipients only"
out=$(python3 - "$eml" <<'EOF'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
print("keys:", " ".join(m.keys()))
print("subject:", repr(str(m["Subject"])))
print("defects:", len(m.defects))
body = m.get_content()
print("body-bcc:", sum(1 for l in body.split("\n") if l.lower().startswith(("bcc:", "subject:"))))
print("cr:", raw.count(b"\r"))
print("escaped:", body.count("\\r\\nBcc: victim@evil.example"))
EOF
)
is "$(sed -n 's/^keys: //p' <<<"$out")" "Subject Auto-Submitted MIME-Version Content-Type Content-Transfer-Encoding" \
	"the mail has exactly the header fields stsd writes (no Bcc, no second Subject)"
like "$(sed -n 's/^subject: //p' <<<"$out")" "^'stsd: $LIMIT alerts: example\.com \(8 more not sent\)'$" \
	"the subject: how many alerts, which domain, how many left out"
is "$(sed -n 's/^defects: //p' <<<"$out")" 0 "python finds no defect in the mail"
is "$(sed -n 's/^body-bcc: //p' <<<"$out")" 0 "no body line that looks like a header"
is "$(sed -n 's/^cr: //p' <<<"$out")" 0 "no CR anywhere in the mail"
like "$(sed -n 's/^escaped: //p' <<<"$out")" '^[1-9]' "the hostile text is shown escaped"
is "$(jq -r '.alerts[].subject' "$T/hook.log" | grep -c $'\r')" 0 "no CR in the webhook's subjects"

# 3. The state file reads back: after a restart, the same kinds the
# same day raise nothing, and no state line is refused.
pid=$(rp_pid)
kill "$pid"
respawned() { local p; p=$(rp_pid); [ -n "$p" ] && [ "$p" != "$pid" ]; }
ok "rptparse is restarted by master" wait_until 20 respawned
wait_until 10 test -S "$RP_SPOOL/private/rptparse"
jq '."report-id" = "evil-again"' "$T/evil.json" >"$T/again.json"
spool again
sleep 2
is "$(mails):$(calls)" 1:1 "after a restart: no alert repeated"
unlike "$(cat "$RP_LOG")" 'bad alert state line' "every state line read back"
unlike "$(cat "$RP_DIR/data/rptparse-alerts.state")" $'[\r ]' "state lines hold no raw CR or space"
unlike "$(cat "$RP_LOG")" 'panic|Sanitizer|runtime error' "no crash in the log"
is "$(grep -c -E '^(Bcc|Subject|forged|\.$)' "$RP_LOG")" 0 "no log line forged by the report"

done_testing
