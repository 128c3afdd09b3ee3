#!/bin/bash
# tests/report/overflow.t - stored counts of 2^63-1: rptparse now
# refuses a count over 2^53 (TLSRPT_COUNT_MAX), but reports.db may hold
# rows that an earlier version stored before that bound.  Every reader
# adds them without overflow (sums stay at 9223372036854775807), prints
# them exactly, and does not abort: report list, show, summary, export,
# html and domain show.  Also a
# domain given in another case and with a final dot, as a report may
# name it, is stored and shown in lower case without the dot.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq

# The report below comes unsigned: it counts with report_require_dkim = no.
rp_start "report_require_dkim = no" "readiness_days = 3660" ||
	{ fail "instance starts"; done_testing; }
T=$(t_tmpdir)
quiet $STSCTL domain add example.test --mx mx1.example.test
MAX=9223372036854775807
CAP=9007199254740992	# 2^53, the largest count rptparse stores
# pj EXPR: EXPR of the JSON on stdin (v), compact; Python keeps 64-bit
# integers exact where jq reads numbers as doubles.
pj() {
	python3 -c 'import json, sys
v = json.load(sys.stdin)
print(json.dumps(eval(sys.argv[1]), separators=(",", ":")))' "$1"
}
day=$(date -u -d '-1 days' +%Y-%m-%d)

# Two domains of example.test at the top, and a failure detail there too.
cat >"$T/big.json" <<EOF
{"organization-name": "Big Sender", "report-id": "big-1",
 "date-range": {"start-datetime": "${day}T00:00:00Z", "end-datetime": "${day}T23:59:59Z"},
 "contact-info": "tlsrpt@big.example",
 "policies": [
  {"policy": {"policy-type": "sts", "policy-domain": "EXAMPLE.TEST.",
    "policy-string": ["version: STSv1", "mode: testing", "mx: mx1.example.test", "max_age: 86400"],
    "mx-host": ["mx1.example.test"]},
   "summary": {"total-successful-session-count": $CAP, "total-failure-session-count": $CAP},
   "failure-details": [{"result-type": "starttls-not-supported",
     "receiving-mx-hostname": "mx1.example.test", "failed-session-count": $CAP},
    {"result-type": "certificate-expired",
     "receiving-mx-hostname": "mx1.example.test", "failed-session-count": $CAP}]},
  {"policy": {"policy-type": "sts", "policy-domain": "Mail.Example.Test",
    "policy-string": ["version: STSv1", "mode: testing", "mx: mx1.example.test", "max_age: 86400"],
    "mx-host": ["mx1.example.test"]},
   "summary": {"total-successful-session-count": $CAP, "total-failure-session-count": 1}}
 ]}
EOF
rp_mail application/tlsrpt+json - "$T/big.json" >"$T/big.eml"
rp_put "$T/big.eml" >/dev/null
ok "the report is stored" wait_output 60 1 rp_nstored
# The counts as an earlier version, without the bound, stored them, and
# as migration 6 copied them into the rows kept by domain.
sqlite3 "$RP_DIR/data/reports.db" "UPDATE policies SET success_count = $MAX;
    UPDATE policies SET failure_count = $MAX WHERE failure_count = $CAP;
    UPDATE failures SET failed_session_count = $MAX;
    UPDATE domain_policies SET success_count = $MAX;
    UPDATE domain_policies SET failure_count = $MAX WHERE failure_count = $CAP;
    UPDATE domain_failures SET failed_session_count = $MAX;" ||
	fail "counts of 2^63-1 written into reports.db"

out=$($STSCTL report list --json)
is "$?" 0 "report list does not abort"
is "$(pj '[v["reports"][0][k] for k in ("total-successful-session-count", "total-failure-session-count")]' <<<"$out")" \
    "[$MAX,$MAX]" "report list: the sums stay at 2^63-1"
is "$(jq -r '.reports[0].domains' <<<"$out")" "example.test mail.example.test" \
    "domains stored in lower case without the final dot"
like "$($STSCTL report list)" " $MAX +$MAX +big-1" "report list prints 2^63-1 exactly"

sum=$($STSCTL report summary EXAMPLE.TEST. --days 30 --json)
is "$?" 0 "report summary does not abort (domain in another case, with a dot)"
is "$(pj '[v[k] for k in ("domain", "successful", "failed", "sessions")]' <<<"$sum")" \
    "[\"example.test\",$MAX,$MAX,$MAX]" "report summary: every sum stays at 2^63-1"
is "$(pj '[g["sessions"] for g in v["by-result-type"]]' <<<"$sum")" "[$MAX,$MAX,1]" \
    "the groups of failures too (1 failed session in no detail)"
like "$($STSCTL report summary example.test --days 30)" "$MAX sessions, $MAX failed" \
    "the text summary prints them"
ok "report show does not abort" quiet $STSCTL report show 1
ok "report export --json does not abort" quiet $STSCTL report export --json
is "$($STSCTL report export --json | pj '[v[0]["sessions"][k] for k in ("successful", "failed")]')" \
    "[$MAX,$MAX]" "report export: the sums stay at 2^63-1"
ok "report export --csv does not abort" quiet $STSCTL report export --csv
$STSCTL report html example.test --days 30 >"$T/page.html"
is "$?" 0 "report html does not abort"
like "$(cat "$T/page.html")" "class=\"total-sessions\" data-value=\"$MAX\"" \
    "the page shows the saturated total"
v=$($STSCTL domain show example.test --json)
is "$?" 0 "domain show does not abort"
is "$(pj '[v["readiness"][k] for k in ("sessions", "failed", "verdict")]' <<<"$v")" \
    "[$MAX,$MAX,\"not-yet\"]" "the readiness verdict counts up to 2^63-1"
ok "no sanitizer report in the log" test -z "$(grep -l 'runtime error' "$RP_LOG" 2>/dev/null)"
done_testing
