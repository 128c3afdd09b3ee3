#!/bin/bash
# tests/webd/postgresql.t - the portal on storage_engine = postgresql
# when the database restarts: a portal instance (policyd, httpd, webd,
# rptparse) keeps policy.db and reports.db in a PostgreSQL server of its
# own (tests/pg.sh), logging in as a role whose password is in
# postgresql_password_file (mail_owner's: webd runs as mail_owner); a
# report stored by rptparse shows on its domain's page and in the API's
# list.  Then pg_restart (clients cut off) while both are asked every
# 0.1 s: each answer is 503 or the page with the report, never a 500, an
# empty list, a failed request or one slower than portal_timeout; both
# show the report again within RECOVER_MAX seconds of the restart, from
# the same webd process (no restart of webd); webd logs the loss once
# and the new connection once.  Then the server stopped for a while:
# metrics leaves the session counters out of a scrape rather than show
# them lower; they and the page come back with the server.  No
# sanitizer report.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/pg.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd rptparse master stsctl
t_need curl jq
pg_need

# A server of this test's own: the suite's (STSD_TEST_PGDIR) is not
# restarted under the other tests.
unset STSD_TEST_PGDIR
STSD_TEST_STORAGE=sqlite
t=$(t_tmpdir)
pg_test_db "$t" t_webd_pg_$$
pw=$t/pgpass
printf '%s\n' "$PG_TEST_PASSWORD" >"$pw"
chmod 600 "$pw"
[ "$(id -u)" != 0 ] || chown stsd: "$pw"

# Measured on a loaded 2-core machine: 0.7 to 0.8 s (5 runs) from
# pg_restart's return (the first request after it finds the connection
# lost, the next connects at most a second later; master starts policyd
# again meanwhile); the bound leaves room for a much slower machine.
RECOVER_MAX=15
PROBE_FOR=60	# seconds of asking at most

PORTAL_MORE="rptparse metrics" portal_start "$t/i" storage_engine=postgresql \
	"postgresql_conninfo=host=$pg dbname=$db user=stsd_pw" \
	"postgresql_password_file=$pw"
LOG=$t/i/log/stsd.log
TIMEOUT=$(inst_param portal_timeout | sed 's/s$//')
FIX=$SRCDIR/tests/rptparse/fixtures

portal_fixture "$FIX/google.json" a.example 1 pg-restart-1
ok "rptparse stores a report of a.example" portal_idle
is "$(signin "$t/a" alice "$PW_A")" 303 "alice signs in"

PAGE=/domains/a.example/reports
API=/api/v1/domains/a.example/reports
# probe_page, probe_api: one request; prints "STATUS SECONDS HAS" (HAS:
# 1 when the answer shows the report).
probe_page() {
	local out
	out=$(web -b "$t/a" -o "$t/page.out" -w '%{http_code} %{time_total}' "$PAGE")
	echo "$out $(grep -c '<td>pg-restart-1</td>' "$t/page.out" 2>/dev/null)"
}
probe_api() {
	local out
	out=$(api "$TOK_A" -o "$t/api.out" -w '%{http_code} %{time_total}' "$API")
	echo "$out $(jq -r '[.reports[]? | select(."report-id" == "pg-restart-1")] | length' \
	    "$t/api.out" 2>/dev/null || echo 0)"
}
is "$(probe_page | cut -d' ' -f1,3)" "200 1" "the page of a.example's reports shows it"
is "$(probe_api | cut -d' ' -f1,3)" "200 1" "so does the API's list"
like "$(cat "$t/api.out")" '"organization-name":"Google Inc\."' "... with its sender"

webd_pid=$(inst_pid webd)
mark=$(wc -l <"$LOG")

# The restart, in the background; its end time in $t/restarted.
rm -f "$t/restarted"
(pg_restart "$pg" && date +%s.%N >"$t/restarted") &
restart=$!
: >"$t/probes"
start=$(date +%s)
back_page= back_api=
while [ $(($(date +%s) - start)) -lt "$PROBE_FOR" ]; do
	now=$(date +%s.%N)
	read -r pc pt ph <<<"$(probe_page)"
	read -r ac at ah <<<"$(probe_api)"
	echo "$now page $pc $pt $ph api $ac $at $ah" >>"$t/probes"
	if [ -f "$t/restarted" ]; then
		r=$(cat "$t/restarted")
		[ -n "$back_page" ] || [ "$pc $ph" != "200 1" ] ||
			back_page=$(awk -v a="$now" -v b="$r" 'BEGIN { printf "%.1f", a - b }')
		[ -n "$back_api" ] || [ "$ac $ah" != "200 1" ] ||
			back_api=$(awk -v a="$now" -v b="$r" 'BEGIN { printf "%.1f", a - b }')
		[ -z "$back_page" ] || [ -z "$back_api" ] || break
	fi
	sleep 0.1
done
wait "$restart"
is "$?" 0 "PostgreSQL restarts (pg_ctl restart -m fast)"
sed 's/^/# /' "$t/probes" | head -60
n=$(wc -l <"$t/probes")
# Answers other than 503 or a 200 that shows the report.
bad=$(awk '!(($3 == 503 || ($3 == 200 && $5 == 1)) &&
	($7 == 503 || ($7 == 200 && $9 == 1)))' "$t/probes")
is "$bad" "" "each of $n page and API answers during the restart is 503 or the report (never 500, an empty list, or no answer)"
slow=$(awk -v m="$TIMEOUT" '$4 >= m || $8 >= m' "$t/probes")
is "$slow" "" "none waits for portal_timeout ($TIMEOUT s)"
like "$(awk '{ print $3, $7 }' "$t/probes" | tr ' ' '\n' | sort -u | tr '\n' ' ')" \
	'503' "the restart was seen: some answers were 503"
ok "the page shows the report again after the restart (in ${back_page:-never} s)" \
	test -n "$back_page"
ok "the API's list too (in ${back_api:-never} s)" test -n "$back_api"
ok "both within $RECOVER_MAX s" awk -v a="${back_page:-999}" -v b="${back_api:-999}" \
	-v m="$RECOVER_MAX" 'BEGIN { exit !(a <= m && b <= m) }'
is "$(inst_pid webd)" "$webd_pid" "the same webd process answers (no restart)"

after=$(tail -n +"$((mark + 1))" "$LOG")
is "$(grep -c 'webd\[[0-9]*\]: .*reports database: connection lost; reconnecting$' <<<"$after")" 1 \
	"webd logs the lost connection once"
is "$(grep -c 'webd\[[0-9]*\]: .*reports database: connected again$' <<<"$after")" 1 \
	"... and the new one once"
unlike "$(grep 'webd\[' <<<"$after" | grep -v 'reports database: connect')" \
	'error|fatal|panic|connection to the server was lost' \
	"no other webd error, nor a line per failed read"
ok "the password is never logged" sh -c "! grep -rqF '$PG_TEST_PASSWORD' '$t/i/log'"

# The server stopped for a while: metrics (a connection per scrape)
# answers without the session counters rather than with lower ones,
# and says why; they come back with the server, and so does the page,
# from the same webd, the outage logged once.  (The pages ask policyd
# first, which is down as long as its database: they wait for
# ipc_timeout then, stsd-policyd(8).)
MP=$(awk '$NF == "metrics" && $2 == "inet" { n = split($1, a, ":"); print a[n] }' \
	"$I/etc/master.cf")
scrape() { curl -s --max-time 20 "http://127.0.0.1:$MP/metrics"; }
sessions() { scrape | grep '^stsd_report_sessions_total{domain="a\.example"'; }
ok "metrics answers" wait_until 10 quiet curl -sf "http://127.0.0.1:$MP/metrics"
before=$(sessions)
like "$before" 'result="successful"} [1-9]' "metrics shows a.example's sessions from PostgreSQL"
mark=$(wc -l <"$LOG")
pg_stop "$pg"
down=$(scrape)
like "$down" 'stsd_spool_messages' "a scrape while it is stopped answers"
unlike "$down" 'stsd_report_sessions_total' "... without the session counters"
ok "metrics logs why" wait_until 5 grep -q \
	'metrics\[[0-9]*\]: .*; the session counters are left out of this scrape' "$LOG"
pg_as "$PG_BIN/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -t 60 start >/dev/null
is "$?" 0 "PostgreSQL starts again"
# The page asks policyd first, which master starts again once it can
# connect (its restarts throttled meanwhile): a longer bound here.
shows() { [ "$(probe_page | cut -d' ' -f1,3)" = "200 1" ]; }
ok "the page shows the report again" wait_until 60 shows
is "$(sessions)" "$before" "metrics shows the same session counters again"
after=$(tail -n +"$((mark + 1))" "$LOG")
is "$(grep -c 'webd\[[0-9]*\]: .*reports database: connection lost; reconnecting$' <<<"$after")" 1 \
	"webd logs that outage once"
is "$(grep -c 'webd\[[0-9]*\]: .*reports database: connected again$' <<<"$after")" 1 \
	"... and its end once"
is "$(inst_pid webd)" "$webd_pid" "the same webd process still"

# A report stored after the restart (rptparse started again by master)
# shows too: the new connection reads what is new.
portal_fixture "$FIX/google.json" a.example 2 pg-restart-2
ok "rptparse stores a report after the restart" portal_idle
ok "the page shows it" wait_until 10 sh -c "curl -sS --max-time 20 --cacert '$I/ca/ca.pem' \
	--resolve '$PORTAL:$HTTPS_PORT:127.0.0.1' -b '$t/a' \
	'https://$PORTAL:$HTTPS_PORT$PAGE' | grep -q '<td>pg-restart-2</td>'"

portal_sanitizers
done_testing
