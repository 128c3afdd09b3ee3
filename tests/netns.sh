# tests/netns.sh - a private network for integration tests.
# SPDX-License-Identifier: ISC
#
# Source after tests/lib.sh.  Needs root (ip netns).  Gives a test its
# own network namespace with its own loopback (so servers can listen on
# 127.0.0.1:443, :25 and :53 without touching the host), its own
# resolv.conf (nameserver 127.0.0.1, bind-mounted by "ip netns exec"),
# and an authoritative knot server for test zones that accepts TSIG-signed
# DNS UPDATEs.
#
#	ns_create			make the namespace; sets NS
#	ns_exec CMD...			run CMD inside it
#	ns_dns_start ZONE FILE ...	start knotd for these zones
#	ns_dns_set ZONE OWNER TTL TYPE RDATA	change a record now
#	ns_dns_unset ZONE OWNER [TYPE]	remove records
#	ns_dig NAME TYPE		short answer, via the namespace's resolver
#	ns_zone_head ZONE		the first lines of a zone file for ZONE:
#					$TTL, SOA, NS ns.sts.test.
#	ns_sts_zone DIR			the namespace, knot serving sts.test,
#					the update key in DIR/tsig.key
#	ns_recursor DIR TTL ZONE...	unbound on 127.0.0.53 recursing into
#					knot's ZONEs, the namespace's resolver
#
# After ns_dns_start, NS_TSIG_NAME, NS_TSIG_SECRET (base64) and
# NS_TSIG_FILE (a "name algorithm secret" line) describe the update key.
# Everything is removed at exit.

ns_create() {
	if [ "$(id -u)" != 0 ]; then
		echo "# ns_create: needs root" >&2
		return 1
	fi
	NS=stsd-t$$-$RANDOM
	ip netns add "$NS" || return 1
	ip netns exec "$NS" ip link set lo up
	mkdir -p "/etc/netns/$NS"
	echo "nameserver 127.0.0.1" >"/etc/netns/$NS/resolv.conf"
	# /etc/hosts too, so that nothing of the host's leaks in.
	printf '127.0.0.1 localhost\n::1 localhost\n' >"/etc/netns/$NS/hosts"
	at_exit ns_destroy "$NS"
	export NS
}

ns_destroy() {
	local ns=$1 pids
	pids=$(ip netns pids "$ns" 2>/dev/null)
	[ -n "$pids" ] && kill $pids 2>/dev/null
	sleep 0.2
	pids=$(ip netns pids "$ns" 2>/dev/null)
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "/etc/netns/$ns"
}

ns_exec() {
	ip netns exec "$NS" "$@"
}

# ns_dns_start ZONE ZONEFILE [ZONE ZONEFILE ...]
ns_dns_start() {
	local dir zone file
	dir=$(t_tmpdir)
	NS_DNS_DIR=$dir
	NS_TSIG_NAME=stsd-update
	NS_TSIG_SECRET=$(head -c 32 /dev/urandom | base64)
	NS_TSIG_FILE=$dir/tsig.key
	echo "$NS_TSIG_NAME hmac-sha256 $NS_TSIG_SECRET" >"$NS_TSIG_FILE"
	chmod 600 "$NS_TSIG_FILE"
	cat >"$dir/knot.conf" <<-CONF
	server:
	    listen: 127.0.0.1@53
	    listen: ::1@53
	    rundir: $dir
	database:
	    storage: $dir
	log:
	  - target: $dir/knot.log
	    any: info
	key:
	  - id: $NS_TSIG_NAME
	    algorithm: hmac-sha256
	    secret: $NS_TSIG_SECRET
	acl:
	  - id: update
	    key: $NS_TSIG_NAME
	    action: update
	template:
	  - id: default
	    storage: $dir
	    semantic-checks: off
	    zonefile-sync: -1
	    journal-content: none
	    acl: update
	zone:
	CONF
	while [ $# -ge 2 ]; do
		zone=$1 file=$2
		shift 2
		cp "$file" "$dir/$zone.zone"
		echo "  - domain: $zone" >>"$dir/knot.conf"
		echo "    file: $dir/$zone.zone" >>"$dir/knot.conf"
	done
	chmod -R a+rX "$dir"
	chmod 600 "$NS_TSIG_FILE"	# a TSIG key must not be readable by others
	ns_exec knotd -c "$dir/knot.conf" >"$dir/knotd.out" 2>&1 &
	if ! wait_until 10 ns_exec knotc -c "$dir/knot.conf" status; then
		echo "# knotd did not start:" >&2
		sed 's/^/# /' "$dir/knotd.out" "$dir/knot.log" >&2
		return 1
	fi
	export NS_DNS_DIR NS_TSIG_NAME NS_TSIG_SECRET NS_TSIG_FILE
}

ns_knotc() {
	ns_exec knotc -c "$NS_DNS_DIR/knot.conf" "$@"
}

# ns_dns_set ZONE OWNER TTL TYPE RDATA: replaces OWNER's TYPE records.
ns_dns_set() {
	local zone=$1 owner=$2 ttl=$3 type=$4; shift 4
	ns_knotc zone-begin "$zone" >/dev/null &&
	ns_knotc zone-unset "$zone" "$owner" "$type" >/dev/null 2>&1
	ns_knotc zone-set "$zone" "$owner" "$ttl" "$type" "$@" >/dev/null &&
	ns_knotc zone-commit "$zone" >/dev/null
}

# ns_dns_unset ZONE OWNER [TYPE]
ns_dns_unset() {
	local zone=$1; shift
	ns_knotc zone-begin "$zone" >/dev/null &&
	ns_knotc zone-unset "$zone" "$@" >/dev/null &&
	ns_knotc zone-commit "$zone" >/dev/null
}

# ns_dig NAME TYPE: the answer's rdata, one per line.
ns_dig() {
	ns_exec kdig +short +time=2 +retry=0 @127.0.0.1 "$1" "$2"
}

# ns_sts_zone DIR: the namespace, with knot serving an empty service zone
# sts.test (SOA, NS) that takes signed updates, and the update key in
# DIR/tsig.key, readable by mail_owner stsd only (policyd's child reads
# it), for dns_update_key_file.  Fails when knot does not start.
ns_sts_zone() {
	local d=$1
	printf '$TTL 60\n@ SOA ns.sts.test. h.sts.test. 1 60 60 600 60\n NS ns.sts.test.\nns A 127.0.0.1\n' \
		>"$d/sts.zone"
	ns_create && ns_dns_start sts.test "$d/sts.zone" || return 1
	t_stsd_user
	install -m 600 -o stsd "$NS_TSIG_FILE" "$d/tsig.key"
}

# ns_recursor DIR TTL ZONE...: unbound on 127.0.0.53 in the namespace
# (its files in DIR), a recursive resolver whose stub zones ZONE... are
# knot's (127.0.0.1), becomes the namespace's resolver (its
# resolv.conf): knot answers a CNAME into another zone with the CNAME
# alone, and a stub resolver (getaddrinfo, c-ares in mta-sts-query)
# needs the chain followed, as a real resolver does.  Answers are kept
# TTL seconds at most, "no such name" a second (a record the test adds
# is found at once); the special-use names under test. (RFC 6761),
# which unbound answers itself, are looked up too.  The caller waits
# until it answers.
ns_recursor() {
	local z d=$1 ttl=$2 conf=$1/unbound.conf
	shift 2
	cat >"$conf" <<-CONF
	server:
	    interface: 127.0.0.53
	    port: 53
	    do-daemonize: no
	    username: ""
	    chroot: ""
	    directory: "$d"
	    pidfile: ""
	    use-syslog: no
	    logfile: "$d/unbound.log"
	    access-control: 127.0.0.0/8 allow
	    do-not-query-localhost: no
	    do-ip6: no
	    module-config: "iterator"
	    cache-max-ttl: $ttl
	    cache-max-negative-ttl: 1
	    local-zone: "test." nodefault
	CONF
	for z in "$@"; do
		printf 'stub-zone:\n    name: "%s"\n    stub-addr: 127.0.0.1\n' "$z" >>"$conf"
	done
	ns_exec unbound -c "$conf" >"$d/unbound.out" 2>&1 &
	echo "nameserver 127.0.0.53" >"/etc/netns/$NS/resolv.conf"
}

ns_zone_head() {
	printf '$TTL 60\n@ SOA ns.%s. h.%s. 1 60 60 600 60\n NS ns.sts.test.\n' "$1" "$1"
}

# ns_wrap_daemons DIR PROGRAM [ENV...]: DIR becomes a daemon directory
# (LIBEXEC of tests/instance.sh) with the daemons of the build, PROGRAM
# among them running inside the namespace, with ENV (NAME=VALUE words)
# in its environment; the daemons master starts inherit both.  (An
# instance whose commands all run in the namespace needs none: NS set
# is enough for tests/instance.sh.)
ns_wrap_daemons() {
	local d=$1 prog=$2 p; shift 2
	mkdir -p "$d"
	for p in "$BUILDDIR"/libexec/*; do ln -sf "$(readlink -f "$p")" "$d/${p##*/}"; done
	rm -f "$d/$prog"
	printf '#!/bin/sh\nexec ip netns exec %s env %s %s "$@"\n' "$NS" "$*" \
		"$(readlink -f "$BUILDDIR/libexec/$prog")" >"$d/$prog"
	chmod 755 "$d/$prog"
}
