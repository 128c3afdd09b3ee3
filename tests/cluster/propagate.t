#!/bin/bash
# tests/cluster/propagate.t - two nodes, A and B (tests/cluster/nodes.sh:
# policyd and httpd each, in a network namespace on addresses of their
# own with the standard ports, or without root on their own loopback
# ports), on one PostgreSQL database.  20 changes made on A (domain add, set --mode, set --max-age,
# del, del --now) are each served by B's httpd within 1 s (curl; the
# median and the longest are printed); ids stay greater than the last
# whatever the clock: B's policyd runs an hour behind (libfaketime), and
# its change of a domain A changed gets a greater id, served by A within
# 1 s; B's policyd killed -9 and kept away (master.cf): B serves every
# policy it had from what it knows, and what A changed meanwhile once
# its policyd is back; PostgreSQL restarted (pg_ctl restart): both nodes
# answer every fetch throughout, each policyd reconnects (master starts
# it again), and a change on A is served by B within 1 s again.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/cluster/nodes.sh"

nodes_need
t_need jq
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
[ -n "$FAKETIME_LIB" ] || skip_all "needs libfaketime (Debian faketime)"

LIMIT_MS=1000		# a change on one node, served by the other
GIVE_UP_MS=10000	# a change never seen: stop waiting
dir=$(t_tmpdir)
NODES_DIR=$dir
nodes_pg "$dir" || { fail "PostgreSQL starts"; done_testing; }
if nodes_netns; then
	note "nodes in the network namespace $NS, on addresses of their own"
else
	note "not root: nodes on 127.0.0.1, on ports of their own"
fi

# B's policyd an hour behind the real clock (A's); its httpd is not.
node_policyd_env B LD_PRELOAD="$FAKETIME_LIB" FAKETIME=-1h \
	FAKETIME_DONT_FAKE_MONOTONIC=1 \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
HOSTS=()
for n in 1 2 3 4 5; do HOSTS+=("mta-sts.d$n.example"); done
HOSTS+=(mta-sts.clock.example mta-sts.clock2.example mta-sts.away.example
	mta-sts.after.example mta-sts.bulk1000.example)
for node in A B; do
	node_init "$node" || { fail "node $node: stsd init"; done_testing; }
	node_cert "$node" "${HOSTS[@]}" || { fail "node $node: certificates"; done_testing; }
done
for node in A B; do
	node_start "$node" || {
		fail "node $node starts"
		cat "$(node_log "$node")"
		done_testing
	}
done
pass "nodes A and B start on one PostgreSQL database"
for node in A B; do
	ok "node $node's policyd follows the database" wait_until 10 grep -q \
		'policyd.*following the changes of the other nodes (LISTEN stsd_policy)' \
		"$(node_log "$node")"
done

# on NODE ARGS...: stsctl on NODE.
on() { local n=$1; shift; node_use "$n"; $STSCTL "$@"; }
id_on() { on "$1" domain show "$2" --json | jq -r .domain.policy_id; }

# change WHAT CHECK... : stsctl WHAT on A, then the time until CHECK
# passes on B (ms), into TIMES; one case each.
TIMES=()
change() {
	local what=$1 t0 ms; shift
	t0=$(now_ms)
	# shellcheck disable=SC2086
	on A $what >/dev/null 2>&1 || { fail "A: stsctl $what"; return; }
	until "$@"; do
		[ $(($(now_ms) - t0)) -lt $GIVE_UP_MS ] || break
		sleep 0.02
	done
	ms=$(($(now_ms) - t0))
	TIMES+=("$ms")
	ok "A: $what: served by B in $ms ms (under $LIMIT_MS)" test "$ms" -lt $LIMIT_MS
}

# 1. 20 changes on A, each served by B.
for n in 1 2 3 4 5; do
	d=d$n.example h=mta-sts.d$n.example
	change "domain add $d --mx mx.$d" node_serves B "$h" "mode: testing"
	change "domain set $d --mode enforce --force" node_serves B "$h" "mode: enforce"
	change "domain set $d --max-age 86400" node_serves B "$h" "max_age: 86400"
	if [ $n = 5 ]; then
		change "domain del $d --now" node_gone B "$h"
	else
		change "domain del $d" node_serves B "$h" "mode: none"
	fi
done
sorted=$(printf '%s\n' "${TIMES[@]}" | sort -n)
note "B served A's ${#TIMES[@]} changes in: median $(echo "$sorted" | sed -n "$(((${#TIMES[@]} + 1) / 2))p") ms," \
	"max $(echo "$sorted" | tail -1) ms (all: ${TIMES[*]})"
is "${#TIMES[@]}" 20 "20 changes measured"
id_a=$(id_on A d1.example)
ok "B pushed d1.example with the id A gave it ($id_a)" wait_until 5 \
	node_snapshot_has B d1.example "$id_a"
ok "A serves its own change too" node_serves A mta-sts.d1.example "mode: none"

# 2. Ids from the database: B's clock is an hour behind A's.
on A domain add clock.example --mx mx.clock.example >/dev/null
id_a=$(id_on A clock.example)
on B domain add clock2.example --mx mx.clock2.example >/dev/null
id_fresh=$(id_on B clock2.example)
ok "B's clock is behind: a new name's id on B ($id_fresh) is below A's earlier one ($id_a)" \
	test "$id_fresh" \< "$id_a"
t0=$(now_ms)
on B domain set clock.example --mode enforce --force >/dev/null
id_b=$(id_on B clock.example)
ok "B's change of a domain A changed gets a greater id ($id_b > $id_a)" \
	test "$id_b" \> "$id_a"
ok "A serves B's change within 1 s" wait_until 2 node_serves A mta-sts.clock.example "mode: enforce"
ms=$(($(now_ms) - t0))
ok "... ($ms ms from B's stsctl)" test "$ms" -lt $((LIMIT_MS + 400))
ok "A pushed it with B's id" wait_until 5 node_snapshot_has A clock.example "$id_b"
t0=$(now_ms)
on A domain set clock.example --max-age 3600 >/dev/null
id_a2=$(id_on A clock.example)
ok "and A's next change of it a greater one again ($id_a2 > $id_b)" test "$id_a2" \> "$id_b"
ok "served by B" wait_until 2 node_serves B mta-sts.clock.example "max_age: 3600"

# 2b. An import of 1000 domains (one transaction): B reads them in a
# few queries, one per notification, and serves them.
for i in $(seq 1000); do echo "bulk$i.example mx.bulk$i.example"; done >"$dir/bulk"
on A domain import "$dir/bulk" >/dev/null || fail "A: domain import of 1000"
t0=$(now_ms)
ok "B serves the last domain imported on A" \
	wait_until 5 node_serves B mta-sts.bulk1000.example "mode: testing"
ms=$(($(now_ms) - t0))
ok "... within 1 s of the import's end ($ms ms)" test "$ms" -lt $LIMIT_MS
read_again() {
	grep -o 'policyd.*changes on another node: [0-9]* domains read again ([0-9]* served' \
	    "$(node_log B)" | sed 's/.*(\([0-9]*\) served/\1/' | awk '{ n += $1 } END { print n + 0 }'
}
is "$(read_again)" 1000 "B read the 1000 domains again, in batches"
like "$(grep -c 'policyd.*changes on another node: [0-9]* domains read again' "$(node_log B)")" \
	'^[2-9]$' "... of a few notifications (payloads under 8000 bytes)"

# 2c. "*", a transaction of more than 1000 domains: B compares all it
# pushed with the database.  The rows are changed here behind the
# nodes' backs, so that only the comparison can find it.
psql_nodes() {
	PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
	    "$NODES_CONNINFO" -c "$1" >/dev/null
}
psql_nodes "UPDATE domains SET mode = 'enforce', policy_id = policy_id || '9'
	WHERE name = 'clock2.example'; DELETE FROM domains WHERE name = 'bulk1000.example'"
psql_nodes "NOTIFY stsd_policy, '*'"
ok "B: the full comparison finds the change" \
	wait_until 5 node_serves B mta-sts.clock2.example "mode: enforce"
ok "... and the removal" wait_until 5 node_gone B mta-sts.bulk1000.example
like "$(grep 'policyd.*changes on another node: the database and the' "$(node_log B)")" \
	'compared: 1 pushed, 1 withdrawn, 1004 the same' "B logs what the comparison found"

# 2d. Bad notifications (any client of the database may send them):
# names that are no domain names are said and ignored; a flood of 2000
# names that are not hosted is withdrawn from nothing; B goes on.
node_use B
SNAP_B=$(inst_param queue_directory)/snapshot
followed() { grep -ac '^clock\.example ' "$SNAP_B/policies.journal"; }
nf=$(followed)
psql_nodes "SELECT pg_notify('stsd_policy', E'bad\\001name ' || repeat('x', 300) ||
	E' a\\nb ../etc -.example CLOCK.example')"
ok "B says a name is no domain name" wait_until 5 grep -q \
	'policyd.*changes on another node: domain "bad.*name": .*; ignored' "$(node_log B)"
ok "... and how many of the notification it ignored" wait_until 5 grep -q \
	'policyd.*changes on another node: 5 names of one notification ignored' "$(node_log B)"
more() { [ "$(followed)" -gt "$nf" ]; }
ok "a name in upper case is read as stored" wait_until 5 more
ok "... so its domain is served, not withdrawn" \
	node_serves B mta-sts.clock.example "max_age: 3600"
psql_nodes "SELECT pg_notify('stsd_policy', 'flood' || i || '.example')
	FROM generate_series(1, 2000) i"
ok "B: the flood is counted, not logged name by name" wait_until 10 grep -Eq \
	'policyd.*changes on another node: [0-9]+ more domains followed \(not named\)' "$(node_log B)"
t0=$(now_ms)
on A domain set clock.example --max-age 5400 >/dev/null
ok "B follows A's next change" wait_until 10 node_serves B mta-sts.clock.example "max_age: 5400"
note "B served it $(($(now_ms) - t0)) ms after the flood (2000 notifications, each a query)"
ok "B serves what it served before" node_serves B mta-sts.clock2.example "mode: enforce"

# 3. B's policyd killed -9 and kept away: B serves what it knows.
node_use B
cp "$I/etc/master.cf" "$dir/B.master.cf"
sed -i '/^policyd /d' "$I/etc/master.cf"
pid=$(inst_pid policyd)
kill -9 "$pid"
$STSD reload >/dev/null 2>&1 || fail "B: stsd reload without policyd"
gone() { ! kill -0 "$1" 2>/dev/null && [ -z "$(inst_pid policyd)" ]; }
ok "B: policyd killed -9 and kept away" wait_until 10 gone "$pid"
on A domain add away.example --mx mx.away.example >/dev/null
on A domain set clock.example --mode testing >/dev/null
sleep 1
node_use B
ok "B serves its policies without policyd (clock.example)" \
	node_serves B mta-sts.clock.example "max_age: 5400"
ok "... (clock2.example)" node_serves B mta-sts.clock2.example "mode: enforce"
ok "... (d1.example, retiring)" node_serves B mta-sts.d1.example "mode: none"
ok "... (d5.example still gone)" node_gone B mta-sts.d5.example
cp "$dir/B.master.cf" "$I/etc/master.cf"
$STSD reload >/dev/null 2>&1 || fail "B: stsd reload with policyd"
ok "B serves what A changed while its policyd was away (new domain)" \
	wait_until 15 node_serves B mta-sts.away.example "mode: testing"
ok "... (a change)" wait_until 5 node_serves B mta-sts.clock.example "mode: testing"

# 4. The database restarts: fetches on both nodes throughout.
fetch_loop() {
	local n h
	: >"$dir/fetches"
	while [ ! -e "$dir/fetch.stop" ]; do
		for n in A B; do
			for h in mta-sts.clock.example mta-sts.d2.example; do
				if node_serves "$n" "$h" "version: STSv1"; then
					echo "ok $n $h" >>"$dir/fetches"
				else
					echo "FAILED $n $h $(date +%T.%N)" >>"$dir/fetches"
				fi
			done
		done
		sleep 0.05
	done
}
fetch_loop &
loop=$!
at_exit "touch $dir/fetch.stop; kill $loop"
sleep 1
nb=$(grep -c 'policyd.*following the changes of the other nodes' "$(node_log B)")
na=$(grep -c 'policyd.*following the changes of the other nodes' "$(node_log A)")
t0=$(now_ms)
nodes_pg_restart || fail "pg_ctl restart"
t_back=$(now_ms)
again() {
	[ "$(grep -c "policyd.*following the changes of the other nodes" "$(node_log "$1")")" -gt "$2" ] &&
		on "$1" domain list >/dev/null 2>&1
}
ok "A's policyd follows the database again" wait_until 30 again A "$na"
ok "B's policyd follows the database again" wait_until 30 again B "$nb"
t_again=$(now_ms)
note "PostgreSQL restarted in $((t_back - t0)) ms; both policyd following again" \
	"$((t_again - t_back)) ms after"
for node in A B; do
	like "$(grep 'policyd' "$(node_log "$node")")" \
		'policy database: the connection to the server was lost; stopping, so that master starts policyd again' \
		"$node's policyd said the database went away"
done
sleep 1
touch "$dir/fetch.stop"
wait "$loop"
is "$(grep -c FAILED "$dir/fetches")" 0 "no fetch failed on either node during the restart"
ok "fetches were made ($(grep -c '^ok' "$dir/fetches"))" test "$(grep -c '^ok' "$dir/fetches")" -ge 8
grep FAILED "$dir/fetches" | head -5 | sed 's/^/# /'
TIMES=()
change "domain add after.example --mx mx.after.example" node_serves B mta-sts.after.example "mode: testing"
change "domain set clock.example --max-age 7200" node_serves B mta-sts.clock.example "max_age: 7200"
note "after the restart: ${TIMES[*]} ms"

# master logs what a worker writes on stderr: the sanitizers' reports.
unlike "$(cat "$(node_log A)" "$(node_log B)")" 'Sanitizer|runtime error' \
	"no sanitizer report from any process of either node"
done_testing
