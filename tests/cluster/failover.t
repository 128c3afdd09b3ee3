#!/bin/bash
# tests/cluster/failover.t - the database's own high availability: a
# primary and a hot standby made from it (tests/pg.sh: pg_basebackup -R,
# synchronous streaming replication, each server on a Unix socket of
# its own), one stsd instance (policyd, httpd, rptrecv, rptparse) whose
# postgresql_conninfo names both with target_session_attrs=read-write.
# Policies are served and reports stored while the primary runs; then,
# while reports stream in (swaks, each 250 recorded) and policies are
# fetched (curl), the primary is stopped (pg_ctl stop -m immediate) and
# the standby promoted by hand (pg_ctl promote): httpd answers every
# fetch, policyd and rptparse follow the new primary within
# POLICYD_LIMIT_S and RPTPARSE_LIMIT_S of the promotion, a domain added
# afterwards is served, and every report acknowledged before, during
# and after is stored exactly once in the new primary, those
# acknowledged while no primary ran from the spool.  The old primary,
# made a standby of the new one and first in the conninfo, is refused
# at connect: policyd and rptparse started again write to the new one.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/pg.sh"
source "$SRCDIR/tests/rptparse/instance.sh"

inst_need policyd httpd rptparse rptrecv master stsctl stsconf stsd
t_need jq swaks curl
pg_need
[ -x "$PG_BIN/pg_basebackup" ] || skip_all "no pg_basebackup in $PG_BIN"

# From the promotion to policyd and rptparse on the new primary: a
# process that finds its connection lost stops; master starts it again
# at once, then after 1 s (service_throttle_time here); each start
# before the promotion finds the standby read-only.  Measured on a
# shared, busy machine (sanitizer build): policyd 0.15 to 1.1 s,
# rptparse 0.2 to 0.5 s.  The bounds leave a margin for a loaded
# machine.
POLICYD_LIMIT_S=10
RPTPARSE_LIMIT_S=10
OUTAGE_S=3		# from the primary's death to the promotion

dir=$(t_tmpdir)
P=$dir/primary
S=$dir/standby
pg_start "$P" || { fail "the primary starts"; done_testing; }
at_exit pg_stop "$P"
pg_createdb "$P" stsd || { fail "database stsd on the primary"; done_testing; }
pg_standby "$S" "$P" || { fail "the standby starts (pg_basebackup -R)"; done_testing; }
at_exit pg_stop "$S"
# Asynchronous replication may lose the last commits of the primary:
# a report stored there and taken out of the spool would be gone.
pg_synchronous "$P" || fail "synchronous replication on the primary"
ok "the standby replicates synchronously" wait_until 10 sh -c \
	"[ \"\$('$PG_BIN/psql' -X -At -h '$P' -U postgres -d postgres -c \"SELECT sync_state FROM pg_stat_replication\")\" = sync ]"
ok "the primary accepts writes" pg_is_primary "$P"
nok "the standby does not" pg_is_primary "$S"
conninfo="host=$P,$S dbname=stsd user=postgres target_session_attrs=read-write"
q_on() { "$PG_BIN/psql" -X -At -h "$1" -U postgres -d stsd -c "$2"; }

RP_HTTPD=1 rp_begin "storage_engine = postgresql" \
	"postgresql_conninfo = $conninfo" "report_require_dkim = no" \
	"service_throttle_time = 1s" "domain_verification = none"
inst_cert mta-sts.b.example || fail "certificate of mta-sts.b.example"
REAL=$SRCDIR/tests/corpus/real

# fetch HOST: httpd's answer to a policy fetch, "STATUS BODY...".
fetch() {
	curl -sS --max-time 5 --cacert "$RP_DIR/ca/ca.pem" \
	    --resolve "$1:$RP_HTTPS:127.0.0.1" -w '\n%{http_code}' \
	    "https://$1:$RP_HTTPS/.well-known/mta-sts.txt" 2>/dev/null | tr -d '\r'
}
serves() { local o; o=$(fetch "$1"); [ "${o##*$'\n'}" = 200 ] && [[ $o == *"$2"* ]]; }

# send ID: a report with report-id ID mailed to rptrecv; 0 when
# rptrecv answered 250 to its data.
send() {
	jq -c --arg id "$1" '."report-id" = $id' "$REAL/stalwart_rpt02.json" \
	    >"$T/$1.json"
	rp_mail application/tlsrpt+gzip "$1.json.gz" "$T/$1.json" gzip >"$T/$1.eml"
	quiet swaks --server 127.0.0.1 --port "$RP_SMTP" --timeout 10 \
	    --from reports@sender.example --to tlsrpt@demo.test --data "$T/$1.eml"
}
stored_on() { q_on "$1" "SELECT count(*) FROM reports WHERE report_id LIKE '$2'"; }

# 1. The primary runs.
for d in a.example example.com; do
	quiet $STSCTL domain add "$d" --mx "mx.$d" || fail "domain add $d"
done
ok "httpd serves a.example's policy" wait_until 10 serves mta-sts.a.example "mode: testing"
n=0
for i in 1 2 3; do send "before-$i" && n=$((n + 1)); done
is "$n" 3 "rptrecv acknowledges 3 reports"
s3() { [ "$(stored_on "$P" 'before-%')" = 3 ]; }
ok "rptparse stores them in the primary" wait_until 30 s3
ok "... which the standby replicates" wait_until 10 sh -c \
	"[ \"\$('$PG_BIN/psql' -X -At -h '$S' -U postgres -d stsd -c \"SELECT count(*) FROM reports WHERE report_id LIKE 'before-%'\")\" = 3 ]"

# 2. The loops: fetches, reports ("ms id" of each acknowledged).
fetch_loop() {
	while [ ! -e "$dir/stop" ]; do
		if serves mta-sts.a.example "version: STSv1"; then
			echo "ok $(now_ms)"
		else
			echo "FAILED $(now_ms)"
		fi
		sleep 0.05
	done >"$dir/fetches"
}
report_loop() {
	local i=0
	while [ ! -e "$dir/stop" ]; do
		i=$((i + 1))
		if send "fo-$i"; then
			echo "$(now_ms) fo-$i" >>"$dir/acked"
		else
			echo "$(now_ms) fo-$i" >>"$dir/refused"
		fi
	done
}
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo "${t:0:13}"; }
: >"$dir/acked"
: >"$dir/refused"
fetch_loop &
floop=$!
report_loop &
rloop=$!
at_exit "touch $dir/stop; kill $floop $rloop"
sleep 2

listens=$(grep -c 'policyd.*following the changes of the other nodes' "$RP_LOG")
# Reports acknowledged but not yet stored when the primary dies: rptparse
# held (SIGSTOP) while rptrecv acknowledges some, then let go once the
# primary is gone.
rp_held=$(inst_pid rptparse)
kill -STOP "$rp_held"
t_held=$(now_ms)
send held-1 && echo "$(now_ms) held-1" >>"$dir/acked"
sleep 0.5
t_dead=$(now_ms)
pg_stop "$P" || fail "pg_ctl stop -m immediate of the primary"
kill -CONT "$rp_held"
sleep "$OUTAGE_S"
t_promote=$(now_ms)
pg_promote "$S" || fail "pg_ctl promote of the standby"
t_promoted=$(now_ms)
ok "the standby is the primary now" pg_is_primary "$S"

policyd_follows() {
	[ "$(grep -c 'policyd.*following the changes of the other nodes' "$RP_LOG")" -gt "$listens" ] &&
		quiet $STSCTL domain list
}
ok "policyd follows the new primary" wait_until 60 policyd_follows
t_policyd=$(now_ms)
# The first report acknowledged after the promotion, stored there.
first_after() { awk -v t="$t_promoted" '$1 > t { print $2; exit }' "$dir/acked"; }
acked_after() { [ -n "$(first_after)" ]; }
ok "rptrecv acknowledges a report after the promotion" wait_until 30 acked_after
after=$(first_after)
s_after() { [ "$(stored_on "$S" "$after")" = 1 ]; }
ok "rptparse stores a report acknowledged after the promotion ($after)" \
	wait_until 60 s_after
t_rptparse=$(now_ms)
fp=$((t_policyd - t_promote)) fr=$((t_rptparse - t_promote))
note "primary stopped; promoted ${OUTAGE_S} s later in $((t_promoted - t_promote)) ms;" \
	"policyd following $fp ms, rptparse storing $fr ms after the promotion began"
ok "policyd follows within $POLICYD_LIMIT_S s of the promotion ($fp ms)" \
	test "$fp" -lt $((POLICYD_LIMIT_S * 1000))
ok "rptparse stores within $RPTPARSE_LIMIT_S s of the promotion ($fr ms)" \
	test "$fr" -lt $((RPTPARSE_LIMIT_S * 1000))

# 3. A domain added after the failover is served.
quiet $STSCTL domain add b.example --mx mx.b.example || fail "domain add b.example after the failover"
ok "httpd serves b.example, added after the failover" \
	wait_until 10 serves mta-sts.b.example "mode: testing"
is "$(q_on "$S" "SELECT count(*) FROM domains WHERE name = 'b.example'")" 1 \
	"... a row of the new primary"
sleep 2
touch "$dir/stop"
wait "$floop" "$rloop"

# 4. Every fetch answered; every acknowledged report stored once.
nf=$(grep -c '^ok' "$dir/fetches")
is "$(grep -c FAILED "$dir/fetches")" 0 "httpd answered every fetch ($nf) throughout"
grep FAILED "$dir/fetches" | head -3 | sed 's/^/# /'
ok "fetches were made while no primary ran" test "$(awk -v a="$t_dead" \
	-v b="$t_promote" '$1 == "ok" && $2 > a && $2 < b' "$dir/fetches" | wc -l)" -gt 0
na=$(wc -l <"$dir/acked")
during=$(awk -v a="$t_dead" -v b="$t_promoted" '$1 > a && $1 < b' "$dir/acked" | wc -l)
note "$na reports acknowledged, $during of them while no primary ran;" \
	"$(wc -l <"$dir/refused") not acknowledged (the sender keeps those)"
ok "reports were acknowledged while no primary ran ($during)" test "$during" -gt 0
held=$(awk -v a="$t_held" -v b="$t_dead" '$1 > a && $1 < b' "$dir/acked" | wc -l)
ok "reports were acknowledged and not stored when the primary died ($held)" \
	test "$held" -gt 0
like "$(grep -a "rptparse\[$rp_held\].*left in active/" "$RP_LOG")" \
	'the connection to the server was lost' \
	"... rptparse found the connection lost, and left them in the spool"
ok "the spool empties" rp_idle 60
awk '{ print $2 }' "$dir/acked" | sort >"$dir/acked.ids"
q_on "$S" "SELECT report_id FROM reports WHERE report_id LIKE 'fo-%' OR report_id LIKE 'held-%'" | sort >"$dir/stored.ids"
is "$(comm -23 "$dir/acked.ids" "$dir/stored.ids" | head -5)" "" \
	"every acknowledged report is stored in the new primary"
for id in $(comm -23 "$dir/acked.ids" "$dir/stored.ids" | head -3); do
	grep -a "id $id," "$RP_LOG" | sed 's/^/# /'
done
is "$(q_on "$S" "SELECT count(*) FROM (SELECT report_id FROM reports
	GROUP BY 1 HAVING count(*) > 1) d")" 0 "... none twice"
is "$(stored_on "$S" 'held-%')" 1 "the report held in the spool is stored after"
is "$(stored_on "$S" 'before-%')" 3 "the reports stored before the failover are there"
like "$(grep 'rptparse' "$RP_LOG")" \
	'reports database: the connection to the server was lost; stopping, so that master starts rptparse again' \
	"rptparse said that the connection was lost"
like "$(grep 'rptparse\|policyd' "$RP_LOG")" 'session is read-only' \
	"a start before the promotion found the standby read-only, and said so"
is "$(find "$RP_SPOOL/corrupt" -type f 2>/dev/null)" "" "nothing went to corrupt/"

# 5. The old primary, made a standby of the new one (a new
# pg_basebackup -R in its place), is first in the conninfo: policyd and
# rptparse started again try it, are refused there (read-only) and
# write to the new primary, which the old one follows.
rm -rf "$P/data"
pg_standby "$P" "$S" || fail "the old primary starts as a standby of the new one"
nok "the old primary does not accept writes" pg_is_primary "$P"
for svc in policyd rptparse; do
	pid=$(inst_pid "$svc")
	kill "$pid" || fail "kill $svc"
	respawned() { local p; p=$(inst_pid "$1"); [ -n "$p" ] && [ "$p" != "$2" ]; }
	ok "master starts $svc again" wait_until 20 respawned "$svc" "$pid"
done
ok "policyd answers" wait_until 20 quiet $STSCTL domain add c.example --mx mx.c.example
is "$(q_on "$S" "SELECT count(*) FROM domains WHERE name = 'c.example'")" 1 \
	"a domain added then is a row of the new primary"
c_on_p() { [ "$(q_on "$P" "SELECT count(*) FROM domains WHERE name = 'c.example'")" = 1 ]; }
ok "... which the old one, its standby, replicates" wait_until 10 c_on_p
quiet $STSCTL domain set b.example --mode enforce --force ||
	fail "domain set b.example --mode enforce"
ok "httpd serves a change made then" wait_until 10 serves mta-sts.b.example "mode: enforce"
send rebuilt-1 || fail "rptrecv acknowledges a report"
r_on_s() { [ "$(stored_on "$S" rebuilt-1)" = 1 ]; }
ok "rptparse stores a report in the new primary" wait_until 30 r_on_s

unlike "$(cat "$RP_LOG")" 'Sanitizer|runtime error' "no sanitizer report"
done_testing
