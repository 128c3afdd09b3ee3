#!/bin/bash
# tests/dnsmon/pages.t - dnsmon reads policyd's domain list a page (1000
# domains) at a time as its round goes: a round over 2500 domains
# checks and stores each one, those on either side of a page's end
# included; when policyd dies in the middle of a round, the domains
# already listed are checked, the round says it was cut short, and the
# next one starts 30 s later over every domain.
# slow
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/dnsmon/ns.sh"

inst_need stsctl policyd master dnsmon
t_need python3

N=2500
dnsmon_zone "$N" pages.test
ns_create && ns_dns_start sts.test "$t/sts.zone" pages.test "$t/pages.test.zone" ||
	{ fail "knot starts"; done_testing; }

# 500 queries a second: the round lasts about 20 s, long enough to kill
# policyd while it runs; no early checks during the test.
instance_start "$t/i" sts_zone=sts.test domain_verification=none \
	report_recipients=tlsrpt@sts.test dnsmon_probe=no \
	dnsmon_query_timeout=2s dnsmon_interval=1h dnsmon_query_rate=500 \
	dnsmon_retry_min=1h dnsmon_retry_max=1h ||
	{ fail "instance starts"; done_testing; }
dnsmon_import "$N" pages.test

dnsmon_add
first() { grep -q "dnsmon.*round done: $N domains" "$LOG"; }
# show what dnsmon said last when a wait fails
said() { grep 'dnsmon' "$LOG" | grep -v 'early check\|asked for' | tail -4 | sed 's/^/# /'; }
ok "a round over the $N domains of three pages ends" wait_until 180 first || said
checked() { $STSCTL domain show "$1" --json | sed -n 's/^ *"checked": \([0-9]*\),*$/\1/p'; }
# policyd lists in byte order: d1, d10, d100, d1000, d1001, ...
names=$($STSCTL domain list 2>/dev/null | awk '{ print $1 }' | grep '^d[0-9]*\.pages\.test$')
for k in 1 1000 1001 2000 2001 $N; do
	d=$(sed -n "${k}p" <<<"$names")
	ok "the domain at place $k of the list ($d) has its check stored" \
		[ -n "$d" ] && [ -n "$(checked "$d")" ]
done

# policyd dies in the middle of the next round: after the first two pages
# (asked for at the start), before the third (asked for when fewer than
# 1000 domains are left to start, some 8 s in).
n=$(grep -c 'dnsmon.*round: checking' "$LOG")
dnsmon_pid() { pgrep -f -- "-n dnsmon .*$I/etc|$I/etc.* -n dnsmon" | head -1; }
policyd_pid() { pgrep -f -- "-n policyd .*$I/etc|$I/etc.* -n policyd" | head -1; }
kill "$(dnsmon_pid)"	# master starts it again: a round a second later
second() { [ "$(grep -c 'dnsmon.*round: checking' "$LOG")" -gt "$n" ]; }
ok "a new dnsmon starts a round" wait_until 30 second
sleep 2
kill -9 "$(policyd_pid)"
cut() { grep -q 'dnsmon.*round cut short:' "$LOG"; }
ok "with policyd gone, the round is cut short" wait_until 90 cut || said
like "$(grep 'dnsmon.*no domain list from policyd' "$LOG")" \
	'no domain list from policyd after 2000 domains: .*; the round ends with the domains already listed, the next one starts in 30 s' \
	"... after the two pages it had, saying why"
like "$(grep 'dnsmon.*round cut short:' "$LOG")" \
	"round cut short: 2000 domains checked in .*; next in 30 s\$" \
	"... and those 2000 domains are checked"
again() { [ "$(grep -c "dnsmon.*round done: $N domains" "$LOG")" -ge 2 ]; }
ok "the next round, 30 s later, checks every domain again" wait_until 180 again || said
unlike "$(grep dnsmon "$LOG")" 'panic|Sanitizer|runtime error' "no crash in the log"
done_testing
