#!/bin/bash
# slow
# tests/acmed/smtp.t - STARTTLS on rptrecv out of the box: acmed gets a
# certificate for smtp_hostname from pebble (http-01 through policyd
# and httpd), rptrecv offers STARTTLS with it from the next connection
# without a restart, and rptrecv(8)'s swaks --tls example delivers a
# report with the chain verified up to pebble's root; a renewal is
# served to the next connection.  localhost gets no order.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/acmed/pebble.sh"

t_need swaks
acme_host smtp

acmed_instance "$W/inst" sts_zone=sts.example.net domain_verification=none \
	smtp_hostname=$H
cat >"$I/etc/master.cf" <<EOF
policyd   unix  n  n  n  -  1  policyd
127.0.0.1:80 inet n y y - 1 httpd -o httpd_tls=no
127.0.0.1:2525 inet n y y - 1 rptrecv
acmed unix n y n 2 1 acmed
EOF
master_start || { fail "master starts"; done_testing; }
ok "rptrecv starts without a certificate: STARTTLS not offered, said once" \
	wait_until 10 log_has "rptrecv\[[0-9]+\]: warning: no certificate for $H "

ok "acmed gets smtp_hostname a certificate by http-01 (no hosted domain)" \
	wait_until 40 test -s "$(cert_file $H)"
ok "the key matches the certificate" pair_ok $H
is "$(stat -c %U:%a "$I/spool/certs/$H/privkey.pem")" stsd:600 \
	"privkey.pem is mail_owner's, mode 0600"
ok "the chain verifies up to pebble's root and names smtp_hostname" \
	quiet openssl verify -CAfile "$W/root.pem" -untrusted "$(cert_file $H)" \
	-verify_hostname $H "$(cert_file $H)"
like "$(acmed_call '{"op":"cert-list"}')" "\"$H\"" "cert-list shows smtp_hostname"

# rptrecv(8)'s example, verified against pebble's CA: the first
# connection after the certificate appeared gets STARTTLS.
pid0=$(pgrep -P "$(head -1 "$I/spool/pid/master.pid")" -x rptrecv)
send() {
	ns_exec swaks --server 127.0.0.1:2525 --to tlsrpt@sts.example.net \
		--from reporter@example.org --tls --tls-verify \
		--tls-ca-path "$W/root.pem" --tls-sni $H \
		--body "over tls" 2>&1
}
out=$(send)
like "$out" "<~ +250 2.0.0 Ok: queued as" \
	"swaks --tls delivers a report, the chain verified against pebble's root"
like "$out" "<~ +221 2.0.0 Bye" "and QUIT over TLS gets 221"
ok "rptrecv logs that it loaded the certificate" \
	log_has "rptrecv\[[0-9]+\]: $H: certificate loaded: STARTTLS offered"
is "$(pgrep -P "$(head -1 "$I/spool/pid/master.pid")" -x rptrecv)" "$pid0" \
	"without a restart of rptrecv"

# A renewal: the next connection gets the new certificate.
served_serial() {
	ns_exec openssl s_client -starttls smtp -connect 127.0.0.1:2525 \
		-servername $H </dev/null 2>/dev/null | openssl x509 -noout -serial
}
old=$(cert_serial $H)
is "$(served_serial)" "$old" "rptrecv serves the installed certificate"
like "$(acmed_call "{\"op\":\"cert-renew\",\"host\":\"$H\"}")" '"ok": ?true' \
	"stsctl cert renew smtp_hostname is accepted"
new=$(cert_serial $H)
[ -n "$new" ] && [ "$new" != "$old" ] && pass "the renewal installed a new certificate" ||
	fail "the renewal installed a new certificate"
is "$(served_serial)" "$new" "the next connection gets the renewed certificate"
like "$(send)" "<~ +250 2.0.0 Ok: queued as" "swaks --tls verifies the renewed one"

# smtp_hostname that no CA issues for, or acme_smtp_certificate = no:
# no order.
master_stop
for kv in smtp_hostname=localhost smtp_hostname=127.0.0.1 \
    "smtp_hostname=other.r.example acme_smtp_certificate=no"; do
	for x in $kv; do acmed_set "$x"; done
	: >"$I/log/stsd.log"
	master_start || fail "master restarts ($kv)"
	wait_until 10 log_has "acmed\[[0-9]+\]: " >/dev/null
	sleep 2
	ok "$kv: acmed runs" test -n "$(acmed_pid)"
	unlike "$(cat "$I/log/stsd.log")" "requesting a certificate" "$kv: acmed orders nothing"
	master_stop
done
is "$(sanitizer_reports | head -20)" "" "no sanitizer report (leaks included)"
done_testing
