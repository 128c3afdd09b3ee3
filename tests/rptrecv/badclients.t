#!/bin/bash
# rptrecv: clients that break the rules get the right reply, nothing
# partial is queued, and rptrecv keeps running: bare LF and CR (and SMTP
# smuggling), over-long lines, messages over message_size_limit, a
# dropped connection in the middle of DATA, endless commands, silence.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptrecv/instance.sh"

# Without chroot, so that LeakSanitizer can check rptrecv when it exits.
RR_CHROOT=n

rr_started "message_size_limit = 100k" "rptrecv_command_timeout = 2s" \
	"rptrecv_command_limit = 100"
pid0=$(rr_pid)
head='EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<tlsrpt@sts.test>\r\nDATA\r\n'

# Bare LF inside the text: refused at the end, the session goes on.
out=$(printf "${head}Subject: x\r\nbare\nlf\r\n.\r\nNOOP\r\nQUIT\r\n" | rr_smtp raw 2)
like "$out" "550 5.6.2 Message refused: bare <LF> received; lines must end with <CR><LF>" \
	"a bare LF in the text gets 550 5.6.2"
like "$out" "250 2.0.0 Ok"$'\n'"221" "the session goes on after the refusal"
out=$(printf "${head}bare\rcr\r\n.\r\nQUIT\r\n" | rr_smtp raw 2)
like "$out" "550 5.6.2 Message refused: bare <CR> received" "a bare CR in the text gets 550 5.6.2"
is "$(rr_spooled)" 0 "no refused message is queued"

# SMTP smuggling: <LF>.<LF> ends nothing that is queued, and what follows
# is never run as a command.
out=$(printf "${head}Subject: x\r\n\r\nhello\n.\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<tlsrpt@sts.test>\r\nDATA\r\nsmuggled\r\n.\r\n" | rr_smtp raw 2)
like "$out" "521 5.5.2 localhost Error: bare <LF> received; closing connection" \
	"<LF>.<LF> as the end of the text gets 521 and the connection closes"
is "$(echo "$out" | grep -c '^250 2.1.0')" 1 "nothing after the smuggled end is read as a command"
like "$(echo "$out" | tail -1)" "^521 " "521 is the last reply"
is "$(rr_spooled)" 0 "nothing of a smuggling attempt is queued"

# A 100 KiB command line: 500 5.5.2, and the session goes on.
out=$( (printf 'EHLO c.example\r\nNOOP '; head -c 102400 /dev/zero | tr '\0' x;
	printf '\r\nNOOP\r\nQUIT\r\n') | rr_smtp raw 2)
like "$out" "500 5.5.2 Error: line too long" "a 100 KiB command line gets 500 5.5.2"
like "$out" "250 2.0.0 Ok"$'\n'"221 2.0.0 Bye" "the session goes on after it"

# A 100 KiB line in the text: 552 5.3.4 (RFC 5321 4.5.3.1.6: 1000 octets).
out=$( (printf "${head}Subject: x\r\n\r\n"; head -c 2000 /dev/zero | tr '\0' y;
	printf '\r\n.\r\nQUIT\r\n') | rr_smtp raw 2)
like "$out" "552 5.3.4 Message refused: a line is longer than 998 characters" \
	"a text line over 998 octets gets 552 5.3.4"

# Over message_size_limit: SIZE= at MAIL, then in the text.
out=$(printf 'EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=200000\r\nQUIT\r\n' | rr_smtp raw 2)
like "$out" "552 5.3.4 Message size exceeds fixed limit of 102400 bytes" \
	"MAIL with SIZE= over the limit gets 552 5.3.4"
out=$( (printf "${head}Subject: big\r\n\r\n"
	for i in $(seq 2000); do printf '%0100d\r\n' "$i"; done
	printf '.\r\nQUIT\r\n') | rr_smtp raw 3)
like "$out" "552 5.3.4 Message size exceeds fixed limit of 102400 bytes" \
	"a text over message_size_limit gets 552 5.3.4 at its end"
like "$out" "221 2.0.0 Bye" "the session goes on after it"
is "$(find "$RR_SPOOL/incoming" -type f | wc -l)" 0 \
	"nothing is left in the spool, not even a temporary file"

# A message just under the limit is queued.
out=$( (printf "${head}Subject: fits\r\n\r\n"
	for i in $(seq 900); do printf '%0100d\r\n' "$i"; done
	printf '.\r\nQUIT\r\n') | rr_smtp raw 3)
like "$out" "250 2.0.0 Ok: queued as" "a message under message_size_limit is queued"
rm -f "$RR_SPOOL"/incoming/*

# The client goes away in the middle of the text.
(printf "${head}Subject: cut\r\n\r\n"; head -c 50000 /dev/zero | tr '\0' z |
	fold -w 70 | sed 's/$/\r/') | rr_smtp raw 1 >/dev/null
sleep 0.5
is "$(find "$RR_SPOOL/incoming" -type f | wc -l)" 0 \
	"a connection lost during DATA leaves nothing in the spool"
like "$(cat "$RR_LOG")" "lost connection while receiving the text" "and it is logged"

# 500 commands without a message: 421 after rptrecv_command_limit.
out=$( (printf 'EHLO c.example\r\n'; for i in $(seq 500); do printf 'NOOP\r\n'; done) | rr_smtp raw 2)
is "$(echo "$out" | grep -c '^250 2.0.0 Ok')" 99 "99 NOOPs after EHLO are answered"
like "$out" "421 4.7.0 localhost Error: too many commands; closing connection" \
	"the 101st command gets 421 4.7.0"
is "$(echo "$out" | tail -1)" "421 4.7.0 localhost Error: too many commands; closing connection" \
	"and the connection is closed after it"

# A client that never speaks: 421 after rptrecv_command_timeout (2 s here).
out=$(rr_smtp silent 8)
like "$out" "^220 .*"$'\n'"421 4.4.2 localhost Error: command timeout exceeded \(2 s for one command\)" \
	"a silent client gets 421 4.4.2 naming the command timeout"
like "$out" "# closed after [1-3]\.[0-9] s" "after the command timeout"

# Commands are errors too: MAIL with bad syntax, DATA without recipients.
out=$(printf 'EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@y.example>\r\nDATA\r\nMAIL FROM:<c@d.example>\r\nQUIT\r\n' | rr_smtp raw 2)
like "$out" "501 5.5.4 Bad BODY parameter" "a bad BODY= gets 501 5.5.4"
like "$out" "554 5.5.1 Error: no valid recipients" "DATA without a good recipient gets 554"
like "$out" "503 5.5.1 Error: nested MAIL command" "a second MAIL gets 503"

is "$(rr_pid)" "$pid0" "rptrecv never restarted: no crash"
is "$(find "$RR_SPOOL/incoming" -type f | wc -l)" 0 "the spool is empty at the end"
unlike "$(cat "$RR_LOG")" "panic|fatal|runtime error|Sanitizer" "no panic or sanitizer report in the log"
rr_stop
is "$(rr_leaks)" "" "rptrecv exits on SIGTERM without a leak or sanitizer error"
done_testing
