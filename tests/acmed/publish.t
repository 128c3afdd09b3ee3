#!/bin/bash
# slow
# tests/acmed/publish.t - HTTPS before DNS for a new domain (RFC 8461
# section 8.1): the real suite (policyd, httpd, acmed) with pebble and
# knot in a network namespace.  The v=STSv1 TXT record of a new domain
# appears in the service zone only once httpd serves its policy with a
# valid certificate: from acmed (new.example), or installed by hand for
# a domain the CA cannot validate (late.example), which waits until then
# and says so.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/acmed/pebble.sh"

# Zones: new.example (mta-sts A 127.0.0.1) and the service zone; no
# zone for late.example, so pebble cannot validate it.
acme_env new.example sts.test || { fail "test network"; done_testing; }
install -m 600 -o stsd "$NS_TSIG_FILE" "$W/tsig.key"
pebble_start || fail "pebble starts"
pebble_root "$W/root.pem" || fail "pebble root"

ACMED_WITH="policyd httpd" acmed_instance "$W/inst" sts_zone=sts.test domain_verification=none \
	report_recipients=tlsrpt@sts.test dns_update_server=127.0.0.1:53 \
	dns_update_key_file="$W/tsig.key" policyd_dns_retry_min=1s \
	policyd_dns_retry_max=2s
master_start || { fail "master starts"; done_testing; }
wait_until 10 $STSCTL domain list || fail "policyd answers"

now() { date +%s.%N; }
txt() { ns_dig "$1.sts.test" TXT | grep 'v=STSv1'; }
fetch() {
	ns_exec curl -sf --max-time 2 --cacert "$W/root.pem" \
		"https://mta-sts.$1/.well-known/mta-sts.txt"
}
# Each poller records when it first succeeded (bounded: 120 s); the DNS
# one also fetches the policy the moment it sees the record, as a
# sender would.
dns_poll() {
	local n=0
	until [ -n "$(txt "$1")" ]; do
		n=$((n + 1)); [ $n -gt 2400 ] && return 1
		sleep 0.05
	done
	now >"$W/$1.dns"
	fetch "$1" >"$W/$1.fetch" 2>&1
	echo $? >"$W/$1.fetch.rc"
}
https_poll() {
	local n=0
	until fetch "$1" | grep -q 'version: STSv1'; do
		n=$((n + 1)); [ $n -gt 2400 ] && return 1
		sleep 0.05
	done
	now >"$W/$1.https"
}

# 1. acmed gets the certificate; DNS follows HTTPS.
t0=$(now)
$STSCTL domain add new.example --mx mx.new.example >/dev/null || fail "domain add"
dns_poll new.example & dp=$!
https_poll new.example & hp=$!
at_exit "kill $dp $hp"
ok "httpd serves new.example's policy with the certificate from pebble" \
	wait_until 60 test -s "$W/new.example.https"
ok "the TXT record of new.example appears in the service zone" \
	wait_until 20 test -s "$W/new.example.dns"
wait_until 10 test -s "$W/new.example.fetch.rc"
is "$(cat "$W/new.example.fetch.rc" 2>/dev/null)" 0 \
	"a sender that found the record fetched the policy at once (valid certificate)"
https_t=$(cat "$W/new.example.https" 2>/dev/null)
dns_t=$(cat "$W/new.example.dns" 2>/dev/null)
ok "HTTPS came first: policy served at +$(echo "$https_t - $t0" | bc) s, TXT at +$(echo "$dns_t - $t0" | bc) s" \
	test "$(echo "$https_t <= $dns_t" | bc)" = 1
ok "policyd logged why it published" \
	log_has 'new\.example: httpd serves mta-sts\.new\.example with a valid certificate: its TXT record may be published'

# 2. No certificate can be had: the domain waits, and says what for.
$STSCTL domain add late.example --mx mx.late.example >/dev/null || fail "domain add late"
like "$($STSCTL domain show late.example)" \
	'^waiting for: +a valid certificate served for mta-sts\.late\.example$' \
	"domain show says what the TXT record waits for"
out=$($STSCTL domain records late.example)
unlike "$out" 'TXT +"v=STSv1' "domain records leaves out the v=STSv1 records"
like "$out" '^; Not yet: the v=STSv1 TXT records .* wait for: a valid certificate served for mta-sts\.late\.example' \
	"... and says why"
ok "acmed tried and failed for late.example" \
	wait_until 30 log_has 'mta-sts\.late\.example: certificate request failed'
sleep 3
is "$(txt late.example)" "" "no TXT record for late.example without a certificate"
like "$($STSCTL domain show late.example)" '^dns: +pending: id ' \
	"its DNS update stays queued"

# 3. Installed by hand: httpd serves it, policyd asks (every 10 s),
# then publishes.
pki_ca "$W/hand" && pki_cert "$W/hand" mta-sts.late.example 30 >/dev/null 2>&1
cp -r "$W/hand/mta-sts.late.example" "$I/spool/certs/"
chown -R stsd: "$I/spool/certs/mta-sts.late.example"
chmod 600 "$I/spool/certs/mta-sts.late.example/privkey.pem"
late_txt() { [ -n "$(txt late.example)" ]; }
ok "with a certificate installed by hand, late.example's TXT record appears" \
	wait_until 30 late_txt
unlike "$($STSCTL domain show late.example)" 'waiting for' "nothing waits any more"
like "$($STSCTL domain records late.example)" 'late\.example\.sts\.test\. +TXT +"v=STSv1; id=' \
	"domain records gives the v=STSv1 record"
is "$(sanitizer_reports)" "" "no sanitizer report"
done_testing
