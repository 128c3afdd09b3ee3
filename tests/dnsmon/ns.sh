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

# dnsmon_recursor ZONE...: unbound on 127.0.0.53 in the namespace, a
# recursive resolver whose stub zones ZONE... are knot's (127.0.0.1),
# becomes the namespace's resolver (its resolv.conf): knot answers a
# CNAME into another zone (_mta-sts.D CNAME D.sts.test) with the CNAME
# alone, and a stub resolver (c-ares in mta-sts-query) needs the chain
# followed, as a real resolver does.  Answers are kept a second at most,
# so that a record changed in knot is seen at once; the special-use
# names under test. (RFC 6761), which unbound answers itself, are
# looked up too.  One case.
dnsmon_recursor() {
	local z conf=$t/unbound.conf
	cat >"$conf" <<-CONF
	server:
	    interface: 127.0.0.53
	    port: 53
	    do-daemonize: no
	    username: ""
	    chroot: ""
	    directory: "$t"
	    pidfile: ""
	    use-syslog: no
	    logfile: "$t/unbound.log"
	    access-control: 127.0.0.0/8 allow
	    do-not-query-localhost: no
	    do-ip6: no
	    module-config: "iterator"
	    cache-max-ttl: 1
	    cache-max-negative-ttl: 1
	    local-zone: "test." nodefault
	CONF
	for z in "$@"; do
		printf 'stub-zone:\n    name: "%s"\n    stub-addr: 127.0.0.1\n' "$z" >>"$conf"
	done
	ns_exec unbound -c "$conf" >"$t/unbound.out" 2>&1 &
	echo "nameserver 127.0.0.53" >"/etc/netns/$NS/resolv.conf"
	ok "the namespace's resolver: unbound on 127.0.0.53, recursing into knot" \
		wait_until 10 dnsmon_recursing "$1"
}
dnsmon_recursing() {
	[ -n "$(ns_exec kdig +short +time=1 +retry=0 @127.0.0.53 "$1" SOA)" ]
}
