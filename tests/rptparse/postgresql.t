#!/bin/bash
# tests/rptparse/postgresql.t - storage_engine = postgresql for reports:
# real reports (tests/corpus/real, wrapped in a mail as senders send
# them) mailed to rptrecv (swaks) are stored by rptparse in the test
# PostgreSQL (tests/pg.sh), in the database that policy.db's tables use,
# logging in as a role whose password is in postgresql_password_file;
# "stsctl report list", "report summary" and "report html" show them
# from there, with the sums the JSON gives; no reports.db file is made; a report mailed
# again is stored once.  Two nodes: a second instance (rptparse alone,
# its own spool) on the same database; the same reports put into both
# spools at once are each stored once, one node logging it as stored and
# the other as "already stored" under the same id, and both spools
# empty.  A connection that the server closes makes rptparse stop, and
# master starts it again; the report it was storing waits in the spool
# and is stored then.  The password is never logged.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/pg.sh"
source "$SRCDIR/tests/rptparse/instance.sh"

inst_need policyd rptparse rptrecv master stsctl stsconf stsd
t_need jq swaks
pg_need

dir=$(t_tmpdir)
pg_test_db "$dir" t_rptparse_pg_$$
conninfo="host=$pg dbname=$db user=stsd_pw"
psql_q() { "$PG_BIN/psql" -X -At -h "$pg" -U postgres -d "$db" -c "$1"; }

pw=$dir/pgpass
printf '%s\n' "$PG_TEST_PASSWORD" >"$pw"
chmod 600 "$pw"
[ "$(id -u)" != 0 ] || chown stsd: "$pw"
PGCF=("storage_engine = postgresql" "postgresql_conninfo = $conninfo"
	"postgresql_password_file = $pw" "report_require_dkim = no")

# Node A: policyd, rptrecv, rptparse.  The corpus's signatures cannot
# verify here: its reports count with report_require_dkim = no.
T=$dir/t
mkdir -p "$T"
rp_begin "${PGCF[@]}" "node_name = node-a"
A_DIR=$RP_DIR
# The password file is mail_owner's: stsctl reads reports.db as that
# user (stsd-rptparse(8), "Storage engines").
[ "$(id -u)" != 0 ] || STSCTL="runuser -u $RP_OWNER -- $STSCTL"
A_STSCTL=$STSCTL
for h in example.com krvtz.net; do
	quiet $STSCTL domain add "$h" --mx "mx1.$h" || fail "domain add $h"
done

REAL=$SRCDIR/tests/corpus/real
FILES=(parsedmarc_mail.ru.json parsedmarc_smtp_tls.json stalwart_rpt02.json
	kravietz_mail.ru.json)
n=0
for f in "${FILES[@]}"; do
	rp_mail application/tlsrpt+gzip "$f.gz" "$REAL/$f" gzip >"$T/$f.eml"
	quiet swaks --server 127.0.0.1 --port "$RP_SMTP" \
	    --from reports@sender.example --to tlsrpt@demo.test \
	    --data "$T/$f.eml" && n=$((n + 1))
done
is "$n" "${#FILES[@]}" "rptrecv accepts the ${#FILES[@]} corpus reports (swaks)"
stored() { [ "$(rp_nstored)" = "$1" ]; }
ok "rptparse stores them" wait_until 30 stored "${#FILES[@]}"

want=$(for f in "${FILES[@]}"; do jq -r '."report-id"' "$REAL/$f"; done | sort)
is "$(rp_json list | jq -r '.reports[]."report-id"' | sort)" "$want" \
	"stsctl report list shows each report-id, from PostgreSQL"
is "$(psql_q 'SELECT count(*) FROM reports')" "${#FILES[@]}" \
	"the reports are rows of PostgreSQL's table reports"
is "$(psql_q "SELECT version FROM sqldb_schema WHERE name = 'reports.db'")" 7 \
	"reports.db's schema version 7 is kept in sqldb_schema"
is "$(psql_q "SELECT string_agg(name, ' ' ORDER BY name) FROM sqldb_schema")" \
	"policy.db reports.db" "beside policy.db's, in the same database"
data=$($STSCONF -x data_directory | sed 's/^[^=]*= *//')
ok "no reports.db file is made" test ! -e "$data/reports.db"

# The sums of example.com, from the JSON: a policy's failed sessions are
# the larger of its summary and its failure details (lib/rptsum).
sums() {
	for f in "${FILES[@]}"; do
		jq -c --arg d "$1" '.policies[] | select(.policy."policy-domain" == $d) |
		    [.summary."total-successful-session-count",
		     ([.summary."total-failure-session-count",
		       ([."failure-details"[]?."failed-session-count"] | add // 0)] | max)]' \
		    "$REAL/$f"
	done | jq -s -r '"\(map(.[0]) | add) \(map(.[1]) | add)"'
}
sum=$(rp_json summary example.com --days 3660)
is "$(jq -r '"\(.successful) \(.failed)"' <<<"$sum")" "$(sums example.com)" \
	"stsctl report summary example.com: the sums of its three reports"
is "$(jq -r '.reports' <<<"$sum")" 3 "... of 3 reports"
is "$(rp_json summary krvtz.net --days 3660 | jq -r '"\(.successful) \(.failed)"')" \
	"$(sums krvtz.net)" "stsctl report summary krvtz.net"

# The page of a domain reads in one snapshot (REPEATABLE READ there).
$STSCTL report html example.com --days 3660 >"$T/one.html" 2>"$T/one.err"
is "$?" 0 "stsctl report html example.com exits 0 ($(head -c 200 "$T/one.err"))"
like "$(cat "$T/one.html")" 'Example Inc\.' "... and shows a sender of its reports"

# The same mail again: stored once.
quiet swaks --server 127.0.0.1 --port "$RP_SMTP" --from reports@sender.example \
    --to tlsrpt@demo.test --data "$T/stalwart_rpt02.json.eml"
ok "a report mailed again is said to be stored already" wait_until 20 grep -q \
	'rptparse.*Google Inc\., id 2020-01-01T00:00:00Z_example\.com, .*: already stored as report' \
	"$RP_LOG"
rp_idle
is "$(psql_q 'SELECT count(*) FROM reports')" "${#FILES[@]}" "... and stored once"

# The server closes the connections (as a restart or a failover would):
# the transaction that finds it gone fails, rptparse stops and master
# starts it again; the report waits in the spool and is stored then.
psql_q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE datname = current_database() AND application_name = 'stsd'" >/dev/null
jq -c '."report-id" = "after-reconnect"' "$REAL/stalwart_rpt02.json" >"$T/re.json"
rp_mail application/tlsrpt+gzip re.json.gz "$T/re.json" gzip >"$T/re.eml"
quiet swaks --server 127.0.0.1 --port "$RP_SMTP" --from reports@sender.example \
    --to tlsrpt@demo.test --data "$T/re.eml" || fail "swaks after the server closed"
ok "rptparse says that the connection was lost" wait_until 20 grep -q \
	'rptparse.*reports database: the connection to the server was lost; stopping, so that master starts rptparse again' \
	"$RP_LOG"
stored_id() {
	[ "$(psql_q "SELECT count(*) FROM reports WHERE report_id = '$1'")" = 1 ]
}
ok "master starts it again, and the report is stored" wait_until 40 \
	stored_id after-reconnect
rp_idle 30
like "$(grep 'rptparse.*left in active/' "$RP_LOG")" \
	': postgresql database [^:]*: [^;]*the connection to the server was lost' \
	"the message that could not be stored waited in the spool, said why"
a_mark=$(wc -l <"$RP_LOG")

# Node B: policyd and rptparse (no listener), its own spool, the same
# database; the node that does not hold the lease "alerts" skips the
# silent-reporter run (tests/cluster/lease.t).
B_DIR=$dir/b
inst_init "$B_DIR" || { fail "stsd init of node B"; done_testing; }
inst_only policyd rptparse
inst_lines "${PGCF[@]}" "node_name = node-b" || fail "node B on PostgreSQL"
inst_start || { fail "node B starts"; done_testing; }
B_SPOOL=$B_DIR/spool
B_LOG=$(sed -n 's/^maillog_file *= *//p' "$B_DIR/etc/main.cf")
ok "node B's rptparse listens" wait_until 10 test -S "$B_SPOOL/private/rptparse"
STSCTL=$A_STSCTL

# N reports, each put into both spools at once (the spool form of an
# HTTPS POST, whose JSON spoolput numbers).
N=40
jq -c '."report-id" = "two-nodes-@SEQ@"' "$REAL/stalwart_rpt02.json" >"$T/two.json"
rp_https application/tlsrpt+json "$T/two.json" >"$T/two.eml"
put_b() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$RP_OWNER" -- "$RP_SPOOLPUT" "$@"
	else
		"$RP_SPOOLPUT" "$@"
	fi
}
put_b -N "$N" "$B_SPOOL" "$T/two.eml" >/dev/null &
b=$!
put_b -N "$N" "$RP_SPOOL" "$T/two.eml" >/dev/null
wait "$b"
b_empty() {
	[ -z "$(ls -A "$B_SPOOL/incoming" "$B_SPOOL/active" 2>/dev/null |
	    grep -v -e '^$' -e ':$')" ]
}
ok "node A's spool empties" rp_idle 60
ok "node B's spool empties" wait_until 60 b_empty
is "$(psql_q "SELECT count(*) FROM reports WHERE report_id LIKE 'two-nodes-%'")" "$N" \
	"$N reports given to both nodes: $N rows"
is "$(psql_q "SELECT count(*) FROM (SELECT report_id FROM reports
	WHERE report_id LIKE 'two-nodes-%' GROUP BY 1 HAVING count(*) > 1) d")" 0 \
	"... none twice"
is "$(rp_json list | jq '[.reports[] | select(."report-id" | startswith("two-nodes-"))] | length')" \
	"$N" "stsctl report list on node A shows each once"
# Each report: stored by one node, "already stored" by the other, as
# the same row.
fresh=$(cat "$RP_LOG" "$B_LOG" | sed -n 's/.*rptparse.*: report \([0-9]*\): Google Inc\., id two-nodes-[0-9]*, .*/\1/p' | sort -n)
dup=$(cat "$RP_LOG" "$B_LOG" | sed -n 's/.*rptparse.*id two-nodes-[0-9]*, .*: already stored as report \([0-9]*\)$/\1/p' | sort -n)
is "$(wc -l <<<"$fresh")" "$N" "$N stored now, across both nodes' logs"
is "$dup" "$fresh" "the other node logs each as already stored, under the same id"
# Which node stores a report first is the scheduler's choice; each
# node logs every one, stored or already stored.
is "$(grep -c 'rptparse.*id two-nodes-[0-9]*, ' "$RP_LOG")" "$N" \
	"node A's rptparse logs each of the $N once, stored or already stored"
is "$(grep -c 'rptparse.*id two-nodes-[0-9]*, ' "$B_LOG")" "$N" \
	"node B's rptparse too"
is "$(find "$RP_SPOOL/corrupt" "$B_SPOOL/corrupt" -type f 2>/dev/null)" "" \
	"nothing went to corrupt/"
unlike "$( (tail -n +"$((a_mark + 1))" "$RP_LOG"; cat "$B_LOG") |
	grep 'rptparse.*\(error\|warning\|fatal\|panic\)' | grep -v 'warning: alert: ')" . \
	"no error in either node's log since (alerts aside)"
ok "the password is never logged" sh -c "! grep -rqF '$PG_TEST_PASSWORD' '$A_DIR/log' '$B_DIR/log'"

done_testing
