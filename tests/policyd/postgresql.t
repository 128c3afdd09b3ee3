#!/bin/bash
# tests/policyd/postgresql.t - storage_engine = postgresql: policyd keeps
# policy.db's tables in the test PostgreSQL (tests/pg.sh), logging in as a
# role with a password read from postgresql_password_file; stsctl domain
# add, then httpd serves the policy (curl); the rows are in PostgreSQL and
# stay there across a restart; a policy.db file left from SQLite is said
# to be unused and left alone; the password is never logged; a connection that the server closes makes policyd stop, and
# master starts it again.  stsconf and stsd check refuse a password in postgresql_conninfo
# and a password file that others may read or that mail_owner does not
# own; a wrong password is said by stsd check and in the log at start.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/pg.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master stsctl stsconf stsd
t_need curl
pg_need

dir=$(t_tmpdir)
pg_test_db "$dir" t_postgresql_$$
conninfo="host=$pg dbname=$db user=stsd_pw"

# The password file, as an operator makes it.
pw=$dir/pgpass
printf '%s\n' "$PG_TEST_PASSWORD" >"$pw"
chmod 600 "$pw"
owner=stsd
[ "$(id -u)" = 0 ] || owner=$(id -un)
[ "$(id -u)" != 0 ] || chown "$owner:" "$pw"

inst_init "$dir/i" || { fail "stsd init"; done_testing; }
HTTPS=$HTTPS_PORT HTTP=$HTTP_PORT
inst_only policyd httpd

# A password in the conninfo is refused where parameters are checked.
out=$($STSCONF -e "postgresql_conninfo=host=$pg password=secret" 2>&1)
is "$?" 1 "stsconf -e refuses a conninfo with password="
like "$out" 'holds no password' "... and says why"
unlike "$out" 'secret' "... without repeating the password"
out=$($STSCONF -e "postgresql_conninfo=postgresql://stsd_pw:secret@localhost/$db" 2>&1)
is "$?" 1 "stsconf -e refuses a postgresql:// URI with user:password@"
out=$($STSCONF -e "postgresql_conninfo=host=$pg PassWord = 'a b' dbname=x" 2>&1)
is "$?" 1 "stsconf -e refuses PassWord = 'a b' (any case, spaces, quoted)"
out=$($STSCONF -e "postgresql_conninfo=host=$pg dbname='password=x' user=a" 2>&1)
is "$?" 0 "a quoted value that looks like a password is no password"

inst_set storage_engine=postgresql "postgresql_conninfo=$conninfo" \
	"postgresql_password_file=$pw" domain_verification=none ||
	fail "stsconf -e storage_engine=postgresql"

chmod 644 "$pw"
out=$($STSD check 2>&1)
like "$out" "postgresql_password_file $pw: mode 0644 gives others access: refused" \
	"stsd check: a password file that others may read is refused"
chmod 600 "$pw"
if [ "$(id -u)" = 0 ]; then
	chown "root:$owner" "$pw"
	chmod 640 "$pw"
	out=$($STSD check 2>&1)
	like "$out" "postgresql_password_file $pw: owned by uid 0, not by mail_owner" \
		"stsd check: a password file mail_owner does not own is refused"
	chown "$owner:" "$pw"
	chmod 600 "$pw"
fi
out=$($STSD check 2>&1)
unlike "$out" 'postgresql' "stsd check: the storage engine passes ($out)"

inst_cert mta-sts.a.example || fail "certificate"
old_db=$(inst_param data_directory)/policy.db
: >"$old_db"
inst_start || { fail "instance starts"; done_testing; }
ok "policyd answers on PostgreSQL" inst_wait_policyd
$STSCTL domain add a.example --mx mx.a.example --mode enforce --force >/dev/null ||
	fail "stsctl domain add"
want=$'version: STSv1\r\nmode: enforce\r\nmx: mx.a.example\r\nmax_age: 604800\r\n'
ok "the policy is served within 1 s of stsctl returning" \
	wait_until 1 sh -c "curl -sf --cacert $I/ca/ca.pem --resolve mta-sts.a.example:$HTTPS:127.0.0.1 https://mta-sts.a.example:$HTTPS$POLICY_PATH"
body=$(fetch mta-sts.a.example; echo x)
is "${body%x}" "$want" "GET returns the exact policy bytes"

rows=$("$PG_BIN/psql" -X -At -h "$pg" -U postgres -d "$db" \
	-c "SELECT name || ' ' || mode FROM domains; SELECT version FROM sqldb_schema WHERE name = 'policy.db'")
is "$rows" $'a.example enforce\n10' "the domain is a row in PostgreSQL, schema version 10"
ok "a policy.db file left from SQLite is said to be unused" grep -q \
	"policyd.*$old_db: not used: with storage_engine = postgresql the domains are in the database of postgresql_conninfo" \
	"$I/log/stsd.log"
is "$(stat -c %s "$old_db")" 0 "and left alone"
rm -f "$old_db"

inst_stop
inst_start || fail "instance starts again"
ok "policyd answers after a restart" inst_wait_policyd
like "$($STSCTL domain list)" 'a\.example' "the domain is still there"
is "$(fetch mta-sts.a.example; echo x)" "${want}x" "and still served"
ok "the password is never logged" sh -c "! grep -rqF '$PG_TEST_PASSWORD' '$I/log'"

# The server closes policyd's connection (as a restart or a failover
# would): the request that finds it gone fails, policyd stops and master
# starts it again, connected anew.
"$PG_BIN/psql" -X -At -h "$pg" -U postgres -d "$db" -c "SELECT
	pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db'
	AND application_name = 'stsd'" >/dev/null
$STSCTL domain list >/dev/null 2>&1
ok "policyd says that the connection was lost" wait_until 10 grep -q \
	'policyd.*policy database: the connection to the server was lost; stopping, so that master starts policyd again' \
	"$I/log/stsd.log"
ok "master starts it again, and it answers" wait_until 20 sh -c \
	"$STSCTL domain list 2>/dev/null | grep -q a.example"

# A wrong password: policyd cannot start, and the log says why.
inst_stop
printf 'wrong\n' >"$pw"
like "$($STSD check 2>&1)" \
	'warning: postgresql: cannot connect: .*password authentication failed for user "stsd_pw"' \
	"stsd check tries the database, and warns that the password is wrong"
unlike "$($STSD check 2>&1)" 'wrong' "... without the password"
: >"$I/log/stsd.log"
inst_start
ok "a wrong password is said in the log" wait_until 10 grep -q \
	'cannot open the policy database: postgresql: cannot connect: .*password authentication failed for user "stsd_pw"' \
	"$I/log/stsd.log"
done_testing
