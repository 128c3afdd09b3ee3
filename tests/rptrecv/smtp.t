#!/bin/bash
# rptrecv: the SMTP dialogue with real clients (swaks, smtp-source) and by
# hand: extensions, report_recipients, the Received: header, dot
# unstuffing, pipelining, STARTTLS, the notice to rptparse.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/rptrecv/instance.sh"

# Without chroot, so that LeakSanitizer can check rptrecv when it exits.
RR_CHROOT=n

t_need swaks

# The certificate must be in place before rptrecv starts.
RR_CERT=localhost
rr_started "report_recipients = tlsrpt@\$sts_zone, reports+*@\$sts_zone"
pass "the instance starts and rptrecv answers"
pid0=$(rr_pid)
like "$(cat "$RR_LOG")" "rptrecv.*ready: 1 socket, STARTTLS offered" \
	"rptrecv offers STARTTLS when the certificate exists"

# A listener on private/rptparse that keeps what it is told.
notes=$RR_DIR/notes
perl -MIO::Socket::UNIX -e '
	my $l = IO::Socket::UNIX->new(Local => $ARGV[0], Listen => 16) or die $!;
	open(my $o, ">>", $ARGV[1]) or die $!; $o->autoflush(1);
	while (my $c = $l->accept) { while (<$c>) { print $o $_ } }
' "$RR_SPOOL/private/rptparse" "$notes" &
at_exit "kill $!"
wait_until 5 test -S "$RR_SPOOL/private/rptparse"
chown "$(inst_owner):" "$RR_SPOOL/private/rptparse" 2>/dev/null

out=$(printf 'EHLO client.example\r\nQUIT\r\n' | rr_smtp raw 2)
like "$out" "^220 localhost ESMTP" "greeting names smtp_hostname"
for ext in PIPELINING "SIZE 10485760" 8BITMIME ENHANCEDSTATUSCODES STARTTLS SMTPUTF8; do
	like "$out" "250[- ]$ext" "EHLO offers $ext"
done
like "$out" "221 2.0.0 Bye" "QUIT gets 221"

out=$(printf 'MAIL FROM:<a@b.example>\r\nHELO c.example\r\nRCPT TO:<tlsrpt@sts.test>\r\nDATA\r\nVRFY tlsrpt\r\nHELP\r\nNOOP\r\nEXPN x\r\nRSET\r\nQUIT\r\n' | rr_smtp raw 2)
like "$out" "503 5.5.1 Error: send HELO/EHLO first" "MAIL before HELO is refused"
like "$out" "503 5.5.1 Error: need MAIL command" "RCPT before MAIL is refused"
like "$out" "502 5.5.1 VRFY command is disabled" "VRFY is disabled (502)"
like "$out" "214 2.0.0 Commands:" "HELP answers 214"
like "$out" "500 5.5.2 Error: command not recognized" "an unknown command gets 500"
is "$(rr_spooled)" 0 "nothing queued by a refused transaction"

# Recipients: the patterns, case, and everything else refused.
out=$(printf 'EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<TLSRPT@STS.TEST>\r\nRCPT TO:<reports+example.com@sts.test>\r\nRCPT TO:<reports@sts.test>\r\nRCPT TO:<tlsrpt+x@sts.test>\r\nRCPT TO:<tlsrpt@other.test>\r\nRCPT TO:<a..b@sts.test>\r\nQUIT\r\n' | rr_smtp raw 2)
is "$(echo "$out" | grep -c '^250 2.1.5 Ok')" 3 "three report addresses accepted (case, +* wildcard)"
like "$out" "550 5.1.1 <tlsrpt\+x@sts.test>: Recipient address rejected" \
	"an extension without the +* pattern is refused with 550 5.1.1"
like "$out" "550 5.1.1 <tlsrpt@other.test>: Recipient address rejected" \
	"another domain is refused with 550 5.1.1"
like "$out" "501 5.1.3 Bad recipient address syntax" "a bad address gets 501 5.1.3"

# A message by hand: Received: header, dot unstuffing, exact content.
out=$(printf 'EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<tlsrpt@sts.test>\r\nDATA\r\nSubject: t1\r\n\r\n..leading dot\r\nunique-line-t1\r\n.\r\nQUIT\r\n' | rr_smtp raw 2)
id=$(echo "$out" | sed -n 's/^250 2.0.0 Ok: queued as //p')
like "$id" '^[0-9]{14}\.[0-9]{6}\.[0-9]{10}\.[0-9]{6}$' "250 2.0.0 names the queue id"
f=$RR_SPOOL/incoming/$id
ok "the message is in incoming/ under its id" test -f "$f"
like "$(head -1 "$f")" "^Received: from c.example \(\[127.0.0.1\]\)" "Received: comes first, with HELO and IP"
like "$(head -4 "$f")" "with ESMTP id $id" "Received: has the protocol and the queue id"
like "$(head -4 "$f")" "for <tlsrpt@sts.test>; [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} 20[0-9]{2} " \
	"Received: has the recipient and the date"
body=$(sed '1,/^Subject: t1/d' "$f")
is "$body" "$(printf '\r\n.leading dot\r\nunique-line-t1\r')" "the text is stored dot-unstuffed with CRLF"
wait_until 5 grep -q "$id" "$notes"
is "$(grep "$id" "$notes")" "{\"op\":\"spooled\",\"id\":\"$id\"}" "rptparse is told about the message"

# swaks: plain, pipelined, STARTTLS.
n0=$(rr_spooled)
out=$(rr_swaks --body "unique-line-swaks")
like "$out" "<- +250 2.0.0 Ok: queued as" "swaks delivers a message"
out=$(rr_swaks --pipeline --body "unique-line-pipe")
like "$out" "<- +250 2.0.0 Ok: queued as" "swaks delivers a message with PIPELINING"
out=$(rr_swaks_tls --body "unique-line-tls")
like "$out" "TLS started with cipher" "swaks starts TLS and verifies the certificate"
like "$out" "<~ +250 2.0.0 Ok: queued as" "swaks delivers a message over STARTTLS"
is "$(rr_spooled)" $((n0 + 3)) "the three swaks messages are queued"
tlsfile=$(grep -l unique-line-tls "$RR_SPOOL"/incoming/* | head -1)
like "$(head -5 "$tlsfile")" "\(using TLSv1\.[23] with cipher [A-Z0-9_-]+\)" \
	"Received: shows the TLS version and cipher"
like "$(head -5 "$tlsfile")" "with ESMTPS id" "Received: says ESMTPS"

# After STARTTLS the client must say EHLO again; STARTTLS is not offered twice.
out=$( (printf 'EHLO c.example\r\nSTARTTLS\r\n'; sleep 0.5) | rr_smtp raw 2)
like "$out" "220 2.0.0 Ready to start TLS" "STARTTLS gets 220"
out=$( (printf 'EHLO c.example\r\n'; sleep 1; printf 'QUIT\r\n'; sleep 0.5) |
	openssl s_client -quiet -starttls smtp \
	-connect "127.0.0.1:$RR_PORT" -CAfile "$RR_DIR/ca/ca.pem" 2>/dev/null)
unlike "$out" "STARTTLS" "no STARTTLS in EHLO inside TLS"
like "$out" "250 SMTPUTF8" "EHLO inside TLS answers"

# Command injection before TLS is dropped (RFC 3207 section 6).
out=$( (printf 'EHLO c.example\r\nSTARTTLS\r\nMAIL FROM:<x@y.example>\r\n'; sleep 0.5) | rr_smtp raw 1)
unlike "$out" "250 2.1.0" "commands pipelined after STARTTLS are not executed"

# smtp-source: many messages over several sessions.
if command -v smtp-source >/dev/null; then
	n0=$(rr_spooled)
	ok "smtp-source sends 50 messages in 5 sessions" \
		smtp-source -m 50 -s 5 -f a@b.example -t tlsrpt@sts.test "127.0.0.1:$RR_PORT"
	is "$(rr_spooled)" $((n0 + 50)) "all 50 are queued"
else
	note "smtp-source not installed: skipped"
fi

is "$(find "$RR_SPOOL/incoming" -name '*.tmp' | wc -l)" 0 "no temporary file is left"
is "$(rr_pid)" "$pid0" "rptrecv did not restart during the test"
unlike "$(cat "$RR_LOG")" "panic|fatal|runtime error|Sanitizer" "no panic or sanitizer report in the log"
rr_stop
is "$(rr_leaks)" "" "rptrecv exits on SIGTERM without a leak or sanitizer error"
done_testing
