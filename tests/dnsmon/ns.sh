# tests/dnsmon/ns.sh - the start of a test of the suite's DNS checks, with
# knot in a network namespace (tests/netns.sh) and an instance
# (tests/stsctl/instance.sh).  Source after tests/lib.sh.
# SPDX-License-Identifier: ISC
#
# Skips the test unless it runs as root (ip netns).  Sets t, a fresh
# directory, and writes $t/sts.zone: the service zone sts.test, whose ns
# and mta-sts are 127.0.0.1.

source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/stsctl/instance.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns"
t=$(t_tmpdir)
{ ns_zone_head sts.test; printf 'ns A 127.0.0.1\nmta-sts A 127.0.0.1\n'; } >"$t/sts.zone"

# dnsmon_add [LINE]: dnsmon's master.cf line (LINE, or one without
# chroot) added when the instance has none, and master told (SIGHUP);
# sets LOG, the instance's log.
dnsmon_add() {
	grep -q '^dnsmon ' "$I/etc/master.cf" || {
		echo "${1:-dnsmon    unix  n  n  n  -  1  dnsmon}" >>"$I/etc/master.cf"
		kill -HUP "$(head -1 "$I/spool/pid/master.pid")"
	}
	LOG=$I/log/stsd.log
}

# dnsmon_import N ZONE: N domains dK.ZONE (mx *.ZONE) by "stsctl domain
# import", one test case.
dnsmon_import() {
	local n=$1 zone=$2 i
	for i in $(seq "$n"); do echo "d$i.$zone *.$zone"; done >"$t/import"
	$STSCTL domain import "$t/import" >"$t/import.out" 2>&1
	like "$(cat "$t/import.out")" "$n domains" "$n domains imported"
}

# dnsmon_zone N ZONE: writes $t/ZONE.zone, N domains dK.ZONE, each with
# one of four MX hosts mx0..mx3.ZONE (127.0.0.2) and mta-sts.dK a CNAME
# to the policy host of sts.test.
dnsmon_zone() {
	local n=$1 zone=$2 i k
	{
		ns_zone_head "$zone"
		for k in 0 1 2 3; do echo "mx$k A 127.0.0.2"; done
		for i in $(seq "$n"); do
			echo "d$i MX 10 mx$((i % 4)).$zone."
			echo "mta-sts.d$i CNAME mta-sts.sts.test."
		done
	} >"$t/$zone.zone"
}

# dnsmon_update_key FILE: the update key of knot (ns_dns_start) in FILE,
# mode 0600, owned by stsd, the instances' mail_owner (policyd's child
# reads it), for dns_update_key_file.
dnsmon_update_key() {
	t_stsd_user
	install -m 600 -o stsd "$NS_TSIG_FILE" "$1"
}

# dnsmon_recursor ZONE...: the namespace's resolver recurses into knot's
# ZONEs (ns_recursor), answers kept a second at most, so that a record
# changed in knot is seen at once.  One case.
dnsmon_recursor() {
	ns_recursor "$t" 1 "$@"
	ok "the namespace's resolver: unbound on 127.0.0.53, recursing into knot" \
		wait_until 10 dnsmon_recursing "$1"
}
dnsmon_recursing() {
	[ -n "$(ns_exec kdig +short +time=1 +retry=0 @127.0.0.53 "$1" SOA)" ]
}
