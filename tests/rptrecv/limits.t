#!/bin/bash
# rptrecv: connections are counted per client network (IPv4 /24) and in
# total, and each refusal names the limit that was hit.  The addresses of
# 127.0.0.0/8 stand for different networks: 127.0.1.x and 127.0.2.x are
# two /24s.  A network at its limit does not keep other senders out.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptrecv/instance.sh"

RR_CHROOT=n
rr_started "rptrecv_client_connection_limit = 3" "rptrecv_connection_limit = 5"
pid0=$(rr_pid)

# Three addresses of 127.0.1.0/24 fill its limit of 3: a fourth address
# of the same /24 is refused, an unrelated sender still gets in, until
# the total limit of 5.
out=$(rr_clients hold 2 127.0.1.1 127.0.1.2 127.0.1.3 127.0.1.4 127.0.2.1 \
	127.0.3.1 127.0.4.1)
note "$(echo "$out" | tr '\n' '|')"
for a in 127.0.1.1 127.0.1.2 127.0.1.3; do
	like "$out" "^$a 220 localhost ESMTP" "$a (of 127.0.1.0/24) gets in"
done
like "$out" "127\.0\.1\.4 421 4\.7\.0 localhost Error: too many connections from your network 127\.0\.1\.0/24 \(limit 3\); try again later" \
	"a 4th address of the same /24 gets 421 4.7.0 naming the network and its limit"
like "$out" "127\.0\.2\.1 220 localhost ESMTP" \
	"a sender of another /24 gets in while 127.0.1.0/24 is at its limit"
like "$out" "127\.0\.3\.1 220 localhost ESMTP" "so does a third network (5 in all)"
like "$out" "127\.0\.4\.1 421 4\.3\.2 localhost Error: too many connections in total \(limit 5\); try again later" \
	"the 6th connection gets 421 4.3.2 naming the total limit"
is "$(echo "$out" | grep -c ' 221 2.0.0 Bye')" 5 "the 5 admitted sessions still work (QUIT gets 221)"
log=$(cat "$RR_LOG")
like "$log" "\[127\.0\.1\.4\]: refused: too many connections from 127\.0\.1\.0/24 \(3, rptrecv_client_connection_limit 3\)" \
	"the log names the client, its network and the parameter"
like "$log" "\[127\.0\.4\.1\]: refused: too many connections in total \(5, rptrecv_connection_limit 5\)" \
	"and the total limit with its parameter"

# Once they are gone, the network gets in again: the counts went back.
out=$(rr_clients hold 0 127.0.1.4 127.0.1.5 127.0.1.6 127.0.1.7)
like "$out" "127\.0\.1\.6 220" "the counts of a network go down when its sessions close"
like "$out" "127\.0\.1\.7 421 4\.7\.0 .*127\.0\.1\.0/24" "and it is held to its limit again"

# A flood from one /24 (20 addresses, 5 connections each) fills only its
# share: another network is served meanwhile.
srcs=$(for h in $(seq 20); do for _ in 1 2 3 4 5; do printf '127.0.9.%d ' "$h"; done; done)
# shellcheck disable=SC2086
rr_clients hold 3 $srcs >"$RR_DIR/flood.out" &
flood=$!
wait_until 10 grep -q '^127.0.9.20 ' "$RR_DIR/flood.out"
out=$(rr_clients hold 0 127.0.10.1)
like "$out" "127\.0\.10\.1 220 localhost ESMTP" "a sender gets in during a flood from one /24"
wait "$flood"
is "$(grep -c ' 220 ' "$RR_DIR/flood.out")" 3 "the flooding /24 got its 3 connections"
is "$(grep -c '421 4.7.0 localhost Error: too many connections from your network 127.0.9.0/24' "$RR_DIR/flood.out")" 97 \
	"and its other 97 got 421 naming its network"

is "$(rr_pid)" "$pid0" "rptrecv never restarted"
unlike "$(cat "$RR_LOG")" "panic|fatal|runtime error|Sanitizer" "no panic or sanitizer report in the log"
rr_stop
is "$(rr_leaks)" "" "rptrecv exits on SIGTERM without a leak or sanitizer error"
done_testing
