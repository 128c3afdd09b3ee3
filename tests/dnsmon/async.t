# tests/dnsmon/async.t - dnsmon's own asynchronous DNS, in the daemon:
# a first nameserver that never answers is passed over for the next one,
# a truncated UDP answer (a 4 KiB TXT record) is asked again over TCP, a
# CNAME loop is a DNS error, and when no nameserver answers a round still
# ends, in bounded time, with every lookup recorded as timed out.
# slow
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/dnsmon/ns.sh"

inst_need stsctl policyd master dnsmon
t_need python3

big=$(for i in $(seq 16); do printf '"%s" ' "$(head -c 250 /dev/zero | tr '\0' x)"; done)
{ ns_zone_head big.test; printf '@ MX 10 mx1.big.test.\nmx1 A 127.0.0.2\n_mta-sts TXT "v=STSv1; id=1; a=" %s\n' "$big"; } >"$t/big.zone"
{ ns_zone_head loop.test; cat <<'Z'; } >"$t/loop.zone"
@ MX 10 mx1.big.test.
_mta-sts CNAME a.loop.test.
a CNAME b.loop.test.
b CNAME a.loop.test.
Z
ns_create && ns_dns_start sts.test "$t/sts.zone" big.test "$t/big.zone" \
	loop.test "$t/loop.zone" || { fail "knot starts"; done_testing; }
ns_exec python3 "$SRCDIR/tests/dnsmon/dnssink.py" 127.0.0.7 >/dev/null 2>&1 &
# The first nameserver never answers.  Rewritten in place: the daemons
# see the file that "ip netns exec" bind-mounted.
printf 'nameserver 127.0.0.7\nnameserver 127.0.0.1\n' >"/etc/netns/$NS/resolv.conf"

instance_start "$t/i" sts_zone=sts.test domain_verification=none \
	report_recipients=tlsrpt@sts.test dnsmon_probe=no \
	dnsmon_query_timeout=2s dnsmon_interval=1s ||
	{ fail "instance starts"; done_testing; }
for d in big.test loop.test; do
	$STSCTL domain add $d --mx "*.big.test" >/dev/null 2>&1
done
dnsmon_add
round2() { grep -q 'dnsmon.*round done: 2 domains' "$LOG"; }
ok "a round over both domains ends" wait_until 30 round2
line=$(grep -m1 'dnsmon.*round done: 2 domains' "$LOG")
like "$line" '\([1-9][0-9]* sent again, 0 timed out, [1-9][0-9]* over TCP\)' \
	"queries go on to the next nameserver, and truncated answers over TCP"
checks() { $STSCTL domain show "$1" --json; }
like "$(checks big.test)" 'TXT _mta-sts\.big\.test has id 1, the current policy id is' \
	"a 4 KiB TXT record is read whole (over TCP) and checked"
like "$(checks loop.test)" 'TXT _mta-sts\.loop\.test: CNAME chain too long or a loop' \
	"a CNAME loop is a DNS error"

# No nameserver answers at all.
printf 'nameserver 127.0.0.7\n' >"/etc/netns/$NS/resolv.conf"
n=$(grep -c 'dnsmon.*round done:' "$LOG")
start=$SECONDS
newround() { [ "$(grep -c 'dnsmon.*round done:' "$LOG")" -gt $((n + 1)) ]; }
ok "with no answering nameserver a round still ends" wait_until 40 newround
el=$((SECONDS - start))
ok "... in bounded time (${el}s for two rounds)" [ "$el" -le 30 ]
like "$(grep 'dnsmon.*round done:' "$LOG" | tail -1)" '[1-9][0-9]* timed out' \
	"... with its lookups timed out"
like "$(checks big.test)" 'MX lookup of big\.test: timed out' \
	"a lookup that nobody answers is recorded as timed out"
printf 'nameserver 127.0.0.1\n' >"/etc/netns/$NS/resolv.conf"
unlike "$(cat "$LOG")" 'panic|Sanitizer|runtime error' "no crash in the log"
done_testing
