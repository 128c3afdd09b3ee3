#!/bin/bash
# tests/webd/list.t - the domain list page of an account with more
# domains than a page holds: 100 a page in byte order of the names,
# linked by the cursor after=NAME, each domain once; a bad cursor is 400
# with the reason; the API's list paged the same way (limit, after, next;
# a bad limit or cursor is 400 with a JSON error); a GET from another
# site without a cookie sets none.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl rptparse
t_need curl jq python3

t=$(t_tmpdir)
PORTAL_MORE=rptparse portal_start "$t/i"
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

# Each domain's readiness verdict and open problems, as the overview of
# stsctl report html: a.example has clean reports of one sender (ready),
# a2.example failures of a major sender (not yet, and the failures are
# open problems).
FIX=$SRCDIR/tests/rptparse/fixtures
report() { portal_fixture "$1" "$2" "$3" "$2-$3"; }
for i in 1 2 3; do
	report "$FIX/google.json" a.example "$i"
	report "$FIX/microsoft.json" a2.example "$i"
done
ok "rptparse stores the reports" portal_idle
is "$(signin "$t/a" alice "$PW_A")" 303 "alice signs in"
web -b "$t/a" -o "$t/alist.html" /
row() { grep -o "<tr class=\"domain-row\"><td><a href=\"/domains/$1\">.*</tr>" "$t/alist.html"; }
like "$(cat "$t/alist.html")" '<th>Ready for enforce</th><th>Open problems</th>' \
	"the list has the columns of the verdict and of the open problems"
like "$(row a.example)" '<td class="verdict" data-verdict="ready">yes</td><td class="problems ok">none</td>' \
	"a.example, clean reports: ready, no open problem"
like "$(row a2.example)" '<td class="verdict" data-verdict="not-yet">[^<]*Microsoft Corporation[^<]*</td>' \
	"a2.example, failures of a major sender: not yet, naming the sender"
like "$(row a2.example)" '<td class="problems fail">12 certificate-host-mismatch</td>' \
	"... and its 12 failed sessions of the week as an open problem"
# The reports' part of a row is kept a minute, for its mode: a change
# of mode shows at once.
is "$(send "$TOK_A" PATCH /api/v1/domains/a.example '{"mode": "enforce"}')" 200 \
	"alice sets a.example, ready, to mode enforce"
web -b "$t/a" -o "$t/alist.html" /
like "$(row a.example)" '<td>enforce</td><td>active</td><td class="verdict" data-verdict="enforced">enforced</td>' \
	"... the list says enforced at once"
is "$(send "$TOK_A" POST /api/v1/domains '{"domain": "p.example", "mx": ["mx.p.example"]}')" 201 \
	"alice adds p.example, pending its proof"
web -b "$t/a" -o "$t/alist.html" /
like "$(row p.example)" '<td class="verdict" data-verdict="not-yet">[^<]+</td><td class="problems fail">state pending</td>' \
	"p.example: not yet, and its state pending is an open problem"

# The API's list, paged the same way: ?limit=N&after=NAME.
tok=$($STSCTL account token carol --read-only)
api "$tok" -o "$t/all.json" /api/v1/domains
is "$(jq -r 'if type == "array" then length else "not an array" end' "$t/all.json")" 150 \
	"GET /api/v1/domains without limit or after: the whole array, as before"
api "$tok" -o "$t/a1.json" '/api/v1/domains?limit=100'
is "$(jq -r '.domains | length' "$t/a1.json")" 100 "GET /api/v1/domains?limit=100: 100 domains"
is "$(jq -r .next "$t/a1.json")" c100.example "... next: the last name of the page"
is "$(jq -r '.domains[0].domain' "$t/a1.json")" c001.example "... in byte order of the names"
api "$tok" -o "$t/a2.json" "/api/v1/domains?limit=100&after=$(jq -r .next "$t/a1.json")"
is "$(jq -r '.domains | length' "$t/a2.json")" 50 "... the next page: the other 50"
is "$(jq -c .next "$t/a2.json")" null "... next null on the last page"
is "$(jq -r '.domains[].domain' "$t/a1.json" "$t/a2.json" | sort -u | wc -l)" 150 \
	"... each of the 150 domains once"
api "$tok" -o "$t/a3.json" '/api/v1/domains?after=C149.EXAMPLE'
is "$(jq -c '[.domains[].domain, .next]' "$t/a3.json")" '["c150.example",null]' \
	"after in any case, limit 100 by default"
api "$tok" -o "$t/a4.json" '/api/v1/domains?limit=7&after=c010.example'
is "$(jq -c '[(.domains | length), .domains[0].domain, .next]' "$t/a4.json")" \
	'[7,"c011.example","c017.example"]' "limit=7&after=c010.example: 7 from c011.example"
for q in limit=0 limit=-1 limit=101 limit=99999999999999999999 limit=abc limit= limit=1e2 \
	'limit=%31' 'after=%0a' "after=$(printf 'x%.0s' $(seq 300))" 'after=a..b' 'after=-x.example'; do
	is "$(api "$tok" -o "$t/bad.json" -w '%{http_code}' "/api/v1/domains?$q")" 400 \
		"GET /api/v1/domains?${q:0:40}: 400"
	like "$(jq -r .error "$t/bad.json")" "^${q%%=*}" "... a JSON error naming ${q%%=*}"
done
ok "the pages and an error match the document (DomainPage, Error)" python3 \
	"$SRCDIR/tests/webd/oascheck.py" <(web /api/v1/openapi.json) \
	"$t/a1.json=DomainPage" "$t/a2.json=DomainPage" "$t/a4.json=DomainPage" "$t/bad.json=Error"

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
