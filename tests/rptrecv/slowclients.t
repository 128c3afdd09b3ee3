#!/bin/bash
# rptrecv: slow clients cannot hold a session.  A command has a deadline
# (rptrecv_command_timeout) however its bytes trickle in, the text of a
# message has one (rptrecv_data_timeout), and the 421 names the timeout;
# a client that sends whole commands in time is never cut off.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptrecv/instance.sh"

RR_CHROOT=n
rr_started "rptrecv_command_timeout = 3s" "rptrecv_data_timeout = 4s"
pid0=$(rr_pid)
# seconds of the line of $1 that matches $2
at() { echo "$1" | awk -v re="$2" '$0 ~ re { print $1; exit }'; }
between() { awk -v t="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(t != "" && t >= lo && t <= hi) }'; }

# 1 octet a second: before, the idle timer restarted on every octet and
# held the session for as long as the client liked.
out=$(rr_clients trickle 127.0.0.1 1 "" 'EHLO slow.example.org\r\nQUIT\r\n')
note "$(echo "$out" | tr '\n' '|')"
like "$out" "421 4.4.2 localhost Error: command timeout exceeded \(3 s for one command\); closing connection" \
	"a client sending 1 octet/s gets 421 naming the command timeout"
t=$(at "$out" "421 4.4.2")
ok "the 421 comes at the 3 s deadline (at ${t}s), not when the line ends" between "$t" 2.5 6
like "$out" "closed" "and the connection is closed"
unlike "$out" "^[0-9.]+ 250" "the partial command was never run"
like "$(cat "$RR_LOG")" "\[127\.0\.0\.1\]: timeout: no complete command within 3 s \(rptrecv_command_timeout; [0-9]+ octets of one came\)" \
	"the log names the client, the timeout and the partial command"

# The deadline is per command: whole commands in time (0.9 s each at
# 0.15 s an octet), 6 s in all.
out=$(rr_clients trickle 127.0.0.1 0.15 'EHLO ok.example.org\r\n' \
	'NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nQUIT\r\n')
note "$(echo "$out" | tr '\n' '|')"
is "$(echo "$out" | grep -c ' 250 2.0.0 Ok$')" 7 \
	"a client whose commands each end in time is served past the deadline"
like "$out" "221 2.0.0 Bye" "and gets to QUIT"
unlike "$out" "421" "without a 421"

# After the greeting, silence: the same deadline.
out=$(rr_clients trickle 127.0.0.1 1 "" "")
t=$(at "$out" "421 4.4.2")
ok "a silent client gets 421 at the deadline (at ${t}s)" between "$t" 2.5 6

# The text of a message: its own deadline, also cut off mid-trickle.
before=$(rr_spooled)
out=$(rr_clients trickle 127.0.0.1 0.5 \
	'EHLO d.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<tlsrpt@sts.test>\r\nDATA\r\n' \
	'Subject: slow\r\n\r\none octet at a time, for longer than the data deadline\r\n.\r\n')
note "$(echo "$out" | tr '\n' '|')"
like "$out" "421 4.4.2 localhost Error: data timeout exceeded \(4 s for the text of a message\); closing connection" \
	"a trickled message text gets 421 naming the data timeout"
t=$(at "$out" "421 4.4.2")
ok "at the 4 s deadline from 354 (at ${t}s)" between "$t" 3.5 7
is "$(rr_spooled)" "$before" "nothing of it is queued"
is "$(find "$RR_SPOOL/incoming" -name '*.tmp' | wc -l)" 0 "not even a temporary file"

# While the data deadline runs, the command deadline does not cut the
# text: 3.4 s of text at a steady pace, under the 4 s of the message.
out=$(rr_clients trickle 127.0.0.1 0.2 \
	'EHLO d.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<tlsrpt@sts.test>\r\nDATA\r\nSubject: ok\r\n\r\n' \
	'abcdef\r\n.\r\nQUIT\r\n')
like "$out" "250 2.0.0 Ok: queued as" "a text that ends before the data deadline is queued"
like "$out" "221 2.0.0 Bye" "and the next command is read"

# 20 slow clients at once are all cut at their deadline: none holds on.
pids=()
for i in $(seq 20); do
	rr_clients trickle "127.0.$i.1" 1 "" 'EHLO slow.example.org\r\n' >"$RR_DIR/slow.$i" &
	pids+=($!)
done
wait "${pids[@]}"
n=$(cat "$RR_DIR"/slow.* | grep -c "421 4.4.2 localhost Error: command timeout exceeded")
is "$n" 20 "20 slow clients at once each get the command timeout"
late=$(cat "$RR_DIR"/slow.* | awk '/421 4.4.2/ && $1 > 6 { n++ } END { print n + 0 }')
is "$late" 0 "none of them later than 6 s"

is "$(rr_pid)" "$pid0" "rptrecv never restarted"
unlike "$(cat "$RR_LOG")" "panic|fatal|runtime error|Sanitizer" "no panic or sanitizer report in the log"
rr_stop
is "$(rr_leaks)" "" "rptrecv exits on SIGTERM without a leak or sanitizer error"
done_testing
