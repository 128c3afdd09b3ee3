# tests/instance.sh - a running stsd instance for integration tests: the
# one way the test scripts make, start and stop one.
# SPDX-License-Identifier: ISC
#
# Source after tests/lib.sh.  The instance is made by "stsd init" exactly
# as an operator makes one, with every listener on a free port (or on
# the standard ports inside a test network namespace).
#
#	inst_need PROGRAM ...		skip the script unless the build has
#					these daemons (in LIBEXEC) or the
#					commands stsd, stsctl, stsconf
#	inst_init DIR [init options]	stsd init DIR with free ports for
#					every listener (options override);
#					with STSD_TEST_STORAGE=postgresql,
#					policy.db in the suite's PostgreSQL
#	inst_set NAME=VALUE ...		set main.cf parameters (stsconf -e)
#	inst_lines LINE ...		the same from "name = value" lines
#	inst_only SERVICE ...		keep only these master.cf services
#					(by command name: policyd httpd ...)
#	inst_field SERVICE/TYPE/FIELD=VALUE ...	change master.cf fields
#					(stsconf -Fe)
#	inst_cert [-d DAYS] HOST ...	a certificate of each HOST (valid
#					for DAYS, 30; negative: expired) from
#					a test CA in I/ca, put in place by
#					rename as acmed does (again: a new one)
#	inst_start			start it (stopped at exit)
#	inst_policyd DIR		inst_init DIR with policyd alone
#					(domain_verification none), started
#					and answering stsctl ("policyd
#					answers"), or the test ends
#	inst_start_fg			start its master in the foreground, in
#					the background of the script, with
#					its stderr (the workers' sanitizer
#					reports) in I/log/master.out; pid
#					INST_MASTER; stopped at exit
#	inst_stop [DIR]			stop it (or the instance in DIR)
#	inst_stop_fg			stop what inst_start_fg started
#	inst_wait_policyd		until policyd answers stsctl (10 s)
#	inst_sql SQL			SQL on its policy.db, SQLite's file or
#					the PostgreSQL database
#	inst_owner			its mail_owner
#	inst_param NAME			the value of a main.cf parameter,
#					as stsconf -x gives it
#	inst_pid SERVICE		the pid of a running service
#					(master's queue/pid/services)
#	I, STSD, STSCTL, STSCONF	the directory and its commands
#	HTTPS_PORT HTTP_PORT SMTP_PORT	the ports it was made with
#	LIBEXEC				the daemon directory given to init
#					(set it before inst_init for another)
#
# Inside a namespace (NS set by tests/netns.sh), commands run there.

source "$SRCDIR/tests/pki.sh"

STSD_BIN=$BUILDDIR/stsd/stsd
STSCTL_BIN=$BUILDDIR/stsctl/stsctl
STSCONF_BIN=$BUILDDIR/stsconf/stsconf
LIBEXEC=$BUILDDIR/libexec
INST_WAIT=10	# seconds for policyd to answer after a start

inst_exec() {
	if [ -n "${NS:-}" ]; then ns_exec "$@"; else "$@"; fi
}

inst_need() {
	local p
	for p in "$@"; do
		case $p in
		stsd) [ -x "$STSD_BIN" ] ;;
		stsctl) [ -x "$STSCTL_BIN" ] ;;
		stsconf) [ -x "$STSCONF_BIN" ] ;;
		*) [ -x "$LIBEXEC/$p" ] ;;
		esac || skip_all "$p not built in $BUILDDIR"
	done
}

inst_init() {
	I=$1; shift
	HTTPS_PORT=$(free_port) HTTP_PORT=$(free_port) SMTP_PORT=$(free_port)
	local args=(--daemon-directory "$LIBEXEC" --address 127.0.0.1
		--https-port "$HTTPS_PORT" --http-port "$HTTP_PORT"
		--smtp-port "$SMTP_PORT" --metrics-port "$(free_port)")
	local a
	for a in "$@"; do
		case $a in
		--https-port=*) HTTPS_PORT=${a#*=} ;;
		--http-port=*) HTTP_PORT=${a#*=} ;;
		--smtp-port=*) SMTP_PORT=${a#*=} ;;
		esac
	done
	args+=("${@/=/ }")
	# shellcheck disable=SC2068
	"$STSD_BIN" init "$I" ${args[@]} >"$I.init.log" 2>&1 ||
		{ sed 's/^/# /' "$I.init.log"; return 1; }
	STSD="$STSD_BIN -c $I/etc"
	STSCTL="$STSCTL_BIN -c $I/etc"
	STSCONF="$STSCONF_BIN -c $I/etc"
	[ "${STSD_TEST_STORAGE:-sqlite}" = sqlite ] || inst_storage
}

# inst_sql SQL: runs SQL on the instance's policy.db, on its engine.
inst_sql() {
	if [ "${STSD_TEST_STORAGE:-sqlite}" = postgresql ]; then
		"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
		    "$(inst_param postgresql_conninfo)" -c "$1" >/dev/null
	else
		sqlite3 "$(inst_param data_directory)/policy.db" "$1"
	fi
}

# inst_storage: STSD_TEST_STORAGE=postgresql (tests/run --storage
# postgresql): the instance keeps policy.db's tables in a new database of
# the suite's PostgreSQL (tests/pg.sh), dropped at exit.
inst_storage() {
	local db=t_inst_$$_$RANDOM
	[ "$STSD_TEST_STORAGE" = postgresql ] && [ -n "${STSD_TEST_PGDIR:-}" ] ||
		skip_all "STSD_TEST_STORAGE=$STSD_TEST_STORAGE without the suite's PostgreSQL"
	declare -F pg_createdb >/dev/null || source "$SRCDIR/tests/pg.sh"
	pg_createdb "$STSD_TEST_PGDIR" "$db" || return 1
	at_exit pg_psql "$STSD_TEST_PGDIR" postgres "DROP DATABASE IF EXISTS $db WITH (FORCE)"
	inst_set storage_engine=postgresql \
		"postgresql_conninfo=$(pg_conninfo "$STSD_TEST_PGDIR" "$db")"
}

inst_set() {
	[ $# -eq 0 ] || $STSCONF -e "$@" >/dev/null
}

# inst_lines "name = value" ...: inst_set of main.cf lines.
inst_lines() {
	local line name kv=()
	for line in "$@"; do
		name=${line%%=*}
		name=${name%"${name##*[! ]}"}
		line=${line#*=}
		kv+=("$name=${line# }")
	done
	inst_set "${kv[@]}"
}

inst_field() {
	$STSCONF -Fe "$@" >/dev/null
}

inst_only() {
	local keep=" $* " out=$I/etc/master.cf.new line cmd
	while IFS= read -r line; do
		case $line in
		"#"* | "") echo "$line" ;;
		*)
			cmd=$(echo "$line" | awk '{print $8}')
			case $keep in *" $cmd "*) echo "$line" ;; esac
			;;
		esac
	done <"$I/etc/master.cf" >"$out"
	mv "$out" "$I/etc/master.cf"
}

inst_owner() { sed -n 's/^mail_owner *= *//p' "$I/etc/main.cf" | tail -1; }

inst_param() { $STSCONF -x "$1" | sed 's/^[^=]*= *//'; }

inst_pid() {
	awk -v s="$1" '$1 == s && $4 == "running" { print $3 }' \
	    "$(inst_param queue_directory)/pid/services"
}

inst_cert() {
	local name c owner days=30
	[ "$1" != -d ] || { days=$2; shift 2; }
	owner=$(inst_owner)
	[ -f "$I/ca/ca.pem" ] || pki_ca "$I/ca" || return 1
	for name in "$@"; do
		c=$I/spool/certs/$name
		pki_cert "$I/ca" "$name" "$days" || return 1
		mkdir -p "$c.new" "$c"
		cp "$I/ca/$name/fullchain.pem" "$I/ca/$name/privkey.pem" "$c.new/"
		chmod 700 "$I/spool/certs" "$c"
		chmod 600 "$c.new/privkey.pem"
		[ "$(id -u)" != 0 ] || chown -R "$owner:" "$c.new" "$c"
		mv -f "$c.new/privkey.pem" "$c/privkey.pem"
		mv -f "$c.new/fullchain.pem" "$c/fullchain.pem"
		rmdir "$c.new"
	done
}

inst_start() {
	inst_exec $STSD start >"$I.start.log" 2>&1 </dev/null ||
		{ sed 's/^/# /' "$I.start.log"; return 1; }
	at_exit inst_stop "$I"
}

inst_policyd() {
	inst_init "$1" || { fail "stsd init"; done_testing; }
	inst_only policyd
	inst_set domain_verification=none || fail "stsconf -e"
	inst_start || { fail "instance starts"; done_testing; }
	ok "policyd answers" wait_until "$INST_WAIT" quiet $STSCTL domain list
}

inst_stop() {
	inst_exec "$STSD_BIN" -c "${1:-$I}/etc" stop >/dev/null 2>&1
}

# What "stsd start" does, but master stays a child of the script, which
# sees its stderr.
inst_start_fg() {
	inst_exec $STSD check >"$I.start.log" 2>&1 ||
		{ sed 's/^/# /' "$I.start.log"; return 1; }
	mkdir -p "$I/log"
	# Not through the function inst_exec: "$!" of a backgrounded function
	# is a subshell, and master outlived its kill.
	if [ -n "${NS:-}" ]; then
		ip netns exec "$NS" "$LIBEXEC/master" -c "$I/etc" -f \
		    >>"$I/log/master.out" 2>&1 &
	else
		"$LIBEXEC/master" -c "$I/etc" -f >>"$I/log/master.out" 2>&1 &
	fi
	INST_MASTER=$!
	at_exit inst_stop_fg
}

inst_stop_fg() {
	local pid=${INST_MASTER:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait_until 10 sh -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null
	return 0
}

inst_wait_policyd() {
	wait_until "$INST_WAIT" $STSCTL domain list
}
