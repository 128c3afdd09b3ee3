#!/bin/bash
# tests/webd/alerts.t - alert subscriptions of a domain in the portal
# and the API, through the real httpd, webd and policyd: listed, added
# and removed by alice on her domain's manage page (CSRF on each form)
# and with her token; bad targets refused with policyd's reason (a
# webhook on a private address, http://, CR/LF in an address, 100 KB);
# a read-only token 403; bob's session and token get 404 for alice's
# domain's subscriptions, ids included, and change nothing; the answers
# match the OpenAPI document.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl
t_need curl python3 jq

t=$(t_tmpdir)
portal_start "$t/i" "alert_webhook_private_networks=127.0.0.0/8 ::1/128"
TOK_AR=$($STSCTL account token alice --read-only)

count() { $STSCTL alert list "$1" --json | jq '.subscriptions | length'; }

# 1. The API.
is "$(send "$TOK_A" GET /api/v1/domains/a.example/alerts)" 200 "GET .../alerts: 200"
is "$(jq -c '[.domain, .subscriptions]' "$t/out")" '["a.example",[]]' "... none yet"
is "$(send "$TOK_A" POST /api/v1/domains/a.example/alerts '{"kind": "mail", "target": "ops@a.example"}')" 201 \
	"POST a mail address: 201"
cp "$t/out" "$t/added.json"
ID1=$(jq .id "$t/out")
is "$(jq -r '[.kind, .target, .account] | join(" ")' "$t/out")" "mail ops@a.example alice" "... the subscription, by alice"
is "$(send "$TOK_A" POST /api/v1/domains/a.example/alerts '{"kind": "webhook", "target": "https://localhost/hook"}')" 201 \
	"POST a webhook on a network of alert_webhook_private_networks: 201"
ID2=$(jq .id "$t/out")
is "$(send "$TOK_A" GET /api/v1/domains/a.example/alerts)" 200 "GET .../alerts: 200"
cp "$t/out" "$t/list.json"
is "$(jq -r '[.subscriptions[].target] | join(" ")' "$t/out")" "ops@a.example https://localhost/hook" "... both"
like "$($STSCTL audit --domain a.example)" "alice +127\.0\.0\.1 +alert-add +a\.example" "alice's changes in the audit log, with her address"

badreq() {
	is "$(send "$TOK_A" POST /api/v1/domains/a.example/alerts "$1")" 400 "$3: 400"
	like "$(jq -r .error "$t/out")" "$2" "... $3: policyd's reason"
}
badreq '{"kind": "webhook", "target": "https://10.1.2.3/x"}' \
	'^webhook host 10\.1\.2\.3: 10\.1\.2\.3 is a private address, not a public one' "a webhook on a private address"
badreq '{"kind": "webhook", "target": "http://localhost/x"}' 'not https://' "an http:// webhook"
badreq '{"kind": "mail", "target": "a@a.example\r\nBcc: x@evil.example"}' 'one address local@domain' "CR/LF in an address"
badreq '{"kind": "mail", "target": "\"Ops\" <ops@a.example>"}' 'one address local@domain' "a display name"
badreq '{"kind": "sms", "target": "123"}' '^kind: mail or webhook$' "another kind"
python3 -c 'import json; print(json.dumps({"kind": "webhook", "target": "https://localhost/" + "a" * 102400}))' >"$t/big.json"
is "$(send "$TOK_A" POST /api/v1/domains/a.example/alerts "@$t/big.json")" 413 "a 100 KB URL: 413, over portal_body_limit"
python3 -c 'import json; print(json.dumps({"kind": "webhook", "target": "https://localhost/" + "a" * 3000}))' >"$t/long.json"
is "$(send "$TOK_A" POST /api/v1/domains/a.example/alerts "@$t/long.json")" 400 "a 3000-byte URL: 400"
like "$(jq -r .error "$t/out")" 'longer than 2048 bytes' "... its length"
is "$(count a.example)" 2 "nothing bad stored"

# 2. Read-only tokens and another tenant.
is "$(send "$TOK_AR" POST /api/v1/domains/a.example/alerts '{"kind": "mail", "target": "x@a.example"}')" 403 \
	"read-only token: POST .../alerts: 403"
is "$(send "$TOK_AR" DELETE /api/v1/domains/a.example/alerts/$ID1)" 403 "read-only token: DELETE .../alerts/ID: 403"
is "$(send "$TOK_AR" GET /api/v1/domains/a.example/alerts)" 200 "read-only token: GET .../alerts: 200"
is "$(send "$TOK_B" GET /api/v1/domains/a.example/alerts)" 404 "bob: GET alice's .../alerts: 404"
is "$(send "$TOK_B" POST /api/v1/domains/a.example/alerts '{"kind": "mail", "target": "b@b.example"}')" 404 \
	"bob: POST alice's .../alerts: 404"
is "$(send "$TOK_B" DELETE /api/v1/domains/a.example/alerts/$ID1)" 404 "bob: DELETE alice's .../alerts/ID: 404"
is "$(send "$TOK_B" DELETE /api/v1/domains/b.example/alerts/$ID1)" 404 "bob: alice's id under his own domain: 404"
is "$(jq -r .error "$t/out")" "no such subscription" "... no such subscription"
is "$(send "$TOK_B" GET /api/v1/domains/c.example/alerts)" 404 "bob: a domain of nobody: 404"
is "$(count a.example)" 2 "bob changed nothing"
is "$(send "$TOK_A" DELETE /api/v1/domains/a.example/alerts/$ID2)" 200 "alice: DELETE .../alerts/ID: 200"
cp "$t/out" "$t/removed.json"
is "$(jq -r .target "$t/out")" "https://localhost/hook" "... the subscription removed"
is "$(send "$TOK_A" DELETE /api/v1/domains/a.example/alerts/$ID2)" 404 "again: 404"
is "$(send "$TOK_A" PUT /api/v1/domains/a.example/alerts)" 405 "PUT .../alerts: 405"

# 3. The portal: the manage page, its forms, CSRF, bob's session.
jar=$t/alice
is "$(signin "$jar" alice "$PW_A")" 303 "alice signs in"
web -c "$jar" -b "$jar" -o "$t/manage.html" /domains/a.example/manage
like "$(cat "$t/manage.html")" "<h2>Alerts</h2>" "the manage page has an Alerts section"
like "$(cat "$t/manage.html")" "<td>$ID1</td><td>mail</td><td>ops@a\.example</td><td>alice</td>" "... listing ops@a.example"
tok=$(csrf "$t/manage.html")
post() { web -c "$1" -b "$1" -o "$t/post.html" -w '%{http_code}' "${@:3}" "$2"; }
is "$(post "$jar" /domains/a.example/alerts --data-urlencode "csrf=$tok" --data-urlencode kind=mail \
	--data-urlencode 'target=team@a.example')" 303 "subscribe form: 303 to the manage page"
is "$($STSCTL alert list a.example --json | jq -r '.subscriptions[-1].target')" team@a.example "... stored"
is "$(post "$jar" /domains/a.example/alerts --data-urlencode "csrf=bad" --data-urlencode kind=mail \
	--data-urlencode 'target=x@a.example')" 403 "subscribe form without its CSRF token: 403"
is "$(post "$jar" /domains/a.example/alerts --data-urlencode "csrf=$tok" --data-urlencode kind=webhook \
	--data-urlencode 'target=https://<script>alert(1)</script>.example/')" 400 "a hostile webhook: 400"
unlike "$(cat "$t/post.html")" "<script>" "... the reason rendered inert"
ID3=$($STSCTL alert list a.example --json | jq '.subscriptions[-1].id')
jarb=$t/bob
is "$(signin "$jarb" bob "$PW_B")" 303 "bob signs in"
web -c "$jarb" -b "$jarb" -o "$t/bob.html" /domains/b.example/manage
tokb=$(csrf "$t/bob.html")
is "$(post "$jarb" /domains/a.example/alerts/remove --data-urlencode "csrf=$tokb" --data-urlencode "id=$ID3")" 404 \
	"bob's session: remove alice's subscription: 404"
is "$(post "$jarb" /domains/b.example/alerts/remove --data-urlencode "csrf=$tokb" --data-urlencode "id=$ID3")" 404 \
	"bob's session: alice's id under his domain: 404"
is "$(post "$jarb" /domains/a.example/alerts --data-urlencode "csrf=$tokb" --data-urlencode kind=mail \
	--data-urlencode 'target=b@b.example')" 404 "bob's session: subscribe to alice's domain: 404"
is "$(count a.example)" 2 "... nothing changed"
is "$(post "$jar" /domains/a.example/alerts/remove --data-urlencode "csrf=$tok" --data-urlencode "id=$ID3")" 303 \
	"alice removes it: 303"
is "$(count a.example)" 1 "... removed"

# 4. The OpenAPI document.
web -o "$t/openapi.json" /api/v1/openapi.json
p=$(jq -r '.paths | [(."/domains/{domain}/alerts" | has("post") and has("get")),
	(."/domains/{domain}/alerts/{id}" | has("delete"))] | all' "$t/openapi.json")
is "$p" true "the document has the alert routes and their methods"
ok "the live answers match the document's schemas" python3 "$SRCDIR/tests/webd/oascheck.py" \
	"$t/openapi.json" "$t/added.json=Alert" "$t/list.json=AlertList" "$t/removed.json=Alert"
portal_sanitizers
done_testing
