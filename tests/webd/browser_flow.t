#!/bin/bash
# tests/webd/browser_flow.t - a domain owner's whole flow, in headless
# Chromium (tests/webd/browser_flow.py), against knot and dnsmon: the
# operator adds an account (stsctl account add); its owner signs in,
# adds flow.test and reads the TXT proof and the CNAME records to
# publish; the test publishes exactly what the page shows in knot; the
# owner presses "Check again" (dnsmon_check_now_interval 1 s, a failing
# domain rechecked after 1 to 2 s) until every check on the page is
# green and the domain active; chooses the two MX hosts dnsmon found in
# place of the pattern typed at the add; sets mode testing, then
# enforce, refused while the readiness verdict says "not yet" unless
# the confirmation box is checked; mta-sts-query, the client of
# postfix-mta-sts-resolver, then fetches mode enforce and those MX hosts
# through DNS (_mta-sts.flow.test, published by policyd's DNS UPDATE)
# and HTTPS; the owner makes an API token, shown once, that curl uses
# (200 and the domain's JSON) until it is revoked in the page (401);
# the domain list says enforce and active; sign-out.
#
# Where each part runs: everything in one network namespace
# (tests/netns.sh), because the owner's domain, its MX hosts and the
# policy host must resolve through knot for dnsmon and for mta-sts-query
# alike, and mta-sts-query fetches https://mta-sts.DOMAIN on port 443:
# knot on 127.0.0.1:53 (the namespace's resolv.conf), the instance
# (master with policyd, httpd on 443 and 80, webd, dnsmon), two test MX
# servers (tests/dnsmon/smtpd.py, STARTTLS with certificates of the
# test CA, which dnsmon trusts by dnsmon_ca_file), and the python of
# selenium with chromium-driver and Chromium (browser_in_ns): Chromium
# maps portal.example to 127.0.0.1 (--host-resolver-rules) and accepts
# the test CA's chain only (browser_run).  Nothing listens outside the
# namespace.  Screenshots: $BUILDDIR/tests/logs/webd-browser/flow-*.png.
# Skipped, with the reason, without root (ip netns), chromium,
# chromium-driver, python3-selenium or mta-sts-query, or when Chromium
# cannot start.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/dnsmon/ns.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd dnsmon master stsctl
t_need curl python3 jq openssl knotc kdig unbound mta-sts-query
browser_need

D=flow.test
MX="mx1.$D mx2.$D"
SMTP=2525		# dnsmon_smtp_port of the test MX servers
GREEN=30		# seconds the checks may take to turn green

# The owner's zone before the owner publishes anything: its MX hosts.
{ ns_zone_head $D; cat <<Z; } >"$t/$D.zone"
@ MX 10 mx1.$D.
@ MX 20 mx2.$D.
mx1 A 127.0.0.2
mx2 A 127.0.0.3
Z
ns_create && ns_dns_start sts.test "$t/sts.zone" $D "$t/$D.zone" ||
	{ fail "knot starts"; done_testing; }
dnsmon_update_key "$t/tsig.key"
dnsmon_recursor sts.test $D

PORTAL_CERTS=mta-sts.$D portal_ns_instance "$t/i" "$t/tsig.key" \
	policyd_dns_retry_min=1s policyd_dns_retry_max=2s \
	dnsmon_interval=10s dnsmon_retry_min=1s dnsmon_retry_max=2s \
	dnsmon_check_now_interval=1s dnsmon_query_timeout=1s \
	dnsmon_probe_timeout=2s dnsmon_smtp_port=$SMTP \
	dnsmon_ca_file="$t/i/ca/ca.pem" || {
	fail "instance starts"; cat "$t/i/log/stsd.log" 2>/dev/null; done_testing; }
pass "instance with policyd, httpd, webd and dnsmon starts in the namespace"

# The MX servers, with certificates of the test CA.
pki_cert "$I/ca" mx1.$D 30 mx2.$D >/dev/null 2>&1 ||
	{ fail "certificates of the MX hosts"; done_testing; }
for a in 127.0.0.2 127.0.0.3; do
	# Not through the function ns_exec: its "$!" would be a subshell.
	ip netns exec "$NS" "$PY" "$SRCDIR/tests/dnsmon/smtpd.py" $a $SMTP tls \
		"$I/ca/mx1.$D/fullchain.pem" "$I/ca/mx1.$D/privkey.pem" >/dev/null 2>&1 &
	at_exit kill $!
done
listening() { ns_exec ss -Htln | grep -q "127.0.0.3:$SMTP"; }
ok "the MX servers listen" wait_until 10 listening

# The operator's part: an account, no domain.
PW_C='carol password 333'
printf '%s\n' "$PW_C" >"$t/pw"
ok "stsctl account add carol" quiet $STSCTL account add carol \
	--email carol@$D --password-file "$t/pw"

# What the browser's script runs (in the namespace, as it does).
cat >"$t/publish" <<SH
#!/bin/sh
# NAME TYPE VALUE: the record in the zone $D of knot.
c="knotc -c $NS_DNS_DIR/knot.conf"
\$c zone-begin $D >/dev/null && \$c zone-set $D "\$1" 60 "\$2" "\$3" >/dev/null &&
	\$c zone-commit $D >/dev/null
SH
cat >"$t/policy" <<SH
#!/bin/sh
SSL_CERT_FILE=$I/ca/ca.pem exec timeout 20 mta-sts-query "\$1" 2>&1
SH
cat >"$t/api" <<SH
#!/bin/sh
# TOKEN PATH: the status of the GET, a line, then its body.
curl -sS --max-time 10 --cacert $I/ca/ca.pem --resolve $PORTAL:443:127.0.0.1 \
	-o $t/api.out -w '%{http_code}\n' -H "Authorization: Bearer \$1" https://$PORTAL\$2 && cat $t/api.out
SH
chmod 755 "$t/publish" "$t/policy" "$t/api"

browser_in_ns
start=$(date +%s)
browser_run browser_flow.py carol "$PW_C" domain=$D "mx=*.$D" \
	found=mx1.$D,mx2.$D policy_host=mta-sts.sts.test sts_zone=sts.test \
	"publish=$t/publish" "policy=$t/policy" "api=$t/api" wait=$GREEN
note "the browser's flow took $(($(date +%s) - start)) s"
ok "a screenshot of each page is kept in $shots" test -s "$shots/flow-08-enforce.png"

# What the operator sees afterwards.
show=$($STSCTL domain show $D --json)
is "$(jq -r '.domain | "\(.state) \(.mode) \(.mx | join(" "))"' <<<"$show")" \
	"active enforce $MX" "stsctl domain show: active, enforce, the MX hosts chosen"
is "$(ns_dig $D.sts.test TXT)" "\"v=STSv1; id=$(jq -r .domain.policy_id <<<"$show");\"" \
	"policyd published the policy's id in sts.test"
is "$($STSCTL audit --domain $D --json |
    jq -r '.entries[] | "\(.actor) \(.from) \(.action) \(.details.changes // .details.mx[0])"')" \
	"carol 127.0.0.1 domain-add *.$D
carol 127.0.0.1 domain-set mx *.$D -> $MX
carol 127.0.0.1 domain-set mode testing -> enforce" \
	"stsctl audit: carol's add and her two changes, from the browser's address (the refused enforce changed nothing)"
portal_sanitizers
done_testing
