#!/bin/bash
# rptrecv stops gracefully on SIGTERM ("stsd stop", or a reload that
# restarts it): a session between commands gets "421 4.3.2 ... Service
# shutting down" and is closed; a session in the middle of a message may
# finish it within the grace, gets its 250 (the message is in the spool)
# and the 421 on its next command; a connection made meanwhile is left
# to the next rptrecv; a session still in DATA at the deadline gets the
# 421 and nothing of its message is stored; the process exits within
# the deadline, well before master would kill it, without a leak.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptrecv/instance.sh"

GRACE=3			# SERVER_STOP_GRACE (lib/server.h)
MASTER_GRACE=5		# MASTER_STOP_GRACE (master/master.h)

# Not chrooted, so that LeakSanitizer sees the graceful exit too.
RR_CHROOT=n
rr_started
trap '' PIPE

now() { date +%s.%N; }
elapsed() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.2f\n", a - b }'; }
# lt A B: A < B, as decimals
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
gone() { ! kill -0 "$1" 2>/dev/null; }
# wait_gone PID: waits up to MASTER_GRACE + 1 s; prints the seconds taken.
wait_gone() {
	local t0 pid=$1
	t0=$(now)
	while ! gone "$pid"; do
		lt $((MASTER_GRACE + 1)) "$(elapsed "$t0")" && break
		sleep 0.05
	done
	elapsed "$t0"
}

# reply FD [TIMEOUT]: the lines of one reply, the last one "NNN text".
reply() {
	local line fd=$1 t=${2:-5}
	while IFS= read -r -t "$t" line <&"$fd"; do
		line=${line%$'\r'}
		echo "$line"
		case $line in [0-9][0-9][0-9]" "*) return 0 ;; esac
	done
	return 1
}
last() { reply "$@" | tail -1; }
# closed FD: the server closed the connection (end of file, no more text).
closed() {
	local line
	read -r -t 3 line <&"$1"
	[ $? = 1 ] && [ -z "$line" ]
}
# session FD: connect on FD (in this shell, not in a $(...)).
session() { eval "exec $1<>/dev/tcp/127.0.0.1/$RR_PORT"; }
# ehlo FD: after the greeting, EHLO; prints the last line of its reply.
ehlo() {
	last "$1" >/dev/null
	printf 'EHLO client.example\r\n' >&"$1"
	last "$1"
}
# begin_message FD TAG: MAIL, RCPT, DATA and the first half of a message.
begin_message() {
	printf 'MAIL FROM:<reporter@sender.example>\r\n' >&"$1"
	last "$1" >/dev/null
	printf 'RCPT TO:<tlsrpt@%s>\r\n' "$RR_ZONE" >&"$1"
	last "$1" >/dev/null
	printf 'DATA\r\n' >&"$1"
	last "$1"
	printf 'Subject: stop test\r\nMessage-ID: <%s@sender.example>\r\n\r\nfirst half\r\n' \
	    "$2" >&"$1"
}
# in_data FD TAG NAME: session NAME on FD, in the middle of message TAG
# (two cases: EHLO and DATA answered); after 0.3 s for rptrecv to read
# it, pid is the pid of that rptrecv.
in_data() {
	session "$1"
	like "$(ehlo "$1")" '^250 ' "session $3: EHLO"
	like "$(begin_message "$1" "$2")" '^354 ' "session $3: DATA"
	sleep 0.3
	pid=$(rr_pid)
}
stored() { grep -lq "Message-ID: <$1@sender.example>" "$RR_SPOOL"/incoming/* 2>/dev/null; }
SHUTDOWN='^421 4\.3\.2 [^ ]+ Service shutting down, try again later$'

# (1) One session between commands, one in the middle of a message.
session 5
like "$(ehlo 5)" '^250 ' "session A: EHLO"
in_data 6 finished B
n0=$(rr_spooled)
kill -TERM "$pid"
like "$(last 5 2)" "$SHUTDOWN" "SIGTERM: the session between commands gets 421 4.3.2"
ok "and is closed" closed 5
exec 5>&-
ok "rptrecv still runs while a message is in progress" kill -0 "$pid"
exec 7<>"/dev/tcp/127.0.0.1/$RR_PORT"
greeting=""
read -r -t 0.5 greeting <&7
is "$greeting" "" "a connection made meanwhile is not taken by the stopping rptrecv"
printf 'second half\r\n.\r\n' >&6
answer=$(last 6)
like "$answer" '^250 2\.0\.0 Ok: queued as ' "the message in progress ends with 250"
ok "it is in the spool" stored finished
is "$(rr_spooled)" $((n0 + 1)) "exactly that message was added to the spool"
printf 'MAIL FROM:<reporter@sender.example>\r\n' >&6
like "$(last 6)" "$SHUTDOWN" "its next command gets 421 4.3.2"
ok "and the connection is closed" closed 6
exec 6>&-
took=$(wait_gone "$pid")
note "rptrecv exited $took s after its last session ended"
ok "rptrecv exits once its last session is gone, before the deadline" \
    lt "$took" "$GRACE"
like "$(last 7 10)" '^220 ' "the connection made meanwhile is greeted by the next rptrecv"
pid2=$(rr_pid)
ok "that is a new process" test -n "$pid2" -a "$pid2" != "$pid"
printf 'QUIT\r\n' >&7
exec 7>&-
like "$(grep "rptrecv\[$pid\]" "$RR_LOG")" 'stopping: 2 sessions open' \
    "the log says how many sessions were open at the stop"

# (2) A session stuck in DATA beyond the deadline: 421, nothing stored.
ok "the new rptrecv answers" wait_until 10 rr_answers
in_data 5 stuck C
n0=$(rr_spooled)
t0=$(now)
kill -TERM "$pid"
answer=$(last 5 $((MASTER_GRACE + 2)))
took=$(elapsed "$t0")
note "the stuck session got its reply after $took s"
like "$answer" "$SHUTDOWN" "a session still in DATA at the deadline gets 421 4.3.2"
nok "not before the grace of $GRACE s" lt "$took" "$((GRACE - 1)).9"
ok "and is closed" closed 5
exec 5>&-
took=$(elapsed "$t0")
took=$(awk -v a="$took" -v b="$(wait_gone "$pid")" 'BEGIN { print a + b }')
note "rptrecv exited $took s after SIGTERM"
ok "rptrecv exits within the deadline, before master's $MASTER_GRACE s" \
    lt "$took" "$MASTER_GRACE"
nok "nothing of the cut-off message is stored" stored stuck
is "$(rr_spooled)" "$n0" "the spool has no new message"
is "$(find "$RR_SPOOL/incoming" -name '*.tmp' | wc -l)" 0 "no temporary file is left"
like "$(grep "rptrecv\[$pid\]" "$RR_LOG")" 'the text of a message was cut off' \
    "the log says that a message was cut off"
unlike "$(grep "rptrecv\[$pid\]" "$RR_LOG")" 'last replies not sent' \
    "the 421 went out before the last moment"

# (3) A second SIGTERM stops at once, even with a message in progress.
ok "the new rptrecv answers" wait_until 10 rr_answers
in_data 5 twice D
kill -TERM "$pid"
sleep 0.3
kill -TERM "$pid"
took=$(wait_gone "$pid")
ok "a second SIGTERM stops rptrecv at once" lt "$took" 1
exec 5>&-
nok "nothing of that message is stored" stored twice

ok "rptrecv answers again" wait_until 10 rr_answers
unlike "$(cat "$RR_LOG")" "panic|fatal|runtime error|Sanitizer" "no panic or sanitizer report in the log"
rr_stop
is "$(rr_leaks)" "" "no leak or sanitizer error in the stopped processes"
done_testing
