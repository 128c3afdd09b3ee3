#!/bin/bash
# tests/webd/browser_security.t - the portal's defences in a real
# browser (headless Chromium, chromium-driver, python3-selenium;
# tests/webd/browser_security.py): the session cookie's flags and a new
# id at sign-in (an id known before is worth nothing after: fixation);
# a sign-out form on another site (http://evil.test, a python3
# http.server on loopback) does not sign out, nor does a POST of the
# portal's own origin without the CSRF token (403); bob's browser gets
# 404 for every report page of alice's domain and her report id, and
# downloads nothing; sign-in attempts past portal_signin_limit get 429.
# Screenshots in $BUILDDIR/tests/logs/webd-browser/sec-*.png.  Skipped,
# with the reason, only when Chromium cannot start.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd rptparse master stsctl
t_need curl python3 jq openssl
browser_need

t=$(t_tmpdir)
LIMIT=3
PORTAL_MORE=rptparse portal_start "$t/i" portal_signin_limit=$LIMIT
portal_fixture "$SRCDIR/tests/rptparse/fixtures/google.json" a.example 1
ok "rptparse stores a report of a.example" portal_idle
report=$($STSCTL report list --domain a.example --json | jq -r '.reports[0].id')

# Another site: a page whose script posts a sign-out form to the portal.
EVIL_PORT=$(free_port)
mkdir -p "$t/evil"
cat >"$t/evil/csrf.html" <<HTML
<!DOCTYPE html><html><body>
<form id="f" method="post" action="https://$PORTAL:$HTTPS_PORT/signout">
<input type="hidden" name="csrf" value="guessed"></form>
<script>document.getElementById("f").submit();</script></body></html>
HTML
"$PY" -m http.server --bind 127.0.0.1 --directory "$t/evil" "$EVIL_PORT" \
	>"$t/evil.log" 2>&1 &
evil_pid=$!
at_exit kill "$evil_pid"
wait_until 10 curl -sf -o /dev/null "http://127.0.0.1:$EVIL_PORT/csrf.html" ||
	fail "the other site answers"

browser_run browser_security.py bob "$PW_B" "evil=http://evil.test:$EVIL_PORT/csrf.html" \
	other=a.example "report=$report" "limit=$LIMIT"
like "$(cat "$t/evil.log")" 'GET /csrf.html' "the browser went to the other site"
like "$(grep 'webd' "$I/log/stsd.log" 2>/dev/null || cat "$I"/log/* 2>/dev/null)" \
	'refused: no valid CSRF token' "webd logs the POST without a CSRF token"
portal_sanitizers
done_testing
