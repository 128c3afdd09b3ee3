# tests/dnsmon/proof.t - the ownership proof of a domain an account adds,
# with knot in a network namespace and dnsmon under master: the
# delegation left by an earlier owner proves nothing; without the TXT
# record _stsd-verify.DOMAIN the domain stays pending, with a wrong
# token too, with the right one it becomes active within a back-off
# step; removed and added by another account, it needs a new token (the
# old record no longer proves it).  An operator's add keeps today's
# rule (the CNAME alone).  Accounts act on policyd's private socket, as
# the portal does.
# slow
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/dnsmon/ns.sh"

inst_need stsctl policyd master dnsmon
CLIENT=$BUILDDIR/tests/policyd/ipcclient
[ -x "$CLIENT" ] || skip_all "tests/policyd/ipcclient is not built"

RETRY=3			# dnsmon_retry_min, seconds
MAXRETRY=24		# dnsmon_retry_max, seconds

# owned.test: the delegation is there already (an earlier owner's).
{ ns_zone_head owned.test; printf '@ MX 10 mx1.owned.test.\nmta-sts CNAME mta-sts.sts.test.\n'; } >"$t/owned.zone"
{ ns_zone_head oper.test; printf '@ MX 10 mx1.oper.test.\nmta-sts CNAME mta-sts.sts.test.\n'; } >"$t/oper.zone"
ns_create && ns_dns_start sts.test "$t/sts.zone" owned.test "$t/owned.zone" \
	oper.test "$t/oper.zone" || { fail "knot starts"; done_testing; }

instance_start "$t/i" sts_zone=sts.test domain_verification=dns \
	report_recipients=tlsrpt@sts.test dnsmon_probe=no \
	dnsmon_query_timeout=1s dnsmon_interval=1h \
	dnsmon_retry_min=${RETRY}s dnsmon_retry_max=${MAXRETRY}s \
	dnsmon_check_now_interval=1s ||
	{ fail "instance starts"; done_testing; }
pass "instance starts in the namespace"
dnsmon_add "dnsmon    unix  y  y  n  -  1  dnsmon"

$STSCTL account add ann --email ann@owned.test >/dev/null &&
$STSCTL account add ben --email ben@owned.test >/dev/null ||
	fail "accounts are added"

# as ACCOUNT JSON: the request on policyd's private socket, as the portal.
as() {
	local req=$2
	req=${req%\}}', "actor": "'$1'", "from": "192.0.2.9"}'
	"$CLIENT" -t 20 "$I/spool/private/policyd" "$req"
}
json() { $STSCTL domain show "$1" --json | jq -r ".domain.$2 // empty"; }
state() { json "$1" state; }
is_active() { [ "$(state "$1")" = active ]; }
checked_after() { local c; c=$(json "$1" checked); [ -n "$c" ] && [ "$c" -ge "$2" ]; }

# The operator's add: the CNAME is enough, as before.
$STSCTL domain add oper.test --mx mx1.oper.test >/dev/null 2>&1
ok "an operator's add: the CNAME proves it (active)" wait_until 15 is_active oper.test

# ann adds owned.test: pending, with a proof, although the CNAME is there.
t0=$(date +%s)
r=$(as ann '{"op": "domain-add", "domain": "owned.test", "mx": ["mx1.owned.test"]}')
is "$(jq -r .domain.state <<<"$r")" pending "an account's add: pending"
proof=$(jq -r .domain.proof <<<"$r")
like "$proof" '^stsd-verify=[0-9a-f]{32}$' "... with a proof of 128 random bits"
r=$(as ann '{"op": "domain-records", "domain": "owned.test"}')
is "$(jq -r '.records.proof[0] | "\(.name) \(.type) \(.value)"' <<<"$r")" \
	"_stsd-verify.owned.test. TXT $proof" "domain-records: the TXT record to publish"
ok "the add is checked at once" wait_until 10 checked_after owned.test "$t0"
sleep $((RETRY + 2))
is "$(state owned.test)" pending \
	"the delegation alone (an earlier owner's) proves nothing: still pending after a back-off step"
show=$($STSCTL domain show owned.test)
like "$show" "^proof: +_stsd-verify\\.owned\\.test\\. TXT \"$proof\" \\(added by its account\\)\$" \
	"stsctl domain show: the proof the operator can tell the owner"
like "$show" "and TXT _stsd-verify\\.owned\\.test\\. \"$proof\"" \
	"... and the failing check says which TXT record is missing"

# A wrong token, then the right one.
t1=$(date +%s)
ns_dns_set owned.test _stsd-verify.owned.test. 60 TXT '"stsd-verify=00000000000000000000000000000000"'
as ann '{"op": "domain-check", "domain": "owned.test"}' >/dev/null
ok "a check after the wrong token" wait_until 10 checked_after owned.test "$t1"
sleep $((RETRY + 2))
is "$(state owned.test)" pending "a wrong token: still pending"
ns_dns_set owned.test _stsd-verify.owned.test. 60 TXT "\"$proof\""
ok "the right token: active by dnsmon's back-off alone (dnsmon_retry_max $MAXRETRY s)" \
	wait_until $((MAXRETRY + 10)) is_active owned.test

# Removed (pending: at once), then added by ben: a new token is needed.
$STSCTL domain del owned.test --now >/dev/null 2>&1
r=$(as ben '{"op": "domain-add", "domain": "owned.test", "mx": ["mx1.owned.test"]}')
proof2=$(jq -r .domain.proof <<<"$r")
ok "added again by another account: a new token" [ -n "$proof2" ] && [ "$proof2" != null ] && [ "$proof2" != "$proof" ]
t2=$(date +%s)
as ben '{"op": "domain-check", "domain": "owned.test"}' >/dev/null
ok "... checked" wait_until 10 checked_after owned.test "$t2"
sleep $((RETRY + 2))
is "$(state owned.test)" pending "... the earlier owner's TXT record does not prove it"
ns_dns_set owned.test _stsd-verify.owned.test. 60 TXT "\"$proof2\""
as ben '{"op": "domain-check", "domain": "owned.test"}' >/dev/null
ok "... its own token does, at the check asked for" wait_until 10 is_active owned.test
like "$(grep 'owned\.test' "$I/log/stsd.log")" 'owned\.test: released by account ann' \
	"the log says the first account let it go"
instance_stop "$t/i"
done_testing
