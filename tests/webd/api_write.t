# tests/webd/api_write.t - the API's changes through the real httpd,
# webd and policyd: adding a domain (pending, with its TXT proof), its
# records and checks, a check asked for, mode, max_age and MX changes
# (a new policy id, mode enforce refused by the readiness verdict unless
# confirmed), removal, the audit log with the client address; read-only
# tokens refused (403) on every change; bob's token against alice's
# domains (404 every time, nothing changed in policy.db); adding a domain
# hosted by another account or by the operator (one answer, the reason in
# "stsctl audit"); the quota; hostile input (control characters, NUL,
# newlines, 100 KB values, 10^6 MX patterns, max_age 2^63 and -1, a 10 MB
# body, a flood of adds); the live answers against the OpenAPI document.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl
t_need curl python3 jq

t=$(t_tmpdir)
portal_start "$t/i" portal_default_quota=5
TOK_AR=$($STSCTL account token alice --read-only)

show() { $STSCTL domain show "$1" --json | jq -c "$2"; }

# Add: pending, with the proof; policyd has it for alice.
is "$(send "$TOK_A" POST /api/v1/domains '{"domain": "New1.Example", "mx": ["mx.new1.example"]}')" 201 \
	"POST /api/v1/domains: 201"
cp "$t/out" "$t/added.json"
is "$(jq -r .domain.domain "$t/out") $(jq -r .domain.state "$t/out")" "new1.example pending" \
	"... the domain, lower case, pending"
proof=$(jq -r .proof.value "$t/out")
like "$proof" '^stsd-verify=[0-9a-f]{32}$' "... its proof: stsd-verify= and 128 random bits"
is "$(jq -r .proof.name "$t/out") $(jq -r .proof.type "$t/out")" "_stsd-verify.new1.example. TXT" \
	"... to publish as TXT _stsd-verify.new1.example."
is "$(show new1.example .domain.state)" '"pending"' "stsctl domain show: pending"
like "$($STSCTL account show alice)" 'new1\.example' "... and it is alice's"

# Records and checks.
is "$(send "$TOK_A" GET /api/v1/domains/new1.example/records)" 200 "GET .../records: 200"
cp "$t/out" "$t/records.json"
is "$(jq -r '.proof[0].value' "$t/out")" "$proof" "... the proof record first"
is "$(jq -r '.delegated[] | select(.name == "mta-sts.new1.example.") | .type' "$t/out")" CNAME \
	"... and the delegation CNAME records"
is "$(send "$TOK_A" POST /api/v1/domains/new1.example/checks)" 202 "POST .../checks: 202"
is "$(jq -r .domain "$t/out")" new1.example "... names the domain"
is "$(send "$TOK_A" GET /api/v1/domains/new1.example/checks)" 200 "GET .../checks: 200"
cp "$t/out" "$t/checks.json"
is "$(jq -r '.checks | type' "$t/out")" array "... a list of checks"

# Changes: the same rules and ids as stsctl.
id0=$(show a.example .domain.policy_id)
is "$(send "$TOK_A" PATCH /api/v1/domains/a.example '{"max_age": 86400, "mx": ["mx.a.example", "*.mx.a.example"]}')" 200 \
	"PATCH a.example max_age, mx: 200"
cp "$t/out" "$t/changed.json"
is "$(show a.example '[.domain.max_age, .domain.mx]')" '[86400,["mx.a.example","*.mx.a.example"]]' \
	"... policy.db has them"
ok "... with a new policy id" [ "$(show a.example .domain.policy_id)" \> "$id0" ]
is "$(send "$TOK_A" POST /api/v1/domains/a.example '{"max_age": 3600}')" 200 "POST a.example: the same as PATCH"
is "$(send "$TOK_A" PATCH /api/v1/domains/a.example '{"mode": "enforce"}')" 409 \
	"mode enforce while the verdict is not yet: 409"
is "$(jq -r .readiness.verdict "$t/out")" not-yet "... with the readiness verdict"
is "$(show a.example .domain.mode)" '"testing"' "... nothing changed"
is "$(send "$TOK_A" PATCH /api/v1/domains/a.example '{"mode": "enforce", "confirm": true}')" 200 \
	"... confirmed: 200"
is "$(show a.example .domain.mode)" '"enforce"' "... mode enforce"
is "$(send "$TOK_A" PATCH /api/v1/domains/a.example '{"mode": "none", "mx": []}')" 200 \
	"mode none without mx patterns: 200 (policyd allows it)"
is "$(send "$TOK_A" PATCH /api/v1/domains/a.example '{"mode": "testing", "mx": []}')" 400 \
	"mode testing without mx patterns: 400"
like "$(jq -r .error "$t/out")" 'at least one mx pattern is needed' "... policyd's reason"
send "$TOK_A" PATCH /api/v1/domains/a.example '{"mode": "testing", "mx": ["mx.a.example"]}' >/dev/null

# Read-only tokens.
for req in "POST /api/v1/domains" "PATCH /api/v1/domains/a.example" "POST /api/v1/domains/a.example" \
	"DELETE /api/v1/domains/a.example" "POST /api/v1/domains/a.example/checks"; do
	is "$(send "$TOK_AR" $req '{"domain": "ro.example", "max_age": 1}')" 403 "read-only token: $req: 403"
done
is "$(send "$TOK_AR" GET /api/v1/domains/a.example/records)" 200 "read-only token: GET .../records: 200"
is "$(show a.example .domain.max_age)" 3600 "the read-only token changed nothing"

# Tenant isolation: bob's token and alice's domains.
before=$($STSCTL domain show a.example --json | jq -c .domain.policy_id; $STSCTL domain show new1.example --json | jq -c .domain.policy_id)
for d in a.example new1.example A.EXAMPLE. c.example nosuch.example; do
	for req in "GET /api/v1/domains/$d/records" "GET /api/v1/domains/$d/checks" \
		"POST /api/v1/domains/$d/checks" "PATCH /api/v1/domains/$d" \
		"POST /api/v1/domains/$d" "DELETE /api/v1/domains/$d"; do
		is "$(send "$TOK_B" $req '{"mode": "none", "mx": []}')" 404 "bob: $req: 404"
	done
done
is "$(send "$TOK_B" DELETE /api/v1/domains/a.example)$(cat "$t/out")" \
	"$(send "$TOK_B" DELETE /api/v1/domains/nosuch.example)$(cat "$t/out")" \
	"bob: alice's domain and none: the same answer"
is "$(send "$TOK_B" PATCH /api/v1/domains/b.example '{"domain": "a.example", "max_age": 1234}')" 200 \
	"bob: PATCH of his domain with alice's in the body: 200"
is "$(show b.example .domain.max_age)" 1234 "... the body's domain is ignored: b.example changed"
after=$($STSCTL domain show a.example --json | jq -c .domain.policy_id; $STSCTL domain show new1.example --json | jq -c .domain.policy_id)
is "$after" "$before" "policy.db: nothing changed by bob's requests"
is "$(send "$TOK_B" POST /api/v1/domains '{"domain": "a.example", "mx": ["mx.b.example"]}')" 403 \
	"bob adds alice's domain: 403"
taken=$(cat "$t/out")
is "$(jq -r .error "$t/out")" "this domain cannot be added here; ask the operator" "... the message"
is "$(send "$TOK_B" POST /api/v1/domains '{"domain": "c.example", "mx": ["mx.b.example"]}')$(cat "$t/out")" \
	"403$taken" "bob adds the operator's domain: the same answer"
is "$(send "$TOK_B" POST /api/v1/domains '{"domain": "new1.example", "mx": ["mx.b.example"]}')$(cat "$t/out")" \
	"403$taken" "bob adds alice's pending domain: the same answer"
audit=$($STSCTL audit --json 2>/dev/null || $STSCTL audit)
like "$audit" 'hosted for account alice \(state active\)' "stsctl audit: the reason for the operator"
like "$audit" 'hosted by the operator \(state active\)' "... both reasons"
send "$TOK_B" GET /api/v1/audit >/dev/null
unlike "$(cat "$t/out")" 'refused|alice' "bob's audit log: nothing of alice's, no reason"

# Hostile input.
for body in '{"domain": "a\u0001b.example", "mx": ["mx.x.example"]}' \
	'{"domain": "a\nb.example", "mx": ["mx.x.example"]}' \
	'{"domain": "ab.example\u0000.evil", "mx": ["mx.x.example"]}' \
	'{"domain": "ok.example", "mx": ["mx\u0000.x.example"]}' \
	'{"domain": "ok.example", "mx": ["mx.x.example"], "max_age": 9223372036854775808}' \
	'{"domain": "ok.example", "mx": ["mx.x.example"], "max_age": -1}' \
	'{"domain": "ok.example", "mx": "mx.x.example"}' \
	'{"domain": 7}' '["ok.example"]' 'not json' '{"domain": "ok.example", "domain": "x.example"}'; do
	is "$(send "$TOK_A" POST /api/v1/domains "$body")" 400 "POST ${body:0:60}: 400"
done
is "$(send "$TOK_A" PATCH /api/v1/domains/a.example '{"max_age": -1}')" 400 "max_age -1: 400"
like "$(jq -r .error "$t/out")" 'max_age -1: out of range' "... policyd's reason"
python3 -c 'import json; print(json.dumps({"domain": "big.example", "mx": ["x" * 100000]}))' >"$t/big"
is "$(api "$TOK_A" -X POST --data-binary @"$t/big" -o /dev/null -w '%{http_code}' /api/v1/domains)" 413 \
	"a 100 KB value: 413 (portal_body_limit)"
python3 -c 'import json; print(json.dumps({"domain": "big.example", "mx": ["m%d.x.example" % i for i in range(1000000)]}))' >"$t/many"
is "$(api "$TOK_A" -X POST --data-binary @"$t/many" -o /dev/null -w '%{http_code}' /api/v1/domains)" 413 \
	"10^6 MX patterns: 413"
python3 -c 'import json; print(json.dumps({"domain": "big.example", "mx": ["m%d.x.example" % i for i in range(101)]}))' >"$t/101"
is "$(api "$TOK_A" -X POST --data-binary @"$t/101" -o "$t/out" -w '%{http_code}' /api/v1/domains)" 400 \
	"101 MX patterns: 400"
like "$(jq -r .error "$t/out")" 'at most 100' "... policyd's limit"
head -c 10485760 /dev/zero | tr '\0' ' ' >"$t/10m"
is "$(api "$TOK_A" -X POST --data-binary @"$t/10m" -o /dev/null -w '%{http_code}' /api/v1/domains)" 413 \
	"a 10 MB body: 413"
like "$(api "$TOK_A" -X PATCH -H "Content-Type: application/json" --data-binary '{"mode": "none"}' \
	-o /dev/null -w '%{http_code}' "/api/v1/domains/a.example%0a")" '^(400|404)$' "a newline in the path: refused"
is "$(show a.example .domain.mode)" '"testing"' "... nothing changed"

# The quota (5): a flood of adds stops at it.
codes=""
for i in $(seq 1 12); do
	codes="$codes $(send "$TOK_A" POST /api/v1/domains "{\"domain\": \"f$i.example\", \"mx\": [\"mx.f.example\"]}")"
done
is "$codes" " 201 201 400 400 400 400 400 400 400 400 400 400" \
	"a flood of 12 adds: 201 up to the quota of 5 (3 held), 400 after"
like "$(jq -r .error "$t/out")" 'account alice: its quota of 5 domains is reached' "... the message"
is "$($STSCTL account show alice --json | jq .account.domain_count)" 5 "alice has 5 domains"

# Removal: a pending domain goes at once; the reply explains.
is "$(send "$TOK_A" DELETE /api/v1/domains/f1.example)" 200 "DELETE a pending domain: 200"
cp "$t/out" "$t/removed.json"
is "$(jq -r .removed "$t/out")" true "... removed at once"
like "$(jq -r .explanation "$t/out")" 'never published' "... and why"
is "$(send "$TOK_A" DELETE /api/v1/domains/a.example)" 200 "DELETE an active domain: 200"
is "$(jq -r '.removed, .domain.state, .domain.mode' "$t/out" | tr '\n' ' ')" "false retiring none " \
	"... it retires: mode none"
like "$(jq -r .explanation "$t/out")" 'until it expires, at the latest [0-9-]+T' "... until when, explained"

# The audit log: every change, with the client address.
is "$(send "$TOK_A" GET /api/v1/audit)" 200 "GET /api/v1/audit: 200"
cp "$t/out" "$t/audit.json"
is "$(jq -r '[.entries[] | select(.actor == "alice") | .action] | unique | join(" ")' "$t/out")" \
	"domain-add domain-del domain-set" "the audit log: alice's adds, changes and removals"
is "$(jq -r '[.entries[] | select(.actor == "alice") | .from] | unique | join(" ")' "$t/out")" 127.0.0.1 \
	"... each from the client address"
is "$(send "$TOK_A" GET '/api/v1/audit?after=x')" 400 "?after=x: 400"

# The OpenAPI document: every route, and the answers against it.
web -o "$t/openapi.json" /api/v1/openapi.json
# (tests/webd/api.t checks the whole list of routes.)
is "$(jq -r '[.paths | keys[] | select(. == "/audit" or . == "/domains"
	or . == "/domains/{domain}" or . == "/domains/{domain}/alerts"
	or . == "/domains/{domain}/alerts/{id}"
	or . == "/domains/{domain}/checks"
	or . == "/domains/{domain}/records")] | join(" ")' "$t/openapi.json")" \
	"/audit /domains /domains/{domain} /domains/{domain}/alerts /domains/{domain}/alerts/{id} /domains/{domain}/checks /domains/{domain}/records" \
	"openapi.json: every route of the changes"
ok "the live answers match the document's schemas" python3 "$SRCDIR/tests/webd/oascheck.py" \
	"$t/openapi.json" "$t/added.json=Added" "$t/records.json=Records" "$t/checks.json=Checks" \
	"$t/changed.json=Domain" "$t/removed.json=Removed" "$t/audit.json=AuditPage"
# (tests/webd/api.t validates the document itself.)
portal_sanitizers
done_testing
