# tests/cluster/nodes.sh - several stsd nodes on one PostgreSQL database,
# for the tests of issue 20 (several nodes): each node is an instance of
# tests/instance.sh with its own directory, its own loopback ports and its
# own daemons, and all of them keep policy.db's tables in one database of
# a PostgreSQL server that the script starts for itself (so that it may
# restart it).
# SPDX-License-Identifier: ISC
#
# Source after tests/lib.sh.  Two ways to place the nodes:
#   - by default, on the host's loopback, 127.0.0.1, each with its own
#     free ports;
#   - after nodes_netns (root: tests/netns.sh), in one network namespace
#     of the test, each on an address of its own (127.0.0.11, .12, ...,
#     NODE_ADDR[NAME]) with the standard ports 443, 80 and 25, as
#     several hosts are; a name server in that namespace (ns_dns_start)
#     may give a policy host all of them.
# PostgreSQL listens on a Unix socket only, which every namespace reaches.
#
#	nodes_need			skip the script without PostgreSQL, libpq
#					in the build, policyd, httpd, curl
#	nodes_netns			the namespace (before node_init); false
#					without root
#	nodes_pg DIR			a PostgreSQL server in DIR/pg (stopped at
#					exit) and a database for the nodes
#					(NODES_PG, NODES_CONNINFO)
#	nodes_pg_restart		pg_ctl restart of that server (waits)
#	node_init NAME [name=value ...]	a node: stsd init in DIR/NAME, policyd
#					and httpd only, storage_engine
#					postgresql on the nodes' database,
#					domain_verification none,
#					service_throttle_time 1s, the
#					parameters given
#	node_use NAME			makes NAME the instance of
#					tests/instance.sh's functions (I, STSD,
#					STSCTL, STSCONF, HTTPS_PORT ...)
#	node_policyd_env NAME VAR=VALUE ...	NAME's policyd runs with
#					these in its environment (a wrapper in
#					its own daemon directory; before
#					node_init): faketime
#	node_cert NAME HOST ...		certificates of HOSTs for NAME's httpd
#	node_start NAME			starts it; waits until policyd answers
#	node_fetch NAME HOST		the policy of HOST as NAME's httpd
#					(at NODE_ADDR[NAME])
#					serves it: "STATUS\nBODY"
#	node_serves NAME HOST TEXT	NAME's httpd answers HOST with 200 and
#					a policy that holds TEXT (a line)
#	node_gone NAME HOST		NAME's httpd answers HOST with 404
#	node_snapshot_has NAME DOMAIN ID	NAME's policyd wrote DOMAIN with
#					policy id ID to its snapshot file (what
#					it pushed to its httpd; httpd's own log
#					lines of changes are rate-limited)
#	node_log NAME			the path of NAME's log
#	now_ms				the wall clock in milliseconds
#
# Every node's daemons log to its own I/log/stsd.log (maillog_file).
source "$SRCDIR/tests/pg.sh"
source "$SRCDIR/tests/instance.sh"

declare -A NODE_DIR NODE_HTTPS NODE_HTTP NODE_LIBEXEC NODE_ADDR
NODES_NETNS=		# 1: the nodes are in the namespace NS
NODES_COUNT=0
NODES_POLICY_PATH=/.well-known/mta-sts.txt
NODES_FETCH_TIMEOUT=5	# s, one fetch

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo "${t:0:13}"; }

nodes_need() {
	inst_need httpd policyd master stsctl stsconf stsd
	t_need curl
	pg_need
}

nodes_netns() {
	[ "$(id -u)" = 0 ] || return 1
	declare -F ns_create >/dev/null || source "$SRCDIR/tests/netns.sh"
	ns_create || return 1
	NODES_NETNS=1
}

nodes_pg() {
	NODES_PG=$1/pg
	pg_start "$NODES_PG" || return 1
	at_exit pg_stop "$NODES_PG"
	pg_createdb "$NODES_PG" nodes || return 1
	NODES_CONNINFO=$(pg_conninfo "$NODES_PG" nodes)
}

nodes_pg_restart() { pg_restart "$NODES_PG"; }

# node_policyd_env NAME VAR=VALUE ...: a daemon directory of NAME's own in
# which policyd is a script that sets them and runs the real one.
node_policyd_env() {
	local name=$1 d p; shift
	d=$(t_tmpdir)/libexec-$name
	mkdir -p "$d"
	for p in "$BUILDDIR"/libexec/*; do
		ln -sf "$(readlink -f "$p")" "$d/${p##*/}"
	done
	rm -f "$d/policyd"
	printf '#!/bin/sh\nexec env %s %s "$@"\n' "$*" \
	    "$(readlink -f "$BUILDDIR/libexec/policyd")" >"$d/policyd"
	chmod 755 "$d/policyd"
	NODE_LIBEXEC[$name]=$d
}

node_init() {
	local name=$1 dir addr=127.0.0.1 place=(); shift
	dir=${NODES_DIR:=$(t_tmpdir)}/$name
	NODES_COUNT=$((NODES_COUNT + 1))
	if [ -n "$NODES_NETNS" ]; then
		addr=127.0.0.$((10 + NODES_COUNT))
		place=(--address="$addr" --https-port=443 --http-port=80
			--smtp-port=25)
	fi
	local saved=$LIBEXEC
	LIBEXEC=${NODE_LIBEXEC[$name]:-$LIBEXEC}
	STSD_TEST_STORAGE=sqlite inst_init "$dir" "${place[@]}" ||
		{ LIBEXEC=$saved; return 1; }
	LIBEXEC=$saved
	NODE_DIR[$name]=$dir
	NODE_ADDR[$name]=$addr
	NODE_HTTPS[$name]=$HTTPS_PORT
	NODE_HTTP[$name]=$HTTP_PORT
	inst_only policyd httpd
	inst_set storage_engine=postgresql "postgresql_conninfo=$NODES_CONNINFO" \
		domain_verification=none service_throttle_time=1s "$@"
}

node_use() {
	I=${NODE_DIR[$1]}
	STSD="$STSD_BIN -c $I/etc"
	STSCTL="$STSCTL_BIN -c $I/etc"
	STSCONF="$STSCONF_BIN -c $I/etc"
	HTTPS_PORT=${NODE_HTTPS[$1]}
	HTTP_PORT=${NODE_HTTP[$1]}
}

node_cert() {
	local name=$1; shift
	node_use "$name"
	inst_cert "$@"
}

node_start() {
	node_use "$1"
	inst_start && inst_wait_policyd
}

node_log() { echo "${NODE_DIR[$1]}/log/stsd.log"; }

node_snapshot_has() {
	local q
	node_use "$1"
	q=$(inst_param queue_directory)
	cat "$q/snapshot/policies" "$q/snapshot/policies.journal" 2>/dev/null |
		grep -aEq "^${2//./\\.} $3( |\$)"
}

node_fetch() {
	local dir=${NODE_DIR[$1]} port=${NODE_HTTPS[$1]} addr=${NODE_ADDR[$1]}
	local out
	out=$(inst_exec curl -sS --max-time "$NODES_FETCH_TIMEOUT" \
	    --cacert "$dir/ca/ca.pem" --resolve "$2:$port:$addr" \
	    -w '\n%{http_code}' "https://$2:$port$NODES_POLICY_PATH" \
	    2>/dev/null | tr -d '\r')
	printf '%s\n%s\n' "${out##*$'\n'}" "${out%$'\n'*}"
}

node_serves() {
	local out
	out=$(node_fetch "$1" "$2")
	[ "${out%%$'\n'*}" = 200 ] && case $'\n'"${out#*$'\n'}"$'\n' in
		*$'\n'"$3"$'\n'*) return 0 ;;
		*) return 1 ;;
	esac
}

node_gone() {
	local out
	out=$(node_fetch "$1" "$2")
	[ "${out%%$'\n'*}" = 404 ]
}
