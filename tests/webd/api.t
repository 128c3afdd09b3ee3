# tests/webd/api.t - the JSON API through the real httpd, webd and
# policyd: bearer tokens (none, bad, revoked: 401 with WWW-Authenticate),
# GET /api/v1/domains and /api/v1/domains/{domain} scoped to the token's
# account (404 for another's domain, the same as for one not hosted),
# the OpenAPI 3.1 document and the live answers checked against it.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl
t_need curl python3 jq

t=$(t_tmpdir)
portal_instance "$t/i" || {
	fail "instance starts"; cat "$t/i/log/stsd.log" 2>/dev/null; done_testing; }
pass "instance with httpd, webd and policyd starts"

api() { web -H "Authorization: Bearer $1" "${@:2}"; }

# No token, a bad one, another scheme.
head=$(web -D - -o "$t/body" /api/v1/domains)
like "$head" '^HTTP/1.1 401 ' "no token: 401"
like "$head" $'WWW-Authenticate: Bearer realm="stsd"\r' "... WWW-Authenticate: Bearer"
is "$(jq -r .error "$t/body")" "a bearer token is needed" "... a JSON error"
head=$(api stsd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA -D - -o /dev/null /api/v1/domains)
like "$head" '^HTTP/1.1 401 ' "an unknown token: 401"
like "$head" 'WWW-Authenticate: Bearer realm="stsd", error="invalid_token"' "... error=invalid_token"
is "$(web -u "alice:$PW_A" -o /dev/null -w '%{http_code}' /api/v1/domains)" 401 \
	"basic authentication is no token: 401"
is "$(web -H "Authorization: Bearer $(printf 'x\001y')" -o /dev/null -w '%{http_code}' \
	/api/v1/domains)" 400 "a token with a control character: 400 from httpd's parser"

# The account's domains.
api "$TOK_A" -o "$t/a.json" /api/v1/domains
is "$(jq -r '[.[].domain] | join(" ")' "$t/a.json")" "a.example a2.example" \
	"alice's token: her domains, each with a domain member"
is "$(jq -r '.[0].mode' "$t/a.json")" testing "... with the mode"
is "$(api "$TOK_A" /api/v1/domains/a.example | jq -r .domain)" a.example \
	"GET /api/v1/domains/a.example with alice's token"
is "$(api "$TOK_A" /api/v1/domains/A.EXAMPLE. | jq -r .domain)" a.example \
	"... the name in any case, with a trailing dot"
is "$(api "$TOK_A" /api/v1/domains/a.example | jq -r 'keys | join(" ")')" \
	"created domain max_age mode mx policy_host policy_id state updated" \
	"a domain's members: those of the document, not policyd's internals"
is "$(api "$TOK_B" /api/v1/domains | jq -r '[.[].domain] | join(" ")')" b.example \
	"bob's token: only b.example"

# Tenant isolation: bob's token gets 404 for alice's domains, alike.
for d in a.example a2.example c.example nosuch.example 'a.example%2f..' "$(printf 'x%.0s' $(seq 300))"; do
	is "$(api "$TOK_B" -o "$t/x" -w '%{http_code}' "/api/v1/domains/$d")" 404 \
		"bob's token: /api/v1/domains/${d:0:40}: 404"
done
is "$(api "$TOK_B" /api/v1/domains/a.example)" "$(api "$TOK_B" /api/v1/domains/nosuch.example)" \
	"alice's domain and one not hosted: the same answer"
is "$(api "$TOK_B" -o /dev/null -w '%{http_code}' -X PUT /api/v1/domains)" 405 \
	"PUT /api/v1/domains: 405"
is "$(api "$TOK_A" -o /dev/null -w '%{http_code}' /api/v1/nosuch)" 404 "another API path: 404"

# A revoked token.
id=$($STSCTL account token bob --list | awk 'NR == 2 { print $1 }')
$STSCTL account token bob --revoke "$id" >/dev/null
is "$(api "$TOK_B" -o /dev/null -w '%{http_code}' /api/v1/domains)" 401 "a revoked token: 401"

# The OpenAPI document, and the answers checked against it.
head=$(web -D - -o "$t/openapi.json" /api/v1/openapi.json)
like "$head" '^HTTP/1.1 200 ' "GET /api/v1/openapi.json: 200 without a token"
like "$head" $'Content-Type: application/json\r' "... application/json"
is "$(jq -r .openapi "$t/openapi.json")" 3.1.0 "OpenAPI 3.1"
is "$(jq -r '.paths | keys | join(" ")' "$t/openapi.json")" "/audit /domains /domains/{domain} /domains/{domain}/alerts /domains/{domain}/alerts/{id} /domains/{domain}/checks /domains/{domain}/records" \
	"... every route"
if python3 -c 'import openapi_spec_validator' 2>/dev/null; then
	ok "openapi-spec-validator accepts it" python3 -c '
import json, sys
from openapi_spec_validator import validate
validate(json.load(open(sys.argv[1])))' "$t/openapi.json"
else
	pass "# skip: openapi-spec-validator is not installed (not in Debian 12)"
fi
api "$TOK_A" -o "$t/one.json" /api/v1/domains/a.example
api "$TOK_B" -o "$t/err.json" /api/v1/domains/a.example
ok "the live answers have the members the document requires" python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
s = doc["components"]["schemas"]
def check(obj, schema):
    assert isinstance(obj, dict), obj
    for k in schema["required"]:
        assert k in obj, (k, obj)
    if schema.get("additionalProperties") is False:
        extra = set(obj) - set(schema["properties"])
        assert not extra, ("members not in the document", extra)
    for k, p in schema["properties"].items():
        if k in obj and p.get("type") == "string":
            assert isinstance(obj[k], str), (k, obj)
        if k in obj and "enum" in p:
            assert obj[k] in p["enum"], (k, obj)
lst = json.load(open(sys.argv[2]))
assert isinstance(lst, list) and lst
for d in lst:
    check(d, s["Domain"])
check(json.load(open(sys.argv[3])), s["Domain"])
check(json.load(open(sys.argv[4])), s["Error"])
' "$t/openapi.json" "$t/a.json" "$t/one.json" "$t/err.json"
portal_sanitizers
done_testing
