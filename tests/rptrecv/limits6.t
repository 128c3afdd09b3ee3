#!/bin/bash
# rptrecv: IPv6 clients are counted by their /64.  In a network namespace
# of its own (root), the loopback gets addresses of two /64s of
# 2001:db8::/32, and rptrecv listens on the wildcard address.
# SPDX-License-Identifier: ISC
[ "$(id -u)" = 0 ] || { echo "# skip: needs root (a network namespace)"; exit 0; }
if [ -z "${RR_NETNS_DONE:-}" ]; then
	RR_NETNS_DONE=1 exec unshare --net -- bash "$0" "$@"
fi
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptrecv/instance.sh"

ip link set lo up || skip_all "cannot bring up lo in a network namespace"
for a in 2001:db8:1:2::1 2001:db8:1:2::2 2001:db8:1:2:ffff::9 2001:db8:1:3::1; do
	ip -6 addr add "$a/128" dev lo nodad || skip_all "cannot add $a"
done

RR_CHROOT=n
rr_prepare_hook() {
	sed -i -E "s/^[^ #]*:$RR_PORT /*:$RR_PORT /" "$RR_DIR/etc/master.cf"
}
rr_started "rptrecv_client_connection_limit = 2"

out=$(rr_clients hold 1 2001:db8:1:2::1 2001:db8:1:2::2 2001:db8:1:2:ffff::9 \
	2001:db8:1:3::1 127.0.0.1)
note "$(echo "$out" | tr '\n' '|')"
like "$out" "^2001:db8:1:2::1 220 " "a first address of 2001:db8:1:2::/64 gets in"
like "$out" "2001:db8:1:2::2 220 " "a second one too (limit 2)"
like "$out" "2001:db8:1:2:ffff::9 421 4\.7\.0 localhost Error: too many connections from your network 2001:db8:1:2::/64 \(limit 2\)" \
	"a third address of the same /64 gets 421 naming the /64"
like "$out" "2001:db8:1:3::1 220 " "an address of another /64 gets in"
like "$out" "127\.0\.0\.1 220 " "and an IPv4 client"
like "$(cat "$RR_LOG")" "\[2001:db8:1:2:ffff::9\]: refused: too many connections from 2001:db8:1:2::/64 \(2, rptrecv_client_connection_limit 2\)" \
	"the log names the client and its /64"
unlike "$(cat "$RR_LOG")" "panic|fatal|runtime error|Sanitizer" "no panic or sanitizer report in the log"
rr_stop
is "$(rr_leaks)" "" "rptrecv exits on SIGTERM without a leak or sanitizer error"
done_testing
