# tests/webd/api.t - the JSON API through the real httpd, webd and
# policyd: bearer tokens (none, bad, revoked: 401 with WWW-Authenticate),
# GET /api/v1/domains and /api/v1/domains/{domain} scoped to the token's
# account (404 for another's domain, the same as for one not hosted),
# the OpenAPI 3.1 document and the live answers checked against it.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd rptparse master stsctl
t_need curl python3 jq

t=$(t_tmpdir)
PORTAL_MORE=rptparse portal_start "$t/i"


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
revoked() { [ "$(api "$TOK_B" -o /dev/null -w '%{http_code}' /api/v1/domains)" = 401 ]; }
ok "a revoked token: 401 (within the second webd keeps an accepted one)" wait_until 5 revoked

# The OpenAPI document, and the answers checked against it.
head=$(web -D - -o "$t/openapi.json" /api/v1/openapi.json)
like "$head" '^HTTP/1.1 200 ' "GET /api/v1/openapi.json: 200 without a token"
like "$head" $'Content-Type: application/json\r' "... application/json"
is "$(jq -r .openapi "$t/openapi.json")" 3.1.0 "OpenAPI 3.1"
is "$(jq -r '.paths | keys | join(" ")' "$t/openapi.json")" \
	"/audit /domains /domains/{domain} /domains/{domain}/alerts /domains/{domain}/alerts/{id} /domains/{domain}/checks /domains/{domain}/export.csv /domains/{domain}/export.json /domains/{domain}/records /domains/{domain}/reports /domains/{domain}/reports/{id} /domains/{domain}/summary" \
	"... every route"
ok "a valid OpenAPI 3.1 document (tests/webd/oasvalid.py, JSON Schema 2020-12)" \
	python3 "$SRCDIR/tests/webd/oasvalid.py" "$t/openapi.json"
if python3 -c 'import openapi_spec_validator' 2>/dev/null; then
	ok "openapi-spec-validator accepts it" python3 -c '
import json, sys
from openapi_spec_validator import validate
validate(json.load(open(sys.argv[1])))' "$t/openapi.json"
else
	pass "# skip: openapi-spec-validator is not installed (not in Debian 12; oasvalid.py checked it)"
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

# A domain taken from an account, the account disabled: within a second.
$STSCTL account set alice --remove-domain a2.example >/dev/null
gone() { [ "$(api "$TOK_A" -o /dev/null -w '%{http_code}' /api/v1/domains/a2.example)" = 404 ]; }
ok "a domain taken from alice: 404 (within the second webd keeps an account)" wait_until 5 gone
$STSCTL account set alice --add-domain a2.example >/dev/null

# The report routes: their live answers against the document's schemas.
portal_fixture "$SRCDIR/tests/rptparse/fixtures/microsoft.json" a.example 1
ok "rptparse stores a report of a.example" portal_idle
api "$TOK_A" -o "$t/page.json" '/api/v1/domains/a.example/reports?limit=1'
id=$(jq -r '.reports[0].id' "$t/page.json")
api "$TOK_A" -o "$t/report.json" "/api/v1/domains/a.example/reports/$id"
api "$TOK_A" -o "$t/summary.json" '/api/v1/domains/a.example/summary?days=7'
api "$TOK_A" -o "$t/export.json" '/api/v1/domains/a.example/export.json'
api "$TOK_A" -o "$t/bad.json" '/api/v1/domains/a.example/reports?limit=1000'
api "$TOK_B" -o "$t/nf.json" "/api/v1/domains/a.example/reports/$id"
is "$(jq -r '.reports | length' "$t/page.json")" 1 "GET .../reports?limit=1: one report"
ok "the report routes' answers match the document (jsonschema)" python3 -c '
import json, sys
from jsonschema import Draft202012Validator
doc = json.load(open(sys.argv[1]))
def check(file, ref):
    schema = {"$ref": ref, "components": doc["components"]}
    Draft202012Validator(schema).validate(json.load(open(file)))
s = "#/components/schemas/"
check(sys.argv[2], s + "ReportPage")
check(sys.argv[3], s + "Report")
check(sys.argv[4], s + "Summary")
for r in json.load(open(sys.argv[5])):
    Draft202012Validator({"$ref": s + "Report", "components": doc["components"]}).validate(r)
check(sys.argv[6], s + "Error")
check(sys.argv[7], s + "Error")
' "$t/openapi.json" "$t/page.json" "$t/report.json" "$t/summary.json" "$t/export.json" \
	"$t/bad.json" "$t/nf.json"
portal_sanitizers
done_testing
