#!/bin/bash
# tests/metrics/dns.t - DNS check results on the metrics listener: dnsmon
# checks a domain against knot in a network namespace.  A check that is
# ok counts only in the aggregate of the round (stsd_dns_checks by check
# and status); a check that fails shows with its domain
# (stsd_dns_check_problem), goes away when it is ok again, and the
# problems of a deleted domain go with it.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/dnsmon/ns.sh"

inst_need dnsmon metrics stsctl
t_need curl

{ ns_zone_head good.test; printf '@ MX 10 mx1.good.test.\nmx1 A 127.0.0.2\n'; } >"$t/good.zone"
ns_create && ns_dns_start sts.test "$t/sts.zone" good.test "$t/good.zone" ||
	{ fail "knot starts"; done_testing; }

instance_start "$t/i" sts_zone=sts.test domain_verification=none \
	dnsmon_smtp_port="$(free_port)" dnsmon_probe_timeout=1s \
	dnsmon_query_timeout=1s dnsmon_interval=1s ||
	{ fail "instance starts"; done_testing; }
MP=$(awk '$8 == "metrics" { sub(/.*:/, "", $1); print $1 }' "$I/etc/master.cf")
[ -n "$MP" ] || { fail "a metrics line in master.cf"; done_testing; }
quiet $STSCTL domain add good.test --mx mx1.good.test

scrape() { ns_exec curl -s --max-time 5 "http://127.0.0.1:$MP/metrics"; }
value() {
	scrape | awk -v s="$1" '$1 == s { v = $2 } END { print v == "" ? "absent" : v }'
}
is_value() { [ "$(value "$1")" = "$2" ]; }
agg() { echo "stsd_dns_checks{check=\"$1\",status=\"$2\"}"; }
mxp='stsd_dns_check_problem{domain="good.test",check="mx",host="",status='
rounds() { [ "$(value stsd_dns_check_rounds_total)" -ge 1 ] 2>/dev/null; }
ok "dnsmon rounds counted" wait_until 20 rounds
ok "MX check ok: counted in the aggregate" wait_until 20 is_value "$(agg mx ok)" 1
out=$(scrape)
like "$out" "# TYPE stsd_dns_checks gauge" "the aggregate is a gauge"
like "$out" "$(agg mx fail | sed 's/[{}]/\\&/g') 0" "MX check ok: 0 for fail in the aggregate"
is "$(value "${mxp}\"fail\"}")" absent "MX check ok: no problem series of its domain"
unlike "$(grep '^stsd_dns_check_problem' <<<"$out")" 'check="mx"' \
	"MX check ok: no problem series of the MX check at all"
# The checks that fail in this set-up (no STS records) show with the domain.
like "$(grep '^stsd_dns_check_problem' <<<"$out")" \
	'^stsd_dns_check_problem\{domain="good.test",check="[a-z-]+",host="[^"]*",status="(fail|dns-error)"\} 1$' \
	"failing checks show with their domain"
nprob=$(grep -c '^stsd_dns_check_problem{' <<<"$out")
nbad=$(awk '/^stsd_dns_checks\{.*status="(fail|dns-error)"/ { n += $2 } END { print n + 0 }' <<<"$out")
is "$nprob" "$nbad" "one problem series per result not ok in the aggregate ($nbad)"

ns_dns_unset good.test good.test. MX
ok "MX removed: its problem shows with the domain" \
	wait_until 20 is_value "${mxp}\"fail\"}" 1
ok "MX removed: the aggregate moved to fail" wait_until 5 is_value "$(agg mx fail)" 1
is "$(value "$(agg mx ok)")" 0 "MX removed: ok went to 0 in the aggregate"

ns_dns_set good.test good.test. 60 MX "10 mx1.good.test."
ok "MX back: the problem series is removed" \
	wait_until 20 is_value "${mxp}\"fail\"}" absent
ok "MX back: the aggregate is ok again" wait_until 5 is_value "$(agg mx ok)" 1

quiet $STSCTL domain del good.test --now
gone() { ! scrape | grep -q '^stsd_dns_check_problem{domain="good.test"'; }
ok "a deleted domain: its problems go after the next round" wait_until 20 gone
done_testing
