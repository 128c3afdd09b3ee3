#!/bin/bash
# slow
# tests/webd/acme.t - the portal's certificate comes as smtp_hostname's:
# with portal_enabled = yes acmed gets one for portal_hostname from
# pebble (http-01 through policyd and httpd), and httpd serves the portal
# with it, the chain verified up to pebble's root; with portal_enabled =
# no acmed orders nothing for it.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/acmed/pebble.sh"

inst_need webd httpd policyd acmed
t_need curl
acme_host portal

acmed_instance "$W/inst" sts_zone=sts.example.net domain_verification=none \
	acme_smtp_certificate=no portal_enabled=yes portal_hostname=$H
cat >"$I/etc/master.cf" <<EOF
policyd   unix  n  n  n  -  1  policyd
127.0.0.1:80 inet n y y - 1 httpd -o httpd_tls=no
127.0.0.1:443 inet n y y - 1 httpd
webd unix y y y - 1 webd
acmed unix n y n 2 1 acmed
EOF
master_start || { fail "master starts"; done_testing; }

ok "acmed gets portal_hostname a certificate by http-01" \
	wait_until 40 test -s "$(cert_file $H)"
ok "the key matches the certificate" pair_ok $H
out=$(ns_exec curl -sS --max-time 10 --cacert "$W/root.pem" -D - \
	-o /dev/null "https://$H/" 2>&1)
like "$out" '^HTTP/1.1 200 ' "httpd serves the portal with it, verified against pebble's root"
like "$out" 'Set-Cookie: stsd_session=' "... webd's sign-in page"

master_stop
acmed_set portal_enabled=no
acmed_set portal_hostname=other.r.example
: >"$I/log/stsd.log"
master_start || fail "master restarts (portal_enabled = no)"
wait_until 10 log_has "acmed\[[0-9]+\]: " >/dev/null
sleep 2
unlike "$(cat "$I/log/stsd.log")" "other.r.example" \
	"portal_enabled = no: acmed orders nothing for portal_hostname"
master_stop
is "$(sanitizer_reports | head -20)" "" "no sanitizer report (leaks included)"
done_testing
