#!/bin/bash
# tests/webd/browser.t - the portal in a real browser: headless Chromium
# (Debian chromium, chromium-driver, python3-selenium) through httpd
# over TLS signs in, reads the domain list, opens a domain, its
# dashboard, its reports and one report, downloads the CSV and checks
# it, creates an API token when the portal has a token page, and signs
# out (tests/webd/browser.py).  portal.example is resolved to 127.0.0.1
# by Chromium's --host-resolver-rules; the certificate is accepted with
# --ignore-certificate-errors-spki-list naming the test CA's public key
# only (a chain of any other CA still fails).  A screenshot of each page
# is kept in $BUILDDIR/tests/logs/webd-browser/.  Skipped, with the
# reason, only when Chromium cannot start.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd rptparse master stsctl
t_need curl python3 jq openssl
browser_need

t=$(t_tmpdir)
PORTAL_MORE=rptparse portal_start "$t/i"

day() { date -u -d "-$1 days" +%Y-%m-%d; }
for f in google microsoft; do
	for i in 1 2; do
		portal_fixture "$SRCDIR/tests/rptparse/fixtures/$f.json" a.example "$i" "$f-$i"
	done
done
# A hostile sender: markup where the pages show text.
jq -n -c --arg s "$(day 1)T00:00:00Z" --arg e "$(day 1)T23:59:59Z" '{
    "organization-name": "<script>document.title=\"owned\"</script>=1+1",
    "date-range": {"start-datetime": $s, "end-datetime": $e},
    "contact-info": "x@evil.example", "report-id": "<img src=x onerror=alert(1)>",
    "policies": [{"policy": {"policy-type": "sts", "policy-string": ["version: STSv1"],
        "policy-domain": "a.example", "mx-host": ["mx.a.example"]},
      "summary": {"total-successful-session-count": 3, "total-failure-session-count": 1},
      "failure-details": [{"result-type": "starttls-not-supported",
        "receiving-mx-hostname": "mx.a.example", "failed-session-count": 1,
        "additional-information": "<script>alert(2)</script>"}]}]}' >"$t/evil.json"
portal_report "$t/evil.json"
ok "rptparse stores the reports" portal_idle
ids=$($STSCTL report list --domain a.example --json | jq -r '[.reports[].id] | sort_by(.) | join(" ")')
sessions=$($STSCTL report summary a.example --days 30 --json | jq .sessions)

rm -rf "$BUILDDIR/tests/logs/webd-browser" "$t/dl"
browser_run browser.py alice "$PW_A" domains=a.example,a2.example domain=a.example \
	"sessions=$sessions" reports=5 "ids=$ids"
ok "a screenshot of each page is kept in $shots" test -s "$shots/04-dashboard.png"
portal_sanitizers
done_testing
