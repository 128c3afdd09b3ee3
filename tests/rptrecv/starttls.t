#!/bin/bash
# rptrecv: the end of a session over TLS.  QUIT after STARTTLS gets its
# 221 (the reply goes through OpenSSL before the socket closes, with a
# close_notify), with openssl s_client and with swaks; a client that
# says STARTTLS and never shakes hands is closed at the command deadline.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/rptrecv/instance.sh"

RR_CHROOT=n
t_need swaks openssl

RR_CERT=localhost
rr_started "rptrecv_command_timeout = 3s"
pid0=$(rr_pid)

# openssl s_client: STARTTLS, then EHLO and QUIT inside TLS.  -ign_eof:
# it waits for the server to close, and prints all it said.
out=$( (sleep 1; printf 'EHLO c.example\nNOOP\nQUIT\n'; sleep 3) |
	timeout 10 openssl s_client -starttls smtp -connect "127.0.0.1:$RR_PORT" \
	-CAfile "$RR_DIR/ca/ca.pem" -servername localhost -crlf -ign_eof 2>&1)
like "$out" "Verify return code: 0 \(ok\)" "s_client starts TLS with rptrecv"
like "$out" "250 2.0.0 Ok" "NOOP is answered inside TLS"
like "$out" "221 2.0.0 Bye" "QUIT over TLS gets 221 (openssl s_client)"

# The same with a message first (swaks --tls).
out=$(rr_swaks_tls --body "over tls")
like "$out" "<~ +250 2.0.0 Ok: queued as" "swaks delivers a message over STARTTLS"
like "$out" "<~ +221 2.0.0 Bye" "and its QUIT over TLS gets 221 (swaks --tls)"
unlike "$out" "Remote host closed connection unexpectedly" "the server does not hang up first"

# STARTTLS and then silence: the handshake counts in the command deadline.
out=$(printf 'EHLO c.example\r\nSTARTTLS\r\n' | rr_smtp raw 8)
like "$out" "220 2.0.0 Ready to start TLS" "STARTTLS is answered"
wait_until 8 grep -q "TLS handshake not done within 3 s" "$RR_LOG"
like "$(cat "$RR_LOG")" "\[127\.0\.0\.1\]: timeout: TLS handshake not done within 3 s \(rptrecv_command_timeout\)" \
	"a client that never shakes hands is closed at the command deadline"

# A slow client inside TLS: the same command deadline.
out=$( (sleep 1; printf 'EHLO c.example\n'; sleep 5) |
	timeout 12 openssl s_client -starttls smtp -connect "127.0.0.1:$RR_PORT" \
	-CAfile "$RR_DIR/ca/ca.pem" -servername localhost -crlf -ign_eof 2>&1)
like "$out" "421 4.4.2 localhost Error: command timeout exceeded \(3 s for one command\)" \
	"a silent client inside TLS gets 421 naming the command timeout"

# A certificate replaced in place (a renewal, a copy by the operator)
# is served from the next connection, without a restart; a broken pair
# is logged and the one in use stays.
served_serial() {
	openssl s_client -starttls smtp -connect "127.0.0.1:$RR_PORT" \
		-servername localhost </dev/null 2>/dev/null | openssl x509 -noout -serial
}
C=$RR_DIR/spool/certs/localhost
old=$(openssl x509 -in "$C/fullchain.pem" -noout -serial)
is "$(served_serial)" "$old" "rptrecv serves the certificate it started with"
renewed=$(t_tmpdir)
pki_ca "$renewed" && pki_cert "$renewed" localhost 30 || fail "second certificate"
new=$(openssl x509 -in "$renewed/localhost/fullchain.pem" -noout -serial)
cp "$renewed/localhost/privkey.pem" "$C/privkey.pem.tmp" &&
	mv "$C/privkey.pem.tmp" "$C/privkey.pem"
cp "$renewed/localhost/fullchain.pem" "$C/fullchain.pem.tmp" &&
	mv "$C/fullchain.pem.tmp" "$C/fullchain.pem"
chown -R "$(inst_owner):" "$C"
is "$(served_serial)" "$new" "a replaced certificate is served to the next connection"
like "$(cat "$RR_LOG")" "localhost: certificate loaded: STARTTLS offered" "and its load is logged"
printf 'garbage\n' >"$C/privkey.pem.tmp" && mv "$C/privkey.pem.tmp" "$C/privkey.pem"
is "$(served_serial)" "$new" "a broken key: the certificate in use stays"
like "$(cat "$RR_LOG")" "$C/fullchain.pem: cannot load certificate and key: .*: STARTTLS not offered" \
	"and the broken pair is logged with the path in the queue directory"
served_serial >/dev/null
is "$(grep -c 'cannot load certificate and key' "$RR_LOG")" 1 "once, not at every connection"

is "$(rr_pid)" "$pid0" "rptrecv never restarted"
unlike "$(cat "$RR_LOG")" "panic|fatal|runtime error|Sanitizer" "no panic or sanitizer report in the log"
rr_stop
is "$(rr_leaks)" "" "rptrecv exits on SIGTERM without a leak or sanitizer error"
done_testing
