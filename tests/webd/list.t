#!/bin/bash
# tests/webd/list.t - the domain list page of an account with more
# domains than a page holds: 100 a page in byte order of the names,
# linked by the cursor after=NAME, each domain once; a bad cursor is 400
# with the reason; a GET from another site without a cookie sets none.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl
t_need curl

t=$(t_tmpdir)
portal_instance "$t/i" || {
	fail "instance starts"; cat "$t/i/log/stsd.log" 2>/dev/null; done_testing; }
pass "instance with httpd, webd and policyd starts"
seq -w 1 150 | sed 's/.*/c&.example mx.c&.example/' >"$t/import"
$STSCTL domain import "$t/import" >/dev/null
printf 'carol password 333\n' >"$t/pwc"
# shellcheck disable=SC2046
$STSCTL account add carol --email c@c.example --quota 200 --password-file "$t/pwc" \
	$(seq -w 1 150 | sed 's/.*/--domain c&.example/') >/dev/null
is "$(signin "$t/c" carol 'carol password 333')" 303 "carol (150 domains) signs in"

web -b "$t/c" -o "$t/p1.html" /
is "$(grep -c 'href="/domains/c[0-9]*.example"' "$t/p1.html")" 100 "page 1: 100 domains"
next=$(sed -n 's/.*class="page-next" rel="next" href="\([^"]*\)".*/\1/p' "$t/p1.html")
is "$next" "/?after=c100.example" "... and a link to the next page, after its last name"
web -b "$t/c" -o "$t/p2.html" "$next"
is "$(grep -c 'href="/domains/c[0-9]*.example"' "$t/p2.html")" 50 "page 2: the other 50"
unlike "$(cat "$t/p2.html")" 'page-next' "... and no next page"
is "$(cat "$t/p1.html" "$t/p2.html" | grep -o 'href="/domains/c[0-9]*.example"' | sort -u | wc -l)" 150 \
	"each of the 150 domains once"
is "$(grep -o 'href="/domains/c[0-9]*.example"' "$t/p1.html" | head -1)" 'href="/domains/c001.example"' \
	"... in byte order of the names"
is "$(web -b "$t/c" -o "$t/bad" -w '%{http_code}' '/?after=%0a')" 400 "a cursor that is no domain name: 400"
like "$(cat "$t/bad")" '^400 Bad Request: after ' "... saying which parameter"
is "$(web -b "$t/c" -o /dev/null -w '%{http_code}' "/?after=$(printf 'x%.0s' $(seq 300))")" 400 \
	"a cursor of 300 bytes: 400"

# A browser that comes from another site sends no SameSite=Strict
# cookie: webd does not answer with a visitor's cookie that would
# replace the session, but with a page that loads itself again.
head=$(web -H 'Sec-Fetch-Site: cross-site' -D - -o "$t/x.html" /domains/c001.example)
like "$head" '^HTTP/1.1 200 OK' "a GET from another site without a cookie: 200"
unlike "$head" 'Set-Cookie' "... without a cookie"
like "$(cat "$t/x.html")" '<meta http-equiv="refresh" content="0">' "... a page that loads itself again"
is "$(web -b "$t/c" -H 'Sec-Fetch-Site: same-origin' -o /dev/null -w '%{http_code}' /domains/c001.example)" \
	200 "the same page with the session: the domain"
head=$(web -H 'Sec-Fetch-Site: same-origin' -D - -o /dev/null /)
like "$head" 'Set-Cookie: stsd_session=' "a GET of this site without a cookie: the sign-in form's session"
portal_sanitizers
done_testing
