#!/bin/bash
# tests/cluster/lease.t - two nodes A and B (master, policyd, dnsmon,
# acmed and rptparse each) on one PostgreSQL database (tests/pg.sh),
# cluster_lease_time = 6s: A takes the leases and runs dnsmon's rounds;
# B's dnsmon skips its rounds and says so once, naming A, and so do its
# acmed for its runs (stsctl cert renew on B is refused, naming A) and
# its rptparse for the silent-reporter run (the lease alerts); stsctl
# node list on B shows both nodes and A's leases.  A domain added on B
# is published by DNS UPDATE from A (the server is a port where nothing
# answers: each attempt fails, and says so), never from B.  kill -9 of
# every process of A (master and its children), kept down: B takes the
# lease within cluster_lease_time and one heartbeat (6 s + 2 s), runs a
# round, and its acmed, rptparse and DNS UPDATEs go on; A's heartbeat
# grows old in stsctl node list, and A holds no lease.  A connection
# that the server closes is found by the next heartbeat: policyd stops,
# master starts it, B keeps its leases.  On SQLite one instance lists
# its node holding every lease, and its dnsmon never asks; stsconf
# refuses a bad node_name and a cluster_lease_time out of 5s..1h.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/pg.sh"
source "$SRCDIR/tests/instance.sh"

LEASE_TIME=6		# s, cluster_lease_time
HEARTBEAT=2		# s, a third of it (lease.h)
SLACK=1			# s of this script's polling and of scheduling

inst_need master policyd dnsmon acmed rptparse stsctl stsconf stsd
pg_need

dir=$(t_tmpdir)
pg_test_db "$dir" t_lease_$$
conninfo=$(pg_conninfo "$pg" "$db")
dns_port=$(free_port)	# nothing answers there

# lease_node VAR NAME: an instance in $dir/NAME that runs master, policyd,
# dnsmon, acmed (no domain: it orders nothing) and rptparse on the test
# database as node NAME, started, policyd
# answering.  Sets VAR_I (its directory) and VAR_CTL (its stsctl).
lease_node() {
	local var=$1 name=$2
	inst_init "$dir/$name" || { fail "stsd init $name"; done_testing; }
	inst_only policyd dnsmon acmed rptparse
	inst_set storage_engine=postgresql "postgresql_conninfo=$conninfo" \
		domain_verification=none "node_name=$name" \
		acme_smtp_certificate=no "dns_update_server=127.0.0.1:$dns_port" \
		policyd_dns_retry_min=1s policyd_dns_retry_max=2s \
		"cluster_lease_time=${LEASE_TIME}s" ||
		{ fail "stsconf -e on $name"; done_testing; }
	inst_start || { fail "$name starts"; done_testing; }
	ok "policyd of $name answers" inst_wait_policyd
	printf -v "${var}_I" %s "$I"
	printf -v "${var}_CTL" %s "$STSCTL"
}

# procs_of DIR: master of the instance in DIR and all its descendants.
procs_of() {
	local pids todo p
	todo=$(head -1 "$1/spool/pid/master.pid" | tr -dc 0-9)
	[ -n "$todo" ] || return 0
	while [ -n "$todo" ]; do
		pids="$pids $todo"
		p=$todo
		todo=$(for q in $p; do pgrep -P "$q"; done | tr '\n' ' ')
		todo=${todo% }
	done
	echo $pids
}

# lines FILE RE: how many lines of FILE match RE.
lines() { grep -cE "$2" "$1" 2>/dev/null || true; }

# node_field CTL NAME FIELD: a member of node NAME in CTL's node list.
node_field() {
	$1 node list --json | python3 -c '
import json, sys
for n in json.load(sys.stdin)["nodes"]:
    if n["name"] == sys.argv[1]:
        v = n[sys.argv[2]]
        print(",".join(v) if isinstance(v, list) else v)' "$2" "$3"
}

lease_node A node-a
A_LOG=$A_I/log/stsd.log
ok "A takes the lease dnsmon" wait_until 10 grep -q \
	'stsd/policyd\[[0-9]*\]: lease dnsmon: taken by this node (node-a) for 6 s' "$A_LOG"
ok "A's dnsmon runs a round" wait_until 10 grep -q \
	'stsd/dnsmon\[[0-9]*\]: round done: 0 domains checked' "$A_LOG"

lease_node B node-b
B_LOG=$B_I/log/stsd.log
ok "B's policyd sees that A holds it" wait_until 10 grep -qE \
	'stsd/policyd\[[0-9]*\]: lease dnsmon: held by node node-a for [0-9]+ s more' "$B_LOG"
ok "B's dnsmon skips its round, naming A" wait_until 10 grep -q \
	'stsd/dnsmon\[[0-9]*\]: skipping the round: lease dnsmon held by node-a$' "$B_LOG"
# dnsmon asks again at each heartbeat: three more times.
sleep $((3 * HEARTBEAT + SLACK))
is "$(lines "$B_LOG" 'dnsmon.*skipping the round')" 1 \
	"B says it once, not at each try"
is "$(lines "$B_LOG" 'dnsmon.*round: checking')" 0 "B runs no round"
ok "B's acmed skips its runs, naming A" grep -q \
	'stsd/acmed\[[0-9]*\]: skipping certificate orders and renewals: lease acmed held by node-a$' "$B_LOG"
is "$(lines "$B_LOG" 'acmed.*skipping certificate orders')" 1 "once"
ok "B's rptparse skips the silent-reporter run, naming A" grep -q \
	'stsd/rptparse\[[0-9]*\]: skipping the silent-reporter run: lease alerts held by node-a$' "$B_LOG"
ok "which A's runs" grep -q 'stsd/rptparse\[[0-9]*\]: silent reporters: 0, 0 new alerts' "$A_LOG"
out=$($B_CTL cert renew mta-sts.a.example 2>&1)
like "$out" 'cert-renew: this node does not hold the lease acmed \(held by node-a\): renew on that node' \
	"stsctl cert renew on B is refused, naming the holder"

out=$($B_CTL node list)
like "$out" '^NAME +HEARTBEAT +AGE +VERSION +STARTED +LEASES' "stsctl node list on B: a table"
like "$out" $'\nnode-a +[0-9]{4}-[0-9-]+ [0-9:]+ +[0-9]+s .* acmed,alerts,dnsmon' \
	"A is listed with its leases"
like "$out" $'\nnode-b\\* .* -$' "B is listed, marked as this node, without lease"
is "$(node_field "$B_CTL" node-b self)" True "--json: self on B's own node"

# DNS UPDATEs are the work of the dnsmon lease's node: a domain added on
# B (made served, as httpd would once it serves its certificate).
ok "B's policyd leaves DNS UPDATEs to A" wait_until 10 grep -q \
	'stsd/policyd\[[0-9]*\]: DNS: updates left to the node that holds the lease dnsmon (node-a)' "$B_LOG"
$B_CTL domain add d.example --mx mx.d.example >/dev/null || fail "domain add on B"
"$PG_BIN/psql" -X -q "$conninfo" -c "UPDATE domains SET served = 1 WHERE name = 'd.example'" ||
	fail "d.example made served"
ok "A tries the DNS UPDATE of a domain added on B" wait_until $((HEARTBEAT + 5)) \
	grep -q 'stsd/policyd\[[0-9]*\]: warning: d\.example: DNS: publication failed (attempt' "$A_LOG"
is "$(lines "$B_LOG" 'd\.example: DNS:')" 0 "B does not"

# kill -9 of all of A, kept down.
pids=$(procs_of "$A_I")
ok "A's processes found (master, policyd, dnsmon, acmed, rptparse: $pids)" \
	test "$(echo $pids | wc -w)" -ge 5
# Stopped first, all of them: a worker that saw master die before its
# own SIGKILL would stop cleanly and release its node's leases.
# shellcheck disable=SC2086
kill -STOP $pids
start=$(date +%s.%N)
# shellcheck disable=SC2086
kill -KILL $pids
ok "A's processes are gone" wait_until 5 sh -c \
	"for p in $pids; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
is "$(lines "$A_LOG" 'leases released')" 0 "A died holding its leases"
ok "B takes the lease dnsmon" wait_until 30 grep -q \
	'stsd/policyd\[[0-9]*\]: lease dnsmon: taken by this node (node-b)' "$B_LOG"
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
note "B took the lease $took s after the kill"
ok "within cluster_lease_time and one heartbeat ($took s <= $LEASE_TIME + $HEARTBEAT + $SLACK)" \
	awk -v t="$took" -v max=$((LEASE_TIME + HEARTBEAT + SLACK)) \
	'BEGIN { exit !(t <= max) }'
ok "B's dnsmon goes on, and says so" wait_until $((HEARTBEAT + 5)) grep -q \
	'stsd/dnsmon\[[0-9]*\]: the round: lease dnsmon held by this node (node-b): going on' "$B_LOG"
ok "B's policyd tries the DNS UPDATE now" wait_until $((HEARTBEAT + 5)) grep -q \
	'stsd/policyd\[[0-9]*\]: warning: d\.example: DNS: publication failed (attempt' "$B_LOG"
ok "B runs a round" wait_until 10 grep -q \
	'stsd/dnsmon\[[0-9]*\]: round: checking the domains of policyd' "$B_LOG"
ok "B's rptparse runs the silent-reporter run" wait_until $((HEARTBEAT + 5)) grep -q \
	'stsd/rptparse\[[0-9]*\]: silent reporters: 0, 0 new alerts' "$B_LOG"
ok "B's acmed goes on" wait_until $((HEARTBEAT + 5)) grep -q \
	'stsd/acmed\[[0-9]*\]: certificate orders and renewals: lease acmed held by this node (node-b): going on' "$B_LOG"

age1=$(node_field "$B_CTL" node-a age)
sleep $HEARTBEAT
age2=$(node_field "$B_CTL" node-a age)
ok "A's heartbeat grows old in stsctl node list ($age1 s, then $age2 s)" \
	test "$age2" -gt "$age1" -a "$age2" -ge "$LEASE_TIME"
is "$(node_field "$B_CTL" node-a leases)" "" "A holds no lease"
is "$(node_field "$B_CTL" node-b leases)" "acmed,alerts,dnsmon" \
	"B holds them all"
is "$(node_field "$B_CTL" node-a version)" \
	"$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$BUILDDIR/config.h")" \
	"each node's version is listed"

# The server closes B's connection (a restart, a failover) while no
# request comes: the next heartbeat finds it lost, policyd stops, master
# starts it again, and B renews its leases.
"$PG_BIN/psql" -X -At "$conninfo" -c "SELECT pg_terminate_backend(pid)
	FROM pg_stat_activity WHERE datname = '$db' AND application_name = 'stsd'" >/dev/null
ok "B's heartbeat finds the connection lost, and policyd stops" \
	wait_until $((HEARTBEAT + 5)) grep -q \
	'stsd/policyd\[[0-9]*\]: error: policy database: the connection to the server was lost; stopping' "$B_LOG"
ok "master starts it again, and B holds its leases" wait_until 20 sh -c \
	"$B_CTL node list 2>/dev/null | grep -qE '^node-b\\* .* acmed,alerts,dnsmon\$'"

# One host on SQLite: its node holds every lease, dnsmon never asks.
inst_init "$dir/single" || fail "stsd init single"
inst_only policyd dnsmon
for bad in 'a b' 'node-a.' '-x' "$(printf 'a\nb')" "$(printf '%0300d' 0)"; do
	out=$($STSCONF -e "node_name=$bad" 2>&1)
	is "$?" 1 "stsconf refuses node_name $(printf %q "$bad" | cut -c1-20)"
done
like "$out" 'node_name' "... and names it"
out=$($STSCONF -e cluster_lease_time=4s 2>&1)
is "$?" 1 "stsconf refuses cluster_lease_time 4s (at least 5s)"
out=$($STSCONF -e cluster_lease_time=2h 2>&1)
is "$?" 1 "... and 2h (at most 1h)"
inst_set domain_verification=none node_name=single.example cluster_lease_time=5s
inst_start || fail "single starts"
ok "policyd of the SQLite instance answers" inst_wait_policyd
ok "its dnsmon runs a round" wait_until 10 grep -q \
	'stsd/dnsmon\[[0-9]*\]: round done' "$I/log/stsd.log"
is "$(node_field "$STSCTL" single.example leases)" "acmed,alerts,dnsmon" \
	"SQLite: the node is listed, holding every lease"
is "$(lines "$I/log/stsd.log" 'dnsmon.*lease')" 0 "and its dnsmon never asks"
done_testing
