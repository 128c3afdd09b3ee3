#!/bin/bash
# tests/report/html.t - "stsctl report html": reports in the shapes real
# senders use (tests/rptparse/fixtures, dated into the window) and a
# hostile one are stored through rptparse; the page is opened in headless
# Chromium, its charts read back and compared with "stsctl report
# summary --json"; markup from reports shows as text; a screenshot is
# saved as $BUILDDIR/tests/report-screenshot.png.  The failure rate per
# day on its own scale, failed sessions per day stacked by result type
# and by sender, legends in the order the series are drawn, senders
# sorted by the length of their bars.  Also the readiness verdict of
# "stsctl domain show".
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq python3
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
	skip_all "chromium is not installed (scripts/deps installs it)"

# The fixtures come unsigned: they count with report_require_dkim = no.
rp_start "report_require_dkim = no" || { fail "instance starts"; done_testing; }
T=$(t_tmpdir)
D=example.com
quiet $STSCTL domain add $D --mx mx1.example.com
quiet $STSCTL domain add ready.test --mx mx.ready.test
quiet $STSCTL domain add enforced.test --mx mx.enforced.test --mode enforce --force
quiet $STSCTL domain add quiet.test --mx mx.quiet.test

# day N: the UTC date N days ago.
day() { date -u -d "-$1 days" +%Y-%m-%d; }

# report FIXTURE DOMAIN DAYS-AGO ID [ORG]: the fixture for DOMAIN, its
# date range the day DAYS-AGO (with or without the Z it had), report-id ID.
report() {
	jq -c --arg d "$2" --arg day "$(day "$3")" --arg id "$4" \
	    --arg org "${5:-}" '
	    (if (."date-range"."start-datetime" | endswith("Z")) then "Z"
	     else "" end) as $z |
	    ."date-range" = {"start-datetime": ($day + "T00:00:00" + $z),
	        "end-datetime": ($day + "T23:59:59" + $z)} |
	    ."report-id" = $id |
	    (if $org != "" then ."organization-name" = $org else . end) |
	    .policies |= map(if .policy."policy-domain" then
	        .policy."policy-domain" = $d else . end)' "$1"
}

n=0
put() {	# FILE: mail it through the spool
	n=$((n + 1))
	rp_mail application/tlsrpt+gzip "r$n.json.gz" "$1" gzip >"$T/r$n.eml"
	rp_put "$T/r$n.eml" >/dev/null
}
report "$FIX/rfc8460.json" $D 1 rfc-1 >"$T/a.json"
report "$FIX/google.json" $D 2 google-2 >"$T/b.json"
report "$FIX/microsoft.json" $D 3 ms-3 >"$T/c.json"
report "$FIX/mailru.json" $D 4 mailru-4 >"$T/d.json"
report "$FIX/google.json" $D 12 google-12 >"$T/e.json"
# Hostile: markup as organization-name and in additional-information.
jq -n -c --arg s "$(day 5)T00:00:00Z" --arg e "$(day 5)T23:59:59Z" '{
    "organization-name": "<script>alert(1)</script>",
    "date-range": {"start-datetime": $s, "end-datetime": $e},
    "contact-info": "x@evil.example", "report-id": "evil-5",
    "policies": [{"policy": {"policy-type": "sts",
        "policy-string": ["version: STSv1"], "policy-domain": "example.com",
        "mx-host": ["mx1.example.com"]},
      "summary": {"total-successful-session-count": 7,
        "total-failure-session-count": 2},
      "failure-details": [{"result-type": "starttls-not-supported",
        "receiving-mx-hostname": "<b>mx9</b>.example.com",
        "failed-session-count": 2,
        "additional-information": "<img src=x onerror=alert(2)><i>markup</i>"}]}]}' >"$T/evil.json"
# ready.test: one major sender without failures, one small one with.
report "$FIX/google.json" ready.test 1 g-ready-1 >"$T/r1.json"
report "$FIX/microsoft.json" ready.test 2 ms-ready-2 "Small Sender" |
    jq -c '.policies[0].summary = {"total-successful-session-count": 0,
        "total-failure-session-count": 1} |
        .policies[0]."failure-details"[0]."failed-session-count" = 1' \
    >"$T/r2.json"
for f in a b c d e evil r1 r2; do put "$T/$f.json"; done
ok "the reports are stored" rp_idle
is "$(rp_json list --domain $D | jq '.reports | length')" 6 \
    "six reports for $D"

# The pages.
$STSCTL report html --days 30 >"$T/all.html" 2>"$T/all.err"
is "$?" 0 "report html (overview) exits 0"
$STSCTL report html $D --days 30 >"$T/one.html" 2>"$T/one.err"
is "$?" 0 "report html DOMAIN exits 0"
$STSCTL report summary $D --days 30 --json >"$T/sum.json"
out=$($STSCTL report html nosuch.example 2>&1)
is "$?:$out" "1:stsctl: report html: nosuch.example: no such domain" \
    "report html of an unknown domain: exit 1 and why"
unlike "$(cat "$T/all.html" "$T/one.html")" '<script' \
    "no <script in the generated files"
like "$(cat "$T/all.html")" '&lt;script&gt;alert\(1\)&lt;/script&gt;' \
    "the hostile organization-name is escaped in the file"

# Chromium: the DOM it builds from each file, and a screenshot.
chrome() {
	timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu \
	    --disable-dev-shm-usage --user-data-dir="$T/chromium" \
	    --no-first-run --hide-scrollbars "$@" 2>>"$T/chromium.log"
}
chrome --dump-dom "file://$T/all.html" >"$T/all.dom"
chrome --dump-dom "file://$T/one.html" >"$T/one.dom"
ok "chromium renders the overview" test -s "$T/all.dom"
ok "chromium renders the domain page" test -s "$T/one.dom"
mkdir -p "$BUILDDIR/tests"
SHOT=$BUILDDIR/tests/report-screenshot.png
rm -f "$SHOT"
chrome --screenshot="$SHOT" --window-size=1200,2400 "file://$T/one.html" \
    >/dev/null
is "$(head -c 8 "$SHOT" 2>/dev/null | od -An -tx1 | tr -d ' \n')" \
    89504e470d0a1a0a "screenshot saved as a PNG ($SHOT)"

# read_dom DOM DOMAIN: what the browser shows of DOMAIN's section, as
# JSON: the bars of each chart, the totals, script elements, texts.
read_dom() {
	python3 - "$1" "$2" <<'PY'
import json, sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self, domain):
        super().__init__(convert_charrefs=True)
        self.domain = domain
        self.inside = 0          # depth inside the domain's section
        self.chart = None
        self.out = {"scripts": 0, "svg": 0, "charts": {}, "totals": {},
                    "text": "", "verdict": None, "row-verdict": None,
                    "legends": {}, "drawn": {}, "stacks": {}, "points": {},
                    "scale": {}}
        self.bar = None
        self.total = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.out["scripts"] += 1
        if tag == "tr" and a.get("data-domain") == self.domain:
            self.row = True
        if tag == "td" and "data-verdict" in a and getattr(self, "row", False):
            self.out["row-verdict"] = a["data-verdict"]
            self.row = False
        if tag == "section" and a.get("data-domain") == self.domain:
            self.inside = 1
            return
        if not self.inside:
            return
        if tag == "section":
            self.inside += 1
        if tag == "svg":
            self.out["svg"] += 1
            self.chart = a.get("class", "").split()[-1]
            self.out["charts"][self.chart] = []
            self.out["legends"][self.chart] = []
            self.out["drawn"][self.chart] = []
            if "data-scale-max" in a:
                self.out["scale"][self.chart] = float(a["data-scale-max"])
        if tag == "b" and "data-value" in a:
            self.out["totals"][a.get("class")] = int(a["data-value"])
        if tag == "div" and "data-verdict" in a:
            self.out["verdict"] = a["data-verdict"]
        if self.chart:
            self.chart_tag(tag, a)
    def chart_tag(self, tag, a):
        cls = a.get("class", "")
        if tag == "g" and cls == "legend-item":
            self.out["legends"][self.chart].append(a["data-key"])
        elif tag == "g" and cls == "bar" and "data-key" in a:
            self.out["charts"][self.chart].append(
                [a["data-key"], int(a["data-success"]),
                 int(a["data-failure"]), a.get("data-day")])
            self.bar = []
        elif tag == "g" and cls == "bar":
            self.bar = []
            self.out["stacks"].setdefault(self.chart, []).append(
                [a["data-day"], int(a["data-failure"]), self.bar])
        elif tag == "g" and cls == "point":
            self.out["points"].setdefault(self.chart, []).append(
                [a["data-day"], float(a["data-rate"]),
                 int(a["data-failure"]), int(a["data-sessions"])])
        elif tag == "rect" and self.bar is not None and cls == "seg":
            self.bar.append([a["data-key"], int(a["data-value"])])
        elif (tag == "rect" and self.bar is not None and cls in ("ok", "fail")
              and float(a.get("height", 0)) > 0 and float(a.get("width", 0)) > 0):
            # The order the series of a bar are drawn (bottom up, or
            # left to right), as legend names.
            name = "successful" if cls == "ok" else "failed"
            if name not in self.out["drawn"][self.chart]:
                self.out["drawn"][self.chart].append(name)
    def handle_endtag(self, tag):
        if self.inside and tag == "section":
            self.inside -= 1
        if tag == "svg":
            self.chart = None
        if tag == "g" and self.bar is not None:
            self.bar = None
    def handle_data(self, data):
        if self.inside:
            self.out["text"] += data

p = Dom(sys.argv[2])
p.feed(open(sys.argv[1], encoding="utf-8").read())
print(json.dumps(p.out))
PY
}
read_dom "$T/one.dom" $D >"$T/one.json"
read_dom "$T/all.dom" $D >"$T/all.json"
S=$T/sum.json
J=$T/one.json

is "$(jq .scripts "$J"):$(jq .scripts "$T/all.json")" 0:0 \
    "no script element in the DOM of either page"
ok "the literal organization-name is visible as text" \
    jq -e '.text | contains("<script>alert(1)</script>")' "$J"
ok "additional-information markup is visible as text" \
    jq -e '.text | contains("<img src=x onerror=alert(2)><i>markup</i>")' "$J"
# rptparse leaves out a receiving-mx-hostname that is not a host name.
ok "the MX host with markup is left out, not shown" \
    jq -e '.text | contains("mx9") | not' "$J"
ok "the domain page has the svg charts" \
    jq -e '.svg >= 4 and (.charts | has("trend") and has("by-result-type")
        and has("by-organization") and has("by-mx-host"))' "$J"
is "$(jq '.charts.trend | length' "$J")" 31 \
    "the trend has a column for each day of the window (today and 30 before)"

# The numbers of the charts are those of report summary --json.
is "$(jq '[.charts.trend[][1]] | add' "$J")" "$(jq .successful "$S")" \
    "trend: successful sessions add up to the summary"
is "$(jq '[.charts.trend[][2]] | add' "$J")" "$(jq .failed "$S")" \
    "trend: failed sessions add up to the summary"
is "$(jq -cS '[.charts.trend[] | select(.[1] + .[2] > 0) |
    {day: .[3], successful: .[1], failed: .[2]}]' "$J")" \
    "$(jq -cS '."by-day"' "$S")" "trend: each day's bar equals by-day"
is "$(jq -c '[.charts."by-result-type"[] | {"result-type": .[0],
    sessions: .[2]}]' "$J")" "$(jq -c '."by-result-type"' "$S")" \
    "failures by result type equal the summary"
is "$(jq -cS '[.charts."by-organization"[] | {"organization-name": .[0],
    successful: .[1], failed: .[2]}] | sort_by(."organization-name")' "$J")" \
    "$(jq -cS '."by-organization" | sort_by(."organization-name")' "$S")" \
    "sessions by organization equal the summary"
is "$(jq -c '[.charts."by-organization"[] | .[1] + .[2]]' "$J")" \
    "$(jq -c '[.charts."by-organization"[] | .[1] + .[2]] | sort | reverse' "$J")" \
    "senders sorted by what their bars show: all their sessions, longest first"
ok "the sender chart has senders of every kind (a sort that can fail)" \
    jq -e '[."by-organization"[] | .successful + .failed] != ([."by-organization"[] | .successful + .failed] | sort | reverse)' "$S"

# Legends name the series in the order they are drawn.
is "$(jq -c '[.legends.trend, .drawn.trend]' "$J")" \
    '[["successful","failed"],["successful","failed"]]' \
    "trend: legend successful, failed, as drawn bottom up"
is "$(jq -c '[.legends."by-organization", .drawn."by-organization"]' "$J")" \
    '[["failed","successful"],["failed","successful"]]' \
    "senders: legend failed, successful, as drawn left to right"

# The failure rate per day, on its own scale.
is "$(jq -c '[.points."failure-rate"[] | [.[0], .[2], .[3]]]' "$J")" \
    "$(jq -c '[."by-day"[] | select(.successful + .failed > 0) |
        [.day, .failed, .successful + .failed]]' "$S")" \
    "failure rate: a point for each day with sessions, with its numbers"
is "$(jq -c '[.points."failure-rate"[] | .[1]]' "$J")" \
    "$(jq -c '[."by-day"[] | select(.successful + .failed > 0) |
        (.failed * 10000 / (.successful + .failed) | round) / 100]' "$S")" \
    "failure rate: each point is failed / sessions in percent"
worst=$(jq '[.points."failure-rate"[][1]] | max' "$J")
scale=$(jq '.scale."failure-rate"' "$J")
ok "failure rate: its own scale ($scale%) holds the worst day ($worst%), not the sessions" \
    jq -en --argjson w "$worst" --argjson s "$scale" \
    '$s >= $w and $s < 100 and ([1,2,5,10,20,50,100] | index($s) != null)'
is "$(jq -c '.legends."failure-rate"' "$J")" '["failure rate"]' "failure rate: its legend"

# Failed sessions per day, stacked by result type and by sender.
stack_check() {	# CHART SUMMARY-MEMBER KEY ORDER-MEMBER COUNT NULL-LABEL
	is "$(jq -cS '[.stacks."'"$1"'"[] | select(.[1] > 0) | .[0] as $d |
	    .[2][] | {day: $d, key: .[0], failed: .[1]}] | sort_by(.day, .key)' "$J")" \
	    "$(jq -cS '[."'"$2"'"[] | {day, key: (."'"$3"'" // "'"$6"'"), failed}] |
	    sort_by(.day, .key)' "$S")" "$1: each day's segments equal $2"
	is "$(jq -c '[.stacks."'"$1"'"[] | select(.[1] > 0) | [.[0], .[1]]]' "$J")" \
	    "$(jq -c '[."by-day"[] | select(.failed > 0) | [.day, .failed]]' "$S")" \
	    "$1: each day's column is its failed sessions"
	is "$(jq -c '.legends."'"$1"'"' "$J")" \
	    "$(jq -c '[."'"$4"'"[] | select(."'"$5"'" > 0) | (."'"$3"'" // "'"$6"'")]' "$S")" \
	    "$1: the legend has the series, most failed first"
	ok "$1: each column is drawn bottom up in the order of the legend" \
	    jq -e '.legends."'"$1"'" as $l | all(.stacks."'"$1"'"[]; [.[2][][0]] as $k |
	        $k == [$l[] | select(. as $x | $k | index($x) != null)])' "$J"
}
stack_check failures-by-type by-day-result-type result-type by-result-type \
    sessions "(not detailed)"
stack_check failures-by-sender by-day-organization organization-name \
    by-organization failed "(none)"
ok "a day with failures of more than one result type" \
    jq -e '[.stacks."failures-by-type"[] | select((.[2] | length) > 1)] | length > 0' "$J"
is "$(jq -c '[.charts."by-mx-host"[] | {"receiving-mx-hostname": .[0],
    sessions: .[2]}]' "$J")" "$(jq -c '."by-mx-host" |
    map(."receiving-mx-hostname" //= "(none)")' "$S")" \
    "failures by MX host equal the summary (no MX host: \"(none)\")"
is "$(jq -c '.totals | [."total-sessions", ."total-failed",
    ."total-reports"]' "$J")" "$(jq -c '[.sessions, .failed, .reports]' "$S")" \
    "totals (sessions, failed, reports) equal the summary"
is "$(jq -c '.charts' "$T/all.json")" "$(jq -c '.charts' "$J")" \
    "the overview file has the same section for the domain"
ok "fixes: certificate-expired is explained with its fix" \
    jq -e '.text | contains("certificate-expired") and
        contains("renew the MX certificate")' "$J"
ok "the current policy and mode are shown" \
    jq -e '.text | contains("version: STSv1") and contains("testing")' "$J"
ok "the certificate line is shown" \
    jq -e '.text | contains("no certificate managed by acmed")' "$J"

# Readiness.
v() { $STSCTL domain show "$1" --json | jq -r .readiness.verdict; }
is "$(v $D)" not-yet "readiness: $D has failures from major senders"
like "$($STSCTL domain show $D)" \
    'readiness: not yet: failures from (Company-X|Microsoft Corporation)' \
    "domain show prints the reason"
is "$(v ready.test)" ready "readiness: ready.test (only a minor sender failed)"
like "$($STSCTL domain show ready.test)" \
    'readiness: safe to move to enforce: 43 sessions in the last 14 days from 2 senders, no failures from the major senders \(Google Inc.\)' \
    "domain show prints the verdict with its evidence"
like "$($STSCTL domain show ready.test)" 'Small Sender: 1 session, 1 failed' \
    "domain show lists the senders"
is "$(v enforced.test)" enforced "readiness: a domain in enforce says so"
is "$($STSCTL domain show quiet.test --json | jq -r .readiness.text)" \
    "not yet: no reports in the last 14 days" "readiness: no reports"
is "$(jq -r .verdict "$J")" not-yet "the page shows the verdict of $D"
is "$(read_dom "$T/all.dom" ready.test | jq -r '."row-verdict"')" ready \
    "the overview row of ready.test says ready"

# No sessions, no rate: "-" in the overview and in the section.
is "$(grep -o 'success-rate">[^<]*' "$T/all.dom" | sort | uniq -c | awk '$2 ~ /">-$/ {print $1}')" 2 \
    "the sections of the two domains without sessions show the success rate as -"
unlike "$(grep -o 'success-rate">[^<]*' "$T/all.dom")" '100' "no 100% for them"
like "$(tr -d '\n' <"$T/all.dom")" 'data-domain="quiet.test">.{0,400}<td class="num rate muted">-</td>' \
    "the overview row of quiet.test shows -"

# Summary output unchanged by the move to lib/rptsum.
like "$($STSCTL report summary $D --days 30)" \
    "^domain $D, last 30 days: 6 reports, " "report summary text still works"

done_testing
