# tests/pg.sh - a PostgreSQL server for the tests: initdb and pg_ctl in a
# temporary directory, as an unprivileged user, on a Unix socket only.
# SPDX-License-Identifier: ISC
#
# Sourced by tests/run (one server for the whole run, STSD_TEST_PGDIR)
# and by test scripts (which use that server, or start their own):
#
#	pg_available		postgresql-15's programs are installed
#	pg_need			skip_all unless they are and this build
#				has PostgreSQL support; t_stsd_user
#	pg_test_db DIR NAME	pg: the suite's server (STSD_TEST_PGDIR)
#				or one started in DIR/pg; db=NAME, a new
#				database dropped at exit; the test ends
#				(a failed case) when either fails
#	pg_start DIR		a new cluster in DIR/data, its socket in DIR,
#				no TCP; as user stsd when run as root
#				(PostgreSQL refuses root), created when
#				missing as tests/lib.sh's t_stsd_user does
#	pg_stop DIR		stops it (immediate: the data is thrown away)
#	pg_restart DIR		pg_ctl restart (fast: clients are cut off),
#				waits until it accepts connections again
#	pg_standby DIR PRIMARY	a hot standby of the server in PRIMARY (a
#				directory of pg_start) in DIR/data, its
#				socket in DIR: pg_basebackup -R, streaming
#				replication; started, waits until it
#				accepts (read-only) connections
#	pg_synchronous PRIMARY	the server in PRIMARY waits at each commit
#				until a standby has it on disk
#				(synchronous_standby_names '*',
#				synchronous_commit on), reloaded
#	pg_promote DIR		pg_ctl promote of that standby; waits
#				until it accepts writes
#	pg_is_primary DIR	the server in DIR accepts writes (not in
#				recovery)
#	pg_createdb DIR NAME	a new database NAME, LC_COLLATE C, UTF8
#	pg_conninfo DIR NAME	libpq's conninfo of NAME as user postgres
#	pg_psql DIR NAME SQL...	psql -c as user postgres, quiet
#
# The cluster trusts local connections, except for the role stsd_pw,
# which must give PG_TEST_PASSWORD (scram-sha-256): the test of
# postgresql_password_file.  fsync is off: the tests need no
# durability of their own database, and the server starts in about
# 0.3 s on a quiet machine.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_TEST_PASSWORD=${PG_TEST_PASSWORD:-stsd-test-pw.7Q}

pg_available() {
	[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/psql" ]
}

pg_need() {
	pg_available || skip_all "postgresql-15 is not installed ($PG_BIN)"
	grep -q '^#define HAVE_LIBPQ 1' "$BUILDDIR/config.h" ||
		skip_all "this build has no PostgreSQL support (configure --with-postgresql)"
	t_stsd_user
}

pg_test_db() {
	pg=${STSD_TEST_PGDIR:-}
	if [ -z "$pg" ]; then
		pg=$1/pg
		pg_start "$pg" || { fail "PostgreSQL starts"; done_testing; }
		at_exit pg_stop "$pg"
	fi
	db=$2
	pg_psql "$pg" postgres "DROP DATABASE IF EXISTS $db" && pg_createdb "$pg" "$db" ||
		{ fail "database $db created"; done_testing; }
	at_exit pg_psql "$pg" postgres "DROP DATABASE IF EXISTS $db WITH (FORCE)"
}

# pg_as CMD...: CMD as the server's user.
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u stsd -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	local dir=$1
	if [ "$(id -u)" = 0 ] && ! id stsd >/dev/null 2>&1; then
		useradd --system --user-group --no-create-home \
		    --home-dir /nonexistent --shell /usr/sbin/nologin stsd ||
			return 1
	fi
	mkdir -p "$dir" && chmod 755 "$dir" || return 1
	[ "$(id -u)" = 0 ] && chown stsd: "$dir"
	pg_as "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -N \
	    --locale=C --encoding=UTF8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		return 1
	}
	pg_as sh -c "cat >>'$dir/data/postgresql.conf'" <<EOF || return 1
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
shared_buffers = 16MB
log_min_messages = warning
EOF
	pg_as sh -c "printf 'local all stsd_pw scram-sha-256\n' |
	    cat - '$dir/data/pg_hba.conf' >'$dir/data/pg_hba.new' &&
	    mv '$dir/data/pg_hba.new' '$dir/data/pg_hba.conf'" || return 1
	pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	    start >/dev/null || {
		cat "$dir/server.log" >&2
		return 1
	}
	pg_psql "$dir" postgres "CREATE ROLE stsd_pw LOGIN SUPERUSER PASSWORD" \
	    "'$PG_TEST_PASSWORD'"
}

pg_stop() {
	[ -f "$1/data/postmaster.pid" ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1
}

pg_restart() {
	pg_as "$PG_BIN/pg_ctl" -D "$1/data" -l "$1/server.log" -m fast -w \
	    -t 60 restart >/dev/null
}

pg_standby() {
	local dir=$1 primary=$2
	mkdir -p "$dir" && chmod 755 "$dir" || return 1
	[ "$(id -u)" = 0 ] && chown stsd: "$dir"
	pg_as "$PG_BIN/pg_basebackup" -h "$primary" -U postgres -D "$dir/data" \
	    -R -X stream -c fast >"$dir/basebackup.log" 2>&1 || {
		cat "$dir/basebackup.log" >&2
		return 1
	}
	# The copy's postgresql.conf is the primary's: its own socket.
	pg_as sh -c "cat >>'$dir/data/postgresql.conf'" <<EOF || return 1
unix_socket_directories = '$dir'
hot_standby = on
EOF
	pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	    start >/dev/null || {
		cat "$dir/server.log" >&2
		return 1
	}
}

pg_synchronous() {
	pg_psql "$1" postgres "ALTER SYSTEM SET synchronous_standby_names = '*'" &&
	    pg_psql "$1" postgres "ALTER SYSTEM SET synchronous_commit = on" &&
	    pg_psql "$1" postgres "SELECT pg_reload_conf()"
}

pg_promote() {
	pg_as "$PG_BIN/pg_ctl" -D "$1/data" -w -t 60 promote >/dev/null
}

pg_is_primary() {
	[ "$("$PG_BIN/psql" -X -At -h "$1" -U postgres -d postgres \
	    -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]
}

pg_psql() {
	local dir=$1 db=$2
	shift 2
	PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -U postgres -d "$db" \
	    -c "$*" >/dev/null
}

pg_createdb() {
	pg_psql "$1" postgres "CREATE DATABASE \"$2\" TEMPLATE template0" \
	    "ENCODING 'UTF8' LOCALE 'C'"
}

pg_conninfo() {
	echo "host=$1 dbname=$2 user=postgres"
}
