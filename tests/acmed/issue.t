#!/bin/bash
# slow
# tests/acmed/issue.t - acmed gets certificates from pebble with http-01
# and tls-alpn-01, renews them, and survives a CA that is down, rejects
# nonces or refuses a challenge, without damaging what is installed, and
# a policyd whose domain list never ends.
# policyd and httpd are stood in for by fakepolicyd.py (the real suite:
# suite.t).
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/acmed/pebble.sh"

acme_env a.example b.example c.example || { fail "test network"; done_testing; }
acmed_instance "$W/inst"
echo '["a.example"]' >"$W/domains.json"
fake_start || fail "fake policyd starts"

# Pebble is down when acmed starts: it retries, logs, does not crash.
master_start || fail "master starts"
ok "acmed logs that the CA cannot be reached" \
	wait_until 15 log_has 'mta-sts.a.example: certificate request failed \(attempt [0-9]+, next in [0-9]+ s\): GET https://localhost:14000/dir: '
pid1=$(acmed_pid)
ok "acmed runs" test -n "$pid1"
ok "the failure is remembered in state.json" \
	wait_until 5 sh -c "grep -q '\"state\": \"failed\"' $I/data/acme/state.json"
ok "the account key was made with mode 0600" \
	test "$(stat -c %a "$I/data/acme/account.key")" = 600
key_sum=$(sha256sum <"$I/data/acme/account.key")

pebble_start || fail "pebble starts"
ok "once pebble is up, acmed gets a certificate by http-01" \
	wait_until 30 test -s "$(cert_file mta-sts.a.example)"
pid2=$(acmed_pid)
is "$pid2" "$pid1" "acmed did not crash while the CA was down"
ok "the key matches the certificate" pair_ok mta-sts.a.example
is "$(stat -c %a "$I/spool/certs/mta-sts.a.example/privkey.pem")" 600 \
	"privkey.pem has mode 0600"
pebble_root "$W/root.pem"
ok "the chain verifies up to pebble's root and names the host" \
	quiet openssl verify -CAfile "$W/root.pem" -untrusted "$(cert_file mta-sts.a.example)" \
	-verify_hostname mta-sts.a.example "$(cert_file mta-sts.a.example)"
ok "the http-01 challenge went to policyd" grep -q '^challenge-add http-01 mta-sts.a.example' "$W/events.log"
ok "and was withdrawn" grep -q '^challenge-remove http-01 mta-sts.a.example' "$W/events.log"
ok "policyd was told the certificate changed" \
	wait_until 5 grep -q '^cert-changed - mta-sts.a.example' "$W/events.log"
ok "state.json says valid" wait_until 5 sh -c "[ \"\$(python3 -c 'import json;print(json.load(open(\"$I/data/acme/state.json\"))[\"mta-sts.a.example\"][\"state\"])')\" = valid ]"
ok "no temporary files are left" \
	sh -c "! ls $I/spool/certs/mta-sts.a.example | grep -q tmp"

# Nothing to do: no new order for a certificate that is not due.
serial_a=$(cert_serial mta-sts.a.example)
sleep 3
is "$(cert_serial mta-sts.a.example)" "$serial_a" "a certificate that is not due is kept"

# stsctl cert renew goes through public/acmed.
reply=$(acmed_call '{"op":"cert-renew","host":"mta-sts.a.example"}')
like "$reply" '"ok": ?true' "cert-renew answers ok"
like "$reply" '"not_after": ?[0-9]+' "cert-renew gives the new expiry"
isnt_serial=$(cert_serial mta-sts.a.example)
[ "$isnt_serial" != "$serial_a" ] && pass "cert-renew replaced the certificate" ||
	fail "cert-renew replaced the certificate"
ok "the renewed pair matches" pair_ok mta-sts.a.example
reply=$(acmed_call '{"op":"cert-renew","host":"mta-sts.nothere.example"}')
like "$reply" '"error": ?"mta-sts.nothere.example: not the policy host of an active domain"' \
	"cert-renew of an unknown host is refused"

# stsctl cert list|renew (when stsctl has the cert command).
STSCTL=${ACMED_STSCTL:-$BUILDDIR/stsctl/stsctl}
if "$STSCTL" -c "$I/etc" cert 2>&1 | grep -q 'cert list'; then
	out=$("$STSCTL" -c "$I/etc" cert list 2>&1)
	like "$out" '^HOST +ISSUER +NOT-AFTER +STATE +HEALTH +LAST-ERROR' "cert list has a header"
	like "$out" '^mta-sts\.a\.example +Pebble Intermediate CA [0-9a-f]+ +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z +valid +ok +-$' \
		"cert list shows host, issuer, not-after, state, health, no error"
	out=$("$STSCTL" -c "$I/etc" cert list --json)
	is "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["certs"]["mta-sts.a.example"]["state"])')" \
		valid "cert list --json gives the state per host"
	serial_a=$(cert_serial mta-sts.a.example)
	out=$("$STSCTL" -c "$I/etc" cert renew mta-sts.a.example 2>&1)
	like "$out" '^mta-sts\.a\.example: new certificate, valid until [0-9T:-]+Z, issuer Pebble Intermediate CA' \
		"stsctl cert renew says what it got"
	[ "$(cert_serial mta-sts.a.example)" != "$serial_a" ] && pass "stsctl cert renew replaced the certificate" ||
		fail "stsctl cert renew replaced the certificate"
	out=$("$STSCTL" -c "$I/etc" cert renew mta-sts.nothere.example 2>&1); rc=$?
	is "$rc:$out" "1:stsctl: mta-sts.nothere.example: not the policy host of an active domain" \
		"stsctl cert renew of an unknown host fails with the reason"
	out=$("$STSCTL" -c "$I/etc" cert renew mta-sts.a.example --json); rc=$?
	is "$rc:$(printf '%s' "$out" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["host"], type(r["not_after"]).__name__)')" \
		"0:mta-sts.a.example int" "stsctl cert renew HOST --json prints acmed's reply as JSON"
	out=$("$STSCTL" -c "$I/etc" cert renew a.example 2>&1); rc=$?
	is "$rc:$out" "1:stsctl: a.example: not the policy host of an active domain (the policy host of a.example is mta-sts.a.example: stsctl cert renew mta-sts.a.example)" \
		"stsctl cert renew of a domain names its policy host"
	HAVE_STSCTL_CERT=1
else
	note "stsctl has no cert command yet (stsctl/stsctl.c, stsctl/local.mk): stsctl cases not run"
fi

# A refused challenge: b's host points where nothing answers.
ns_dns_set b.example mta-sts 5 A 127.0.0.2
serial_a=$(cert_serial mta-sts.a.example)
echo '["a.example","b.example"]' >"$W/domains.json"
ok "a refused challenge is logged with the CA's problem type" \
	wait_until 30 log_has 'mta-sts.b.example: certificate request failed \(attempt 1, .*urn:ietf:params:acme:error:'
ok "and retried with a longer wait" \
	wait_until 15 log_has 'mta-sts.b.example: certificate request failed \(attempt 2, next in [2-3] s\)'
ok "no certificate appears for b" test ! -e "$(cert_file mta-sts.b.example)"
like "$(state_of mta-sts.b.example last_problem)" '^urn:ietf:params:acme:error:' \
	"state.json keeps the problem type"
is "$(cert_serial mta-sts.a.example)" "$serial_a" "a's certificate is untouched"
if [ -n "${HAVE_STSCTL_CERT:-}" ]; then
	like "$("$STSCTL" -c "$I/etc" cert list)" '^mta-sts\.b\.example +- +- +failed +.*authorization of mta-sts\.b\.example is invalid: urn:ietf:params:acme:error:' \
		"cert list shows the failure and the CA's problem"
fi

# Renewal due (acme_renew_before longer than the lifetime) while the CA
# refuses: the old certificate stays, whole.
# The zone changed for certain, and a failure of this start (not one
# logged before it) awaited.
ns_dns_set a.example mta-sts 5 A 127.0.0.2
moved() { [ "$(ns_dig mta-sts.a.example A)" = 127.0.0.2 ]; }
ok "mta-sts.a.example points where nothing answers" wait_until 10 moved
a_failed() { grep -Ec 'mta-sts.a.example: certificate request failed \(attempt 1,.*urn:ietf:params:acme:error:' "$I/log/stsd.log"; }
failed_before=$(a_failed)
failed_again() { [ "$(a_failed)" -gt "$failed_before" ]; }
master_stop
acmed_set acme_renew_before=520w
master_start || fail "master restarts"
ok "a renewal refused by the CA is logged" wait_until 30 failed_again
is "$(cert_serial mta-sts.a.example)" "$serial_a" "the old certificate stays after a failed renewal"
ok "and still matches its key" pair_ok mta-sts.a.example
is "$(sha256sum <"$I/data/acme/account.key")" "$key_sum" "the account key is never rewritten"
ok "the existing account is used again" log_has 'ACME account https://.* \(existing\)'

# When the CA accepts again, the due certificate is renewed.
ns_dns_set a.example mta-sts 5 A 127.0.0.1
ok "the due certificate is renewed once the challenge works" \
	wait_until 30 sh -c "[ \"\$(openssl x509 -in $(cert_file mta-sts.a.example) -noout -serial)\" != '$serial_a' ]"
ok "the renewed pair matches" pair_ok mta-sts.a.example

# tls-alpn-01.
master_stop
acmed_set acme_challenge=tls-alpn-01
acmed_set acme_renew_before=30d
echo '["a.example","c.example"]' >"$W/domains.json"
master_start || fail "master restarts"
ok "acmed gets a certificate by tls-alpn-01" \
	wait_until 30 test -s "$(cert_file mta-sts.c.example)"
ok "the tls-alpn-01 challenge went to policyd" grep -q '^challenge-add tls-alpn-01 mta-sts.c.example' "$W/events.log"
ok "pebble's validation negotiated acme-tls/1" grep -q '^tls-alpn-handshake acme-tls/1' "$W/events.log"
ok "the chain verifies" quiet openssl verify -CAfile "$W/root.pem" \
	-untrusted "$(cert_file mta-sts.c.example)" "$(cert_file mta-sts.c.example)"

# badNonce: pebble rejects half of the nonces; acmed retries once.
pebble_stop
pebble_start PEBBLE_WFE_NONCEREJECT=50 || fail "pebble restarts"
serial_c=$(cert_serial mta-sts.c.example)
acmed_call '{"op":"cert-renew","host":"mta-sts.c.example"}' >"$W/renew.out"
ok "a bad nonce is retried once with a new one" \
	wait_until 30 log_has 'bad nonce, retrying once with a new one'
if grep -q '"ok": *true' "$W/renew.out"; then
	[ "$(cert_serial mta-sts.c.example)" != "$serial_c" ] &&
		pass "renewal under bad nonces installed a new certificate" ||
		fail "renewal under bad nonces installed a new certificate"
else
	is "$(cert_serial mta-sts.c.example)" "$serial_c" "a failed renewal under bad nonces left the certificate"
fi
ok "the pair matches after bad nonces" pair_ok mta-sts.c.example
ok "state.json is valid JSON" quiet python3 -m json.tool "$I/data/acme/state.json"
ok "a CA that forgot the account gets it registered again" \
	log_has 'accountDoesNotExist.*registering the account again'

# A policyd whose "next" repeats: acmed says so and asks again later,
# instead of asking for the same page forever.
pid_before=$(acmed_pid)
: >"$W/events.log"
echo '{"loop": ["a.example", "c.example"]}' >"$W/domains.json"
ok "a domain list whose \"next\" repeats is logged" \
	wait_until 30 log_has 'acmed\[[0-9]+\]: warning: cannot get the hosted domains from policyd: domain-list: "next" c\.example does not follow c\.example$'
sleep 3
n=$(grep -c '^domain-list ' "$W/events.log")
ok "acmed does not ask for it again and again ($n requests in 3 s and more)" \
	test "$n" -lt 50
is "$(acmed_pid)" "$pid_before" "acmed runs on"
echo '["a.example","c.example"]' >"$W/domains.json"
ok "acmed did not crash" test -n "$(acmed_pid)"
master_stop
unlike "$(cat "$I/log/stsd.log")" 'panic' "no panic in the log"
like "$(grep -m1 'acmed.*new certificate installed' "$I/log/stsd.log")" \
	'acmed\[[0-9]+\]: mta-sts\.a\.example: new certificate installed, valid until [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z, issuer ' \
	"acmed logs the end of a new certificate as a UTC date, not an epoch"
is "$(sanitizer_reports | head -20)" "" "no sanitizer report (leaks included)"
done_testing
