#!/bin/bash
# tests/rptparse/store.t - reports in the shapes real senders use are
# stored field by field, with their deviations, once each; by mail
# through the spool, by mail through rptrecv (SMTP), and by HTTPS form.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq

# The fixtures come unsigned: they count with report_require_dkim = no.
rp_begin "report_require_dkim = no"
quiet $STSCTL domain add example.com --mx mx1.example.com

# show_report REPORT-ID: the stored report with that id, as JSON.
show_report() {
	local id
	id=$(rp_json list | jq -r --arg r "$1" \
	    '[.reports[] | select(."report-id" == $r)][0].id')
	[ "$id" != null ] && rp_json show "$id"
}
count_reports() { rp_json list | jq '.reports | length'; }
has_dev() { jq -e --arg d "$2" '.deviations | index($d) != null' <<<"$1" >/dev/null; }

# 1. RFC 8460 shape, application/tlsrpt+gzip.
rp_mail application/tlsrpt+gzip rfc.json.gz "$FIX/rfc8460.json" gzip >"$T/rfc.eml"
rp_put "$T/rfc.eml" >/dev/null
ok "spool emptied after the first report" rp_idle
r=$(show_report 5065427c-23d3-47ca-b6e0-946ea0e8c4be)
f=$FIX/rfc8460.json
is "$(jq -r '."organization-name"' <<<"$r")" "$(jq -r '."organization-name"' "$f")" "organization-name stored"
is "$(jq -r '."contact-info"' <<<"$r")" "$(jq -r '."contact-info"' "$f")" "contact-info stored"
is "$(jq -cS '."date-range"' <<<"$r")" "$(jq -cS '."date-range"' "$f")" "date range stored"
is "$(jq -r '.via + " " + .submitter' <<<"$r")" "mailto reports@sender.example" "via and submitter (From:)"
is "$(jq -r .sha256 <<<"$r")" "$(sha256sum <"$f" | cut -d' ' -f1)" "sha256 of the report JSON"
is "$(jq -c '.policies[0].policy' <<<"$r")" \
    "$(jq -c '.policies[0].policy | ."mx-host" = [."mx-host"] | {"mx-host", "policy-domain", "policy-string", "policy-type"}' "$f")" \
    "policy stored (mx-host as a list of one)"
is "$(jq -r '.policies[0]."hosted-domain"' <<<"$r")" example.com "tied to the hosted domain"
is "$(jq -cS '.policies[0].summary' <<<"$r")" "$(jq -cS '.policies[0].summary' "$f")" "summary counts"
is "$(jq -cS '.policies[0]."failure-details"' <<<"$r")" "$(jq -cS '.policies[0]."failure-details"' "$f")" \
    "failure details, every field"
# RFC 8460 section 4.4 makes mx-host a list; its Appendix B example has a
# string, the one deviation of that report.
is "$(jq -c .deviations <<<"$r")" '["policies[0].policy.mx-host is a string, not a list"]' \
    "the RFC example's one deviation: mx-host is a string"
like "$(grep 'id 5065427c-23d3-47ca-b6e0-946ea0e8c4be' "$RP_LOG")" \
    ' to [0-9TZ:-]+, 1 policy, with deviations' "the log counts its one policy in the singular"

# 2. Google: mx-host list, no failure-details, labelled application/x-gzip.
rp_mail application/x-gzip google.com!example.com!1!2.json.gz "$FIX/google.json" gzip >"$T/g.eml"
rp_put "$T/g.eml" >/dev/null
rp_idle
r=$(show_report 2026-11-20T00:00:00Z_example.com)
is "$(jq -c '.policies[0].policy."mx-host"' <<<"$r")" '["mx1.example.com"]' "google: mx-host list"
nok "google: mx-host as a list is no deviation" has_dev "$r" "policies[0].policy.mx-host is a string, not a list"
ok "google: deviation failure-details missing" has_dev "$r" "policies[0]: failure-details missing, read as none"
ok "google: deviation content type" has_dev "$r" "report attached as application/x-gzip"
is "$(jq -c '.policies[0]."failure-details"' <<<"$r")" "[]" "google: no failure details"

# 3. Microsoft: no timezone, no sending-mta-ip; plain tlsrpt+json.
rp_mail application/tlsrpt+json - "$FIX/microsoft.json" >"$T/m.eml"
rp_put "$T/m.eml" >/dev/null
rp_idle
r=$(show_report 133456789012345678+example.com)
is "$(jq -r '."date-range"."start-datetime"' <<<"$r")" 2026-11-20T00:00:00Z "microsoft: date-time read as UTC"
ok "microsoft: deviation no timezone" has_dev "$r" "start-datetime without timezone, read as UTC"
ok "microsoft: deviation no sending-mta-ip" has_dev "$r" "policies[0].failure-details: sending-mta-ip missing"
is "$(jq -r '.policies[0]."failure-details"[0]."receiving-ip"' <<<"$r")" 192.0.2.25 "microsoft: receiving-ip"

# 4. mail.ru by HTTPS (gzip): contact-info null, empty lists.
rp_https application/tlsrpt+gzip "$FIX/mailru.json" gzip >"$T/h.msg"
rp_put "$T/h.msg" >/dev/null
rp_idle
r=$(show_report 19b6b3a1f6c5e8d2@mail.ru)
is "$(jq -r '.via + " " + (.submitter | tostring)' <<<"$r")" "https null" "https: via https, no submitter"
is "$(jq -r '."contact-info"' <<<"$r")" null "mail.ru: contact-info null"
is "$(jq -r '."date-range"."end-datetime"' <<<"$r")" 2026-11-21T00:00:00Z "mail.ru: end at next midnight"
ok "mail.ru: deviation contact-info null" has_dev "$r" "contact-info is null"
ok "mail.ru: deviation empty policy-string" has_dev "$r" "policies[0].policy.policy-string is an empty list"

# 5. Postfix: no-policy-found without policy-domain, application/json.
rp_mail application/json report.json "$FIX/postfix-nopolicy.json" >"$T/p.eml"
rp_put "$T/p.eml" >/dev/null
rp_idle
r=$(show_report 2026-11-20_example.org_postfix)
is "$(jq -r '.policies[0].policy."policy-type" + " " + (.policies[0].policy."policy-domain" | tostring)' <<<"$r")" \
    "no-policy-found null" "postfix: no-policy-found without domain"
ok "postfix: deviation recorded" has_dev "$r" "policies[0].policy: no policy-domain (no-policy-found)"

# 6. A whole mail, application/octet-stream named *.json.gz.
rp_put "$FIX/octet-stream.eml" >/dev/null
rp_idle
r=$(show_report octet-1)
is "$(jq -r .submitter <<<"$r")" noreply-smtp-tls-reporting@google.com "octet-stream mail stored, submitter"

# 7. The same report twice: stored once.
n=$(count_reports)
rp_put "$T/rfc.eml" "$T/g.eml" >/dev/null
rp_idle
is "$(count_reports)" "$n" "the same reports again: stored once"
like "$(cat "$RP_LOG")" "already stored as report" "duplicate logged"
is "$(ls "$RP_SPOOL/corrupt" | wc -l)" 0 "duplicates are not corrupt"

# 8. One report-id, two date ranges: two reports.
rp_mail application/tlsrpt+json - "$FIX/reuse-a.json" >"$T/ra.eml"
rp_mail application/tlsrpt+json - "$FIX/reuse-b.json" >"$T/rb.eml"
rp_put "$T/ra.eml" "$T/rb.eml" >/dev/null
rp_idle
is "$(rp_json list | jq '[.reports[] | select(."report-id" == "fixed-id-1")] | length')" 2 \
    "report-id reused for another range: both stored"

# 9. Through rptrecv over SMTP (swaks).
if command -v swaks >/dev/null; then
	jq -c '."report-id" = "smtp-1"' "$FIX/rfc8460.json" >"$T/smtp.json"
	rp_mail application/tlsrpt+gzip smtp.json.gz "$T/smtp.json" gzip >"$T/smtp.eml"
	ok "swaks delivers to rptrecv" quiet swaks --server 127.0.0.1 --port "$RP_SMTP" \
	    --from reports@sender.example --to tlsrpt@demo.test --data "$T/smtp.eml"
	wait_until 20 show_report smtp-1
	r=$(show_report smtp-1)
	is "$(jq -r '.via + " " + .policies[0]."hosted-domain"' <<<"$r")" "mailto example.com" \
	    "report by SMTP stored"
else
	note "swaks not installed: no SMTP case"
fi

# 10. list, summary, export.
dom=$(rp_json list --domain example.com | jq '.reports | length')
all=$(rp_json list | jq '.reports | length')
is "$dom" "$((all - 1))" "list --domain: every report but the example.org one"
is "$(rp_json list --since 2026-11-19T12:00:00Z | jq '[.reports[] | select(."report-id" == "fixed-id-1")] | length')" 1 \
    "list --since skips the older range"
s=$(rp_json summary example.com --days 3660)
exp_ok=$(rp_json export --domain example.com | jq '[.[].policies[] | select(."hosted-domain" == "example.com") | .summary."total-successful-session-count"] | add')
exp_bad=$(rp_json export --domain example.com | jq '[.[].policies[] | select(."hosted-domain" == "example.com") | .summary."total-failure-session-count"] | add')
is "$(jq -r '.successful, .failed' <<<"$s" | paste -sd' ')" "$exp_ok $exp_bad" "summary: sessions add up"
is "$(jq -r '."by-result-type"[] | select(."result-type" == "starttls-not-supported") | .sessions' <<<"$s")" 400 \
    "summary: failures by result type (two RFC-shaped reports)"
is "$(jq -r '."by-organization"[] | select(."organization-name" == "Microsoft Corporation") | .failed' <<<"$s")" 4 \
    "summary: failures by organization"
like "$(jq -r '."by-day"[].day' <<<"$s" | paste -sd' ')" "2026-11-18 2026-11-19 2026-11-20" "summary: by day"
like "$($STSCTL report summary example.com --days 3660)" "successful" "summary readable"
csv=$($STSCTL report export --csv)
like "$(head -1 <<<"$csv")" '^report,organization-name,report-id,' "export --csv header"
like "$csv" 'X-STARTTLS-1' "export --csv has failure details"
is "$(rp_json export | jq length)" "$all" "export --json: every report"
like "$($STSCTL report show 1)" "organization: +Company-X" "show readable"
nok "show of a missing report fails" quiet $STSCTL report show 9999
like "$($STSCTL report show 9999 2>&1)" "report 9999: no such report" "missing report named"

ok "rptparse never restarted" test "$(grep -c 'rptparse.*\(exit\|signal\|killed\)' "$RP_LOG")" = 0
done_testing
