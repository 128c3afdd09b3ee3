# tests/webd/owner.t - the owner's pages through the real httpd, webd and
# policyd: add a domain (the records to publish with the TXT proof, the
# checks, "Check again"), choose the MX hosts and patterns, mode and
# max_age (enforce refused while the verdict is "not yet" unless
# confirmed), remove with the retirement explained, the audit page with
# the client address, API tokens (created once, used, revoked), the MX
# hosts dnsmon found offered as boxes, its messages escaped; CSRF
# refused on every form; bob's session against alice's domains (404 every
# time, nothing changed in policy.db); adding a domain hosted by another
# account or by the operator (the same page); hostile form fields.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl
t_need curl python3 jq

t=$(t_tmpdir)
portal_start "$t/i"

is "$(signin "$t/a" alice "$PW_A")" 303 "alice signs in"
is "$(signin "$t/b" bob "$PW_B")" 303 "bob signs in"
# page JAR PATH: GET, the page in $t/page, the status printed
page() { web -b "$1" -c "$1" -o "$t/page" -w '%{http_code}' "$2"; }
# form JAR PATH field=value...: POST with the session's CSRF token
form() {
	local jar=$1 path=$2 a; shift 2
	web -b "$jar" -c "$jar" -o "$jar.page" / >/dev/null
	local args=(--data-urlencode "csrf=$(csrf "$jar.page")")
	for a in "$@"; do args+=(--data-urlencode "$a"); done
	web -b "$jar" -c "$jar" -D "$t/head" -o "$t/page" -w '%{http_code}' "${args[@]}" "$path"
}
# nocsrf JAR PATH field=value...: the same form without the token
nocsrf() {
	local jar=$1 path=$2 a args=(); shift 2
	for a in "$@"; do args+=(--data-urlencode "$a"); done
	web -b "$jar" -c "$jar" -o "$t/page" -w '%{http_code}' -d x=1 "${args[@]}" "$path"
}
show() { $STSCTL domain show "$1" --json | jq -c "$2"; }

# The links, the add form.
is "$(page "$t/a" /)" 200 "alice's home page"
like "$(cat "$t/page")" '<a href="/add">Add a domain</a>' "... links to the add form"
like "$(cat "$t/page")" '<a href="/audit">Audit log</a>.*<a href="/tokens">API tokens</a>' \
	"... the audit log and the tokens"
is "$(page "$t/a" /add)" 200 "GET /add: 200"
like "$(cat "$t/page")" 'name="csrf" value="[0-9a-f]{64}"' "... a form with the CSRF token"
like "$(cat "$t/page")" 'name="domain".*name="mx".*name="max_age"' "... domain, mx, max_age"

# Add: 303 to its page, which shows the proof, the records, the checks.
is "$(form "$t/a" /add domain=P1.example 'mx=mx1.p1.example mx2.p1.example')" 303 "POST /add: 303"
like "$(cat "$t/head")" $'Location: /domains/p1.example/manage\r' "... to the domain's page"
is "$(show p1.example '[.domain.state, .domain.mx]')" '["pending",["mx1.p1.example","mx2.p1.example"]]' \
	"policy.db: pending, with both patterns"
proof=$($STSCTL domain show p1.example --json | jq -r .domain.proof)
is "$(page "$t/a" /domains/p1.example/manage)" 200 "GET /domains/p1.example/manage: 200"
like "$(cat "$t/page")" "<td>_stsd-verify.p1.example.</td><td>TXT</td><td><code>\"$proof\"</code>" \
	"... the TXT record of the proof, exactly"
like "$(cat "$t/page")" '<td>mta-sts.p1.example.</td><td>CNAME</td>' "... the delegation records"
like "$(cat "$t/page")" 'action="/domains/p1.example/check".*Check again' "... a Check again button"
like "$(cat "$t/page")" '<h2>Checks</h2>' "... the checks"
like "$(cat "$t/page")" 'Ready for enforce\? not yet' "... the readiness verdict"
is "$(form "$t/a" /domains/p1.example/check)" 303 "Check again: 303 back"
like "$(grep 'p1\.example' "$I/log/stsd.log")" 'p1\.example: check asked for' \
	"... policyd asked dnsmon (check asked for)"

# The policy form: MX hosts by checkbox and by hand, mode, max_age.
id0=$(show a.example .domain.policy_id)
is "$(page "$t/a" /domains/a.example/manage)" 200 "alice's a.example page"
like "$(cat "$t/page")" 'name="mx0" value="mx.a.example" checked' "... its pattern checked"
is "$(form "$t/a" /domains/a.example/policy mx0=mx.a.example 'mx_more=*.mx.a.example' \
	mode=testing max_age=3600)" 303 "POST policy: 303"
is "$(show a.example '[.domain.mx, .domain.max_age]')" '[["mx.a.example","*.mx.a.example"],3600]' \
	"policy.db: the patterns and max_age"
ok "... a new policy id" [ "$(show a.example .domain.policy_id)" \> "$id0" ]
is "$(form "$t/a" /domains/a.example/policy mx0=mx.a.example mode=enforce max_age=3600)" 409 \
	"mode enforce while the verdict is not yet: 409"
like "$(cat "$t/page")" 'mode enforce refused.*Confirm to enforce anyway' "... the page says why"
like "$(cat "$t/page")" 'Readiness: not yet' "... with the verdict"
is "$(show a.example .domain.mode)" '"testing"' "... nothing changed"
is "$(form "$t/a" /domains/a.example/policy mx0=mx.a.example mode=enforce max_age=3600 confirm=yes)" 303 \
	"... confirmed: 303"
is "$(show a.example '[.domain.mode, .domain.mx]')" '["enforce",["mx.a.example"]]' \
	"policy.db: enforce, the unchecked pattern gone"
form "$t/a" /domains/a.example/policy mx0=mx.a.example mode=testing >/dev/null

# The MX hosts dnsmon found are offered unchecked; its messages escaped.
now=$(date +%s)
"$BUILDDIR/tests/policyd/ipcclient" "$I/spool/private/policyd" "{\"op\": \"check-result\",
	\"domain\": \"a.example\", \"time\": $now, \"checks\": [{\"check\": \"mx\",
	\"status\": \"fail\", \"message\": \"<script>alert(1)</script> mx9.a.example is not in the policy\",
	\"hosts\": [\"mx.a.example\", \"mx9.a.example\"]}]}" >/dev/null
is "$(page "$t/a" /domains/a.example/manage)" 200 "a.example's page after a check"
like "$(cat "$t/page")" 'name="mx1" value="mx9.a.example"> mx9.a.example' \
	"the MX host dnsmon found, not in the policy: a box, unchecked"
like "$(cat "$t/page")" '&lt;script&gt;alert\(1\)&lt;/script&gt; mx9.a.example is not in the policy' \
	"... the check's message, escaped"
unlike "$(cat "$t/page")" '<script>' "... no script in the page"
is "$(form "$t/a" /domains/a.example/policy mx0=mx.a.example mx1=mx9.a.example mode=testing max_age=3600)" 303 \
	"checking it: 303"
is "$(show a.example .domain.mx)" '["mx.a.example","mx9.a.example"]' "policy.db: both hosts"
form "$t/a" /domains/a.example/policy mx0=mx.a.example mode=testing max_age=3600 >/dev/null

# Hostile fields.
is "$(form "$t/a" /add $'domain=x\ny.example' mx=mx.x.example)" 400 "a newline in a field: 400"
is "$(form "$t/a" /add $'domain=x\001y.example' mx=mx.x.example)" 400 "a control character: 400"
is "$(form "$t/a" /add "domain=$(printf 'x%.0s' $(seq 2000)).example" mx=mx.x.example)" 400 \
	"a domain of 2000 characters: 400"
head -c 102400 /dev/zero | tr '\0' a >"$t/100k"
is "$(web -b "$t/a" -o /dev/null -w '%{http_code}' --data-urlencode "domain@$t/100k" /add)" 413 \
	"a 100 KB field: 413"
is "$(form "$t/a" /domains/a.example/policy mx0=mx.a.example max_age=9223372036854775808)" 400 \
	"max_age 2^63: 400"
is "$(form "$t/a" /domains/a.example/policy mx0=mx.a.example max_age=-1)" 400 "max_age -1: 400"
like "$(cat "$t/page")" 'max_age -1: out of range' "... policyd's reason"
is "$(form "$t/a" /add domain=1.2.3.4 mx=mx.x.example)" 400 "an IP address as a domain: 400"
is "$(form "$t/a" /add domain=ok.example "mx=$(seq -f 'm%g.x.example' 1 101 | tr '\n' ' ')")" 400 \
	"101 MX patterns: 400"
is "$(show a.example '[.domain.mode, .domain.max_age]')" '["testing",3600]' "nothing changed by them"

# CSRF on every form.
for f in /add /domains/a.example/policy /domains/a.example/check /domains/a.example/remove \
	/tokens /tokens/revoke /signout; do
	is "$(nocsrf "$t/a" "$f" domain=z.example access=read-only id=1)" 403 "POST $f without the CSRF token: 403"
done
is "$(web -b "$t/a" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$(csrf "$t/b.page")" \
	-d domain=z.example -d mx=mx.z.example /add)" 403 "... with another session's token: 403"
is "$(show z.example .domain 2>/dev/null)" "" "nothing was added"

# Bob against alice's domains: 404 every time, nothing changes.
before=$(for d in a.example a2.example p1.example; do show $d .domain.policy_id; done)
for d in a.example p1.example A.EXAMPLE c.example nosuch.example; do
	is "$(page "$t/b" "/domains/$d/manage")" 404 "bob: GET /domains/$d/manage: 404"
	for p in policy check remove; do
		is "$(form "$t/b" "/domains/$d/$p" mx0=mx.b.example mode=none)" 404 "bob: POST /domains/$d/$p: 404"
	done
done
after=$(for d in a.example a2.example p1.example; do show $d .domain.policy_id; done)
is "$after" "$before" "policy.db: nothing changed by bob's session"
is "$(form "$t/b" /add domain=a.example mx=mx.b.example)" 403 "bob adds alice's domain: 403"
taken=$(sed 's/value="[0-9a-f]*"/value=X/' "$t/page")
like "$taken" 'this domain cannot be added here; ask the operator' "... the message"
is "$(form "$t/b" /add domain=c.example mx=mx.b.example)" 403 "bob adds the operator's domain: 403"
is "$(sed 's/value="[0-9a-f]*"/value=X/' "$t/page")" "$taken" "... the same page"
like "$($STSCTL audit)" 'c\.example.*hosted by the operator' "stsctl audit: the reason, for the operator"

# API tokens in the portal.
is "$(page "$t/a" /tokens)" 200 "GET /tokens: 200"
like "$(cat "$t/page")" '<td>read-write</td>' "... the token made by stsctl"
is "$(form "$t/a" /tokens access=read-only)" 200 "POST /tokens: 200"
tok=$(sed -n 's/.*<code class="token">\([^<]*\)<.*/\1/p' "$t/page")
like "$tok" '^stsd_' "... the new token, shown once"
page "$t/a" /tokens >/dev/null
unlike "$(cat "$t/page")" "$tok" "... and not again"
is "$(web -H "Authorization: Bearer $tok" -o /dev/null -w '%{http_code}' /api/v1/domains)" 200 \
	"... it works on the API"
is "$(web -H "Authorization: Bearer $tok" -o /dev/null -w '%{http_code}' -X DELETE /api/v1/domains/a.example)" 403 \
	"... read-only: no changes"
id=$($STSCTL account token alice --list | awk '$2 == "read-only" { print $1 }' | tail -1)
is "$(form "$t/b" /tokens/revoke id="$id")" 404 "bob revokes alice's token: 404"
like "$(cat "$t/page")" 'no such token' "... no such token"
is "$(web -H "Authorization: Bearer $tok" -o /dev/null -w '%{http_code}' /api/v1/domains)" 200 \
	"... it still works"
is "$(form "$t/a" /tokens/revoke id="$id")" 303 "alice revokes it: 303"
is "$(web -H "Authorization: Bearer $tok" -o /dev/null -w '%{http_code}' /api/v1/domains)" 401 \
	"... a revoked token: 401"

# Removal, explained.
is "$(form "$t/a" /domains/p1.example/remove)" 200 "remove a pending domain: 200"
like "$(cat "$t/page")" 'p1.example is removed: its policy was never published' "... removed at once, said"
is "$(show p1.example .domain 2>/dev/null)" "" "... gone from policy.db"
page "$t/a" /domains/a2.example/manage >/dev/null
like "$(cat "$t/page")" 'retires first \(RFC 8461 section 8.3\)' "an active domain's page explains retirement"
is "$(form "$t/a" /domains/a2.example/remove)" 200 "remove an active domain: 200"
like "$(cat "$t/page")" 'a2.example is retiring: mta-sts.a2.example now serves a policy with mode none' \
	"... it retires: mode none"
like "$(cat "$t/page")" 'at the latest [0-9-]+T[0-9:]+Z' "... until when"
is "$(show a2.example '[.domain.state, .domain.mode]')" '["retiring","none"]' "policy.db: retiring, mode none"

# The audit page: every change made here and through the API.
web -H "Authorization: Bearer $TOK_A" -X PATCH -H 'Content-Type: application/json' \
	--data-binary '{"max_age": 7200}' -o /dev/null /api/v1/domains/a.example
is "$(page "$t/a" /audit)" 200 "GET /audit: 200"
for what in 'domain-add</td><td>p1.example' 'domain-set</td><td>a.example' \
	'domain-del</td><td>p1.example' 'domain-del</td><td>a2.example' 'token-new' 'token-revoke' \
	'&quot;max_age&quot;:7200'; do
	like "$(cat "$t/page")" "$what" "the audit page: $what"
done
like "$(cat "$t/page")" '<td>alice</td><td class="from">127.0.0.1</td>' "... who, from the client address"
page "$t/b" /audit >/dev/null
unlike "$(cat "$t/page")" 'p1\.example|a2\.example|refused' "bob's audit page: nothing of alice's"

# Without a session: 303 to the sign-in; other methods 405.
is "$(web -o /dev/null -w '%{http_code}' /domains/a.example/manage)" 303 "no session: 303"
is "$(web -b "$t/a" -o /dev/null -w '%{http_code}' -X PUT /add)" 405 "PUT /add: 405"
is "$(web -b "$t/a" -o /dev/null -w '%{http_code}' /domains/a.example/remove)" 405 "GET .../remove: 405"
portal_sanitizers
done_testing
