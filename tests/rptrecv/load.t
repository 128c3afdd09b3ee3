#!/bin/bash
# rptrecv: 1,000 connections at once.  Each gets a greeting (220) or, over
# rptrecv_connection_limit, 421 4.3.2 (over rptrecv_client_connection_limit,
# 421 4.7.0);
# memory stays bounded; rptrecv does not crash and still delivers after.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptrecv/instance.sh"

ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 2200 ] || skip_all "open file limit $(ulimit -n) is too low"

rr_started "rptrecv_connection_limit = 800" "rptrecv_client_connection_limit = 2000"
pid0=$(rr_pid)

rr_smtp many 1000 4 >"$RR_DIR/many.out" &
client=$!
wait_until 20 grep -q 'connect from' "$RR_LOG"
sleep 3
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid0/status")
wait "$client"
out=$(cat "$RR_DIR/many.out")
note "replies: $(echo $out); rptrecv VmRSS ${rss} kB"
is "$(echo "$out" | awk '$1 == 220 {print $2}')" 800 "800 connections (the limit) get 220"
is "$(echo "$out" | awk '$1 == 421 {print $2}')" 200 "the 200 over the limit get 421"
unlike "$out" "none|noconnect" "no connection is refused or left without a reply"
like "$(cat "$RR_LOG")" "too many connections in total \(800, rptrecv_connection_limit 800\)" \
	"the refusals are logged, naming the limit"
ok "rptrecv VmRSS ($rss kB) stays under 64 MiB with 800 sessions" test "${rss:-999999}" -lt 65536

# Per client: a lower limit for one address.
rr_stop
rr_start "rptrecv_client_connection_limit = 10" || { fail "restart"; done_testing; }
out=$(rr_smtp many 30 1)
is "$(echo "$out" | awk '$1 == 220 {print $2}')" 10 "10 connections from one client get 220"
is "$(echo "$out" | awk '$1 == 421 {print $2}')" 20 "the others get 421 4.7.0"

out=$(printf 'EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<tlsrpt@sts.test>\r\nDATA\r\nSubject: after\r\n\r\nx\r\n.\r\nQUIT\r\n' | rr_smtp raw 2)
like "$out" "250 2.0.0 Ok: queued as" "a message is queued after the connections closed"
unlike "$(cat "$RR_LOG")" "panic|fatal|runtime error|Sanitizer" "no panic or sanitizer report in the log"
done_testing
