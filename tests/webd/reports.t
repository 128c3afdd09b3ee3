#!/bin/bash
# tests/webd/reports.t - a domain's TLS reports in the portal, through
# the real httpd, webd, policyd and rptparse: the dashboard, the paged
# list, each report, the CSV and JSON exports, as pages and as API
# routes; hostile report fields render inert; a CSV cell that begins
# with = + - @ is no formula; a report that also covers another tenant's
# domain shows each tenant its own policy only; tenant B gets 404 for
# every report route of A's domains, report ids included; bad query
# parameters get 400 with the reason.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd rptparse master stsctl
t_need curl python3 jq

t=$(t_tmpdir)
PORTAL_MORE=rptparse portal_start "$t/i"
FIX=$SRCDIR/tests/rptparse/fixtures

day() { date -u -d "-$1 days" +%Y-%m-%d; }
# report FIXTURE DOMAIN DAYS-AGO ID: the fixture for DOMAIN on that day.
report() { portal_dated "$@"; }
XSS='<script>alert(1)</script>'
IMG='<img src=x onerror=alert(2)>'
for i in 1 2 3 4 5; do
	report "$FIX/google.json" a.example "$i" "google-$i" >"$t/g$i.json"
	portal_report "$t/g$i.json"
done
report "$FIX/microsoft.json" a.example 2 ms-2 >"$t/ms.json"
portal_report "$t/ms.json"
# Hostile: markup in every text a page shows, a formula for the CSV.
jq -n -c --arg s "$(day 1)T00:00:00Z" --arg e "$(day 1)T23:59:59Z" \
    --arg x "$XSS" --arg img "$IMG" '{
    "organization-name": ("=HYPERLINK(\"http://evil.example\")" + $x),
    "date-range": {"start-datetime": $s, "end-datetime": $e},
    "contact-info": $img, "report-id": ("evil\"" + $x),
    "policies": [{"policy": {"policy-type": "sts",
        "policy-string": ["version: STSv1", ("mx: " + $x)],
        "policy-domain": "a.example", "mx-host": ["mx.a.example"]},
      "summary": {"total-successful-session-count": 7,
        "total-failure-session-count": 2},
      "failure-details": [{"result-type": "starttls-not-supported",
        "receiving-mx-hostname": "mx.a.example",
        "receiving-mx-helo": $x, "failed-session-count": 2,
        "failure-reason-code": "@SUM(1+1)",
        "additional-information": ("+" + $img + "</pre>")}]}]}' >"$t/evil.json"
portal_report "$t/evil.json"
# One report for a.example and b.example: each tenant sees its own part.
jq -c '.policies = [.policies[0], (.policies[0] |
    .policy."policy-domain" = "b.example" |
    .summary."total-successful-session-count" = 99)] |
    ."report-id" = "shared-3"' <(report "$FIX/google.json" a.example 3 x) >"$t/shared.json"
portal_report "$t/shared.json"
report "$FIX/google.json" b.example 1 b-only-1 >"$t/b.json"
portal_report "$t/b.json"
ok "rptparse stores the reports" portal_idle
ids_a=$($STSCTL report list --domain a.example --json | jq -r '[.reports[].id] | sort | join(" ")')
is "$(echo $ids_a | wc -w)" 8 "a.example has 8 reports in reports.db"
evil=$($STSCTL report list --domain a.example --json |
	jq -r '.reports[] | select(."report-id" | startswith("evil")) | .id')
shared=$($STSCTL report list --domain a.example --json |
	jq -r '.reports[] | select(."report-id" == "shared-3") | .id')
bonly=$($STSCTL report list --domain b.example --json |
	jq -r '.reports[] | select(."report-id" == "b-only-1") | .id')

is "$(signin "$t/a" alice "$PW_A")" 303 "alice signs in"
is "$(signin "$t/b" bob "$PW_B")" 303 "bob signs in"
wa() { web -b "$t/a" "$@"; }
wb() { web -b "$t/b" "$@"; }

# The dashboard.
head=$(wa -D - -o "$t/dash.html" /domains/a.example/dashboard)
like "$head" '^HTTP/1.1 200 ' "the dashboard of a.example: 200"
like "$head" "Content-Security-Policy: default-src 'none'; style-src 'self';" \
	"... with the portal's CSP (no inline style, no script)"
like "$(cat "$t/dash.html")" '<link rel="stylesheet" href="/dashboard.css">' \
	"... its style sheet linked, not inline"
unlike "$(cat "$t/dash.html")" '<style>|<script|style=' "... no inline style or script in it"
like "$(cat "$t/dash.html")" '<svg[^>]*class="chart trend' "... the trend chart, inline SVG"
like "$(cat "$t/dash.html")" 'class="chart failures-by-type' "... failures by result type per day"
like "$(cat "$t/dash.html")" 'class="chart failures-by-sender' "... failures by sending organization per day"
like "$(cat "$t/dash.html")" 'class="chart by-organization' "... sessions by sending organization"
sessions=$($STSCTL report summary a.example --days 30 --json | jq .sessions)
like "$(cat "$t/dash.html")" "class=\"total-sessions\" data-value=\"$sessions\"" \
	"... the sessions of stsctl report summary ($sessions)"
unlike "$(cat "$t/dash.html")" "$XSS|<img src=x" "... a hostile sender's markup is not in it raw"
like "$(cat "$t/dash.html")" '&lt;script&gt;alert\(1\)&lt;/script&gt;' "... but shown escaped"
is "$(wa -o "$t/dash7.html" -w '%{http_code}' '/domains/a.example/dashboard?days=7')" 200 \
	"the 7-day view: 200"
like "$(cat "$t/dash7.html")" 'charts cover the last 7 days' "... of 7 days"
is "$(wa -o /dev/null -w '%{http_code}' /dashboard.css)" 200 "GET /dashboard.css: 200"

# The list, a page at a time: every report once, newest first.
seen=
next='/domains/a.example/reports?limit=3'
pages=0
while [ -n "$next" ] && [ $pages -lt 10 ]; do
	wa -o "$t/list.html" "$next"
	pages=$((pages + 1))
	seen="$seen $(grep -o 'data-report="[0-9]*"' "$t/list.html" | grep -o '[0-9]*' | tr '\n' ' ')"
	next=$(grep -o 'class="page-next" rel="next" href="[^"]*"' "$t/list.html" |
		sed 's/.*href="//; s/"$//; s/&amp;/\&/g')
done
is "$pages" 3 "8 reports, 3 a page: 3 pages, linked by cursors"
is "$(echo $seen | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')" "$ids_a" \
	"... every report of a.example once"
wa -o "$t/list.html" '/domains/a.example/reports?limit=100'
unlike "$(cat "$t/list.html")" "$XSS|<img src=x" "the list: the hostile report's fields not raw"
like "$(cat "$t/list.html")" '=HYPERLINK\(&quot;http://evil.example&quot;\)&lt;script&gt;' \
	"... but escaped"

# One report, as a page and as JSON.
wa -o "$t/one.html" "/domains/a.example/reports/$evil"
unlike "$(cat "$t/one.html")" "$XSS|<img src=x|</pre>\"" "the hostile report's page: nothing raw"
like "$(cat "$t/one.html")" 'class="report"' "... its JSON shown"
head=$(wa -D - -o "$t/one.json" "/domains/a.example/reports/$evil.json")
like "$head" $'Content-Disposition: attachment; filename="a.example-report-'"$evil"$'.json"\r' \
	"its JSON is an attachment"
is "$(jq -r '.policies[0].policy["policy-string"][1]' "$t/one.json")" "mx: $XSS" \
	"... holding the fields as the sender sent them"
wa -o "$t/sh.json" "/domains/a.example/reports/$shared.json"
is "$(jq -r '[.policies[].policy["policy-domain"]] | join(" ")' "$t/sh.json")" a.example \
	"a report of a.example and b.example: alice sees a.example's policy only"
wb -o "$t/shb.json" "/domains/b.example/reports/$shared.json"
is "$(jq -r '[.policies[] | .policy["policy-domain"], .summary["total-successful-session-count"]] | join(" ")' "$t/shb.json")" \
	"b.example 99" "... and bob b.example's only"

# The exports.
head=$(wa -D - -o "$t/a.csv" /domains/a.example/export.csv)
like "$head" $'Content-Type: text/csv; charset=utf-8\r' "the CSV export: text/csv"
like "$head" $'Content-Disposition: attachment; filename="a.example-reports.csv"\r' \
	"... an attachment"
ok "... every cell that begins with = + - @ is quoted text" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, rows = rows[0], rows[1:]
assert head[:3] == ["report", "organization-name", "report-id"], head
ids = sorted({int(r[0]) for r in rows})
assert " ".join(map(str, ids)) == sys.argv[2], (ids, sys.argv[2])
evil = [r for r in rows if r[0] == sys.argv[3]]
assert evil, "no row of the hostile report"
for r in rows:
    for c in r:
        assert not c or c[0] not in "=+-@", ("a formula", c)
e = evil[0]
assert e[1].startswith("\x27=HYPERLINK"), e[1]
assert e[head.index("failure-reason-code")] == "\x27@SUM(1+1)", e
assert e[head.index("additional-information")].startswith("\x27+<img"), e
' "$t/a.csv" "$ids_a" "$evil"
head=$(wa -D - -o "$t/a.json" '/domains/a.example/export.json?days=30')
like "$head" $'Content-Disposition: attachment; filename="a.example-reports.json"\r' \
	"the JSON export: an attachment"
is "$(jq -r '[.[].id] | sort | join(" ")' "$t/a.json")" "$ids_a" "... of every report of a.example"
is "$(wa '/domains/a.example/export.json?days=2' | jq -r '[.[]."report-id"] | sort | join(" ")')" \
	"evil\"$XSS google-1 google-2 ms-2" "... ?days=2: those of the last 2 days"

# Bad query parameters: 400 with the reason.
is "$(wa -o "$t/bad" -w '%{http_code}' '/domains/a.example/reports?limit=0')" 400 "limit=0: 400"
like "$(cat "$t/bad")" 'limit=0: expected a number from 1 to 100' "... saying why"
is "$(wa -o "$t/bad" -w '%{http_code}' '/domains/a.example/reports?limit=101')" 400 "limit=101: 400"
is "$(wa -o "$t/bad" -w '%{http_code}' '/domains/a.example/reports?after=99999999999999999999999.1')" 400 \
	"a huge cursor: 400"
is "$(wa -o "$t/bad" -w '%{http_code}' '/domains/a.example/reports?after=1%0a2.3')" 400 \
	"a cursor with an escaped newline: 400"
is "$(wc -l <"$t/bad")" 1 "... the answer one line"
is "$(wa -o /dev/null -w '%{http_code}' '/domains/a.example/dashboard?days=367')" 400 "days=367: 400"
is "$(wa -o /dev/null -w '%{http_code}' "/domains/a.example/reports/$(printf '9%.0s' $(seq 40))")" 404 \
	"a report id of 40 digits: 404"
is "$(wa -o /dev/null -w '%{http_code}' /domains/a.example/reports/0)" 404 "report 0: 404"
is "$(wa -o /dev/null -w '%{http_code}' /domains/a.example/reports/999999)" 404 "an unknown report: 404"

# Isolation: bob gets 404 for every report route of alice's domains and
# for alice's report ids under his own domain, as for unknown ones.
routes='dashboard reports reports?limit=1 export.csv export.json'
for id in $ids_a; do routes="$routes reports/$id reports/$id.json"; done
n404=0 total=0
for d in a.example a2.example c.example nosuch.example; do
	for p in $routes; do
		total=$((total + 1))
		[ "$(wb -o /dev/null -w '%{http_code}' "/domains/$d/$p")" = 404 ] &&
			n404=$((n404 + 1))
	done
done
is "$n404" "$total" "bob's session: 404 for each of $total report pages of other domains"
n404=0 total=0
for id in $ids_a; do
	[ "$id" = "$shared" ] && continue
	for p in "reports/$id" "reports/$id.json"; do
		total=$((total + 1))
		[ "$(wb -o /dev/null -w '%{http_code}' "/domains/b.example/$p")" = 404 ] &&
			n404=$((n404 + 1))
	done
done
is "$n404" "$total" "... and for alice's report ids under b.example ($total routes)"
is "$(wb "/domains/b.example/reports/$evil")" "$(wb /domains/b.example/reports/999999)" \
	"... the same answer as an id that does not exist"
is "$(wa -o /dev/null -w '%{http_code}' "/domains/a.example/reports/$bonly")" 404 \
	"alice: bob's report under a.example: 404"
is "$(web -o /dev/null -w '%{http_code}' /domains/a.example/reports)" 303 \
	"without a session: 303 to the sign-in"

# The API: the same, with tokens.
api "$TOK_A" -o "$t/p1.json" '/api/v1/domains/a.example/reports?limit=5'
is "$(jq '.reports | length' "$t/p1.json")" 5 "API: a page of 5 reports"
api "$TOK_A" -o "$t/p2.json" "/api/v1/domains/a.example/reports?limit=5&after=$(jq -r .next "$t/p1.json")"
is "$(jq -r '.next' "$t/p2.json")" null "... the next page is the last"
is "$(jq -s -r '[.[].reports[].id] | sort | join(" ")' "$t/p1.json" "$t/p2.json")" "$ids_a" \
	"... every report once"
is "$(api "$TOK_A" "/api/v1/domains/a.example/reports/$evil" | jq -r '."organization-name"')" \
	"=HYPERLINK(\"http://evil.example\")$XSS" "API: one report, its fields as sent"
is "$(api "$TOK_A" "/api/v1/domains/a.example/summary?days=30" | jq .sessions)" "$sessions" \
	"API: the summary of 30 days, as stsctl report summary"
is "$(api "$TOK_A" '/api/v1/domains/a.example/export.json' | jq -r '[.[].id] | sort | join(" ")')" \
	"$ids_a" "API: the JSON export"
is "$(api "$TOK_A" '/api/v1/domains/a.example/export.csv' | tail -n +2 | cut -d, -f1 | sort -un | wc -l)" \
	8 "API: the CSV export"
is "$(api "$TOK_A" -o "$t/e" -w '%{http_code}' '/api/v1/domains/a.example/summary?days=x')" 400 \
	"API: days=x: 400"
is "$(jq -r .error "$t/e")" "days=x: expected a number from 1 to 366" "... with the reason"
n404=0 total=0
for d in a.example a2.example c.example nosuch.example; do
	for p in reports reports/$evil summary export.csv export.json; do
		total=$((total + 1))
		[ "$(api "$TOK_B" -o /dev/null -w '%{http_code}' "/api/v1/domains/$d/$p")" = 404 ] &&
			n404=$((n404 + 1))
	done
done
is "$n404" "$total" "bob's token: 404 for each of $total report routes of other domains"
is "$(api "$TOK_B" -o /dev/null -w '%{http_code}' "/api/v1/domains/b.example/reports/$evil")" 404 \
	"... and for alice's report id under b.example"
is "$(api "$TOK_B" "/api/v1/domains/b.example/reports/$evil")" \
	"$(api "$TOK_B" /api/v1/domains/b.example/reports/999999)" "... the answer of an unknown id"
is "$(web -o /dev/null -w '%{http_code}' /api/v1/domains/a.example/reports)" 401 \
	"API without a token: 401"
portal_sanitizers
done_testing
