#!/bin/bash
# slow
# tests/httpd/snapshot.t - a policy host never goes dark: a hosted
# policy is fetched about 20 times a second while the instance goes
# through 10 reloads that restart every daemon, a kill -9 of each
# daemon, and 30 s without policyd (during which the HTTPS httpd
# processes are killed and start again from the snapshot file alone).
# Every answer must be 200 with the current policy: the max_age that
# the last change gave, once stsctl returned for it (plus
# SNAP_GRACE_MS for the push to reach httpd, as in serve.t).  The log
# says once per process that policyd went away, and the metrics
# stsd_httpd_policyd_connected and stsd_httpd_policies_age_seconds say
# it too; a new httpd logs that it loaded the snapshot before serving.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master stsctl
t_need curl

SNAP_GRACE_MS=1000	# from stsctl's return to httpd serving the change
FETCH_PERIOD_MS=50	# a fetch started every 50 ms: 20 a second
OUTAGE=30		# seconds without policyd

dir=$(t_tmpdir)/i
httpd_instance "$dir" httpd_policyd_retry_time=2s ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
SVC=$I/spool/pid/services
LOG=$I/log/stsd.log

# now_ms: the time in milliseconds, without a fork.
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo "${t:0:13}"; }
# pids_of SERVICE: its running processes (never 0: kill -9 0 kills us).
pids_of() {
	awk -v s="$1" '$1 == s && $4 == "running" && $3 > 0 { print $3 }' "$SVC" |
		sort -n | tr '\n' ' '
}
https_svc=127.0.0.1:$HTTPS

AGE=86400
$STSCTL domain add a.example --mx mx.a.example --max-age $AGE >/dev/null ||
	fail "stsctl domain add"
ok "policy served" wait_until 5 sh -c "curl -sf --cacert $I/ca/ca.pem \
	--resolve mta-sts.a.example:$HTTPS:127.0.0.1 \
	https://mta-sts.a.example:$HTTPS$POLICY_PATH | grep -q 'max_age: $AGE'"
ok "policyd wrote the snapshot file" test -s "$I/spool/snapshot/policies"

# The changes: "START END MAX_AGE" (ms), the first one the initial policy.
CHG=$dir.changes
echo "0 0 $AGE" >"$CHG"
change_age() {
	local t0 n=0
	t0=$(now_ms)
	# policyd may be restarting: try for up to 20 s.
	until $STSCTL domain set a.example --max-age "$1" >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -ge 200 ] && { fail "stsctl domain set --max-age $1"; return 1; }
		sleep 0.1
	done
	echo "$t0 $(now_ms) $1" >>"$CHG"
}

# The fetches: "START END STATUS MAX_AGE" (ms; status 000: no answer).
FETCHES=$dir.fetches
STOP=$dir.stop
fetcher() {
	local t0 t1 out code age pause
	while [ ! -e "$STOP" ]; do
		t0=$(now_ms)
		out=$(curl -s --max-time 10 --cacert "$I/ca/ca.pem" \
			--resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
			-w '\n%{http_code}' "https://mta-sts.a.example:$HTTPS$POLICY_PATH")
		t1=$(now_ms)
		code=${out##*$'\n'}
		age=-
		[[ $out =~ max_age:\ ([0-9]+) ]] && age=${BASH_REMATCH[1]}
		echo "$t0 $t1 ${code:-000} $age" >>"$FETCHES"
		pause=$((FETCH_PERIOD_MS - (t1 - t0)))
		[ "$pause" -gt 0 ] && sleep "0.$(printf %03d "$pause")"
	done
}
fetcher &
FETCHER=$!
at_exit "touch $STOP; kill $FETCHER 2>/dev/null"
T_START=$(now_ms)

# 1. Ten reloads, each with a main.cf change, so that every daemon
# restarts; a policy change before each.
restarted() { [ -n "$(pids_of policyd)" ] && [ "$(pids_of policyd)" != "$1" ] &&
	[ -n "$(pids_of "$https_svc")" ] && [ "$(pids_of "$https_svc")" != "$2" ]; }
reloads=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	change_age $((AGE + i)) || break
	old_p=$(pids_of policyd) old_h=$(pids_of "$https_svc")
	inst_set "httpd_policyd_retry_time=$((2 + i % 2))s"
	$STSD reload >/dev/null 2>&1 || { fail "stsd reload $i"; break; }
	wait_until 20 restarted "$old_p" "$old_h" || { fail "reload $i restarts policyd and httpd"; break; }
	reloads=$((reloads + 1))
done
is "$reloads" 10 "10 reloads, each restarting policyd and httpd"

# 2. kill -9 of every daemon, one after the other; a change after each.
killed=0 nsvc=0 https_kills=0
for svc in $(awk '{ print $1 }' "$SVC" | sort -u); do
	nsvc=$((nsvc + 1))
	old=$(pids_of "$svc")
	[ "$svc" = "$https_svc" ] && https_kills=$((https_kills + 1))
	# shellcheck disable=SC2086
	kill -9 $old
	# As many processes as before, none of them an old one.
	back() {
		local p q
		p=$(pids_of "$1")
		[ "$(echo $p | wc -w)" = "$(echo $2 | wc -w)" ] || return 1
		for q in $p; do case " $2 " in *" $q "*) return 1 ;; esac; done
	}
	if wait_until 20 back "$svc" "$old"; then
		killed=$((killed + 1))
	else
		fail "service $svc runs again after kill -9"
	fi
	change_age $((AGE + 100 + nsvc)) || break
done
is "$killed" "$nsvc" "each of the $nsvc services killed with -9 runs again"

# 3. policyd away for $OUTAGE s; the HTTPS httpd killed in the middle.
cp "$I/etc/master.cf" "$dir.master.cf"
sed -i '/^policyd /d' "$I/etc/master.cf"
old_p=$(pids_of policyd)
h_before=$(pids_of "$https_svc")
T_OUT=$(now_ms)
$STSD reload >/dev/null 2>&1 || fail "stsd reload without policyd"
gone() { ! kill -0 "$1" 2>/dev/null; }
# shellcheck disable=SC2086
ok "policyd stopped" wait_until 10 gone $old_p
sleep $((OUTAGE / 3))
# shellcheck disable=SC2086
kill -9 $h_before
https_kills=$((https_kills + 1))
# Both processes new (back): master may list a killed one as running
# for a moment, and a dead process's metrics file keeps its last values.
ok "httpd restarts while policyd is away" wait_until 20 back "$https_svc" "$h_before"
h_new=$(pids_of "$https_svc")
while [ $(($(now_ms) - T_OUT)) -lt $((OUTAGE * 1000)) ]; do sleep 0.5; done

metric() {	# metric NAME PID: its value in the process's metrics file
	sed -n "s/^$1{pid=\"$2\"} 0*\([0-9]\)/\1/p" "$I/spool/metrics/httpd.$2" 2>/dev/null
}
for p in $h_new; do
	is "$(metric stsd_httpd_policyd_connected "$p")" 0 \
		"httpd $p: stsd_httpd_policyd_connected 0 while policyd is away"
	age=$(metric stsd_httpd_policies_age_seconds "$p")
	ok "httpd $p: stsd_httpd_policies_age_seconds grows ($age s)" \
		test "${age:-0}" -ge $((OUTAGE / 3))
	like "$(grep "httpd\[$p\]" "$LOG" | head -3)" \
		"policy snapshot: 1 policy loaded from snapshot/policies .*
.*serving HTTPS" "httpd $p loaded the snapshot file before serving"
done
for p in $h_before; do
	is "$(grep -c "httpd\[$p\]: policyd: connection closed" "$LOG")" 1 \
		"httpd $p said once that policyd went away"
done
for p in $h_new; do
	# About 10 tries in the outage: at most one line per SUBSCRIBE_LOG_EVERY.
	ok "httpd $p does not log every failed connect to policyd" \
		test "$(grep -c "httpd\[$p\]: warning: policyd: connect to" "$LOG")" -le 2
done

cp "$dir.master.cf" "$I/etc/master.cf"
$STSD reload >/dev/null 2>&1 || fail "stsd reload with policyd"
connected() { local p; for p in $(pids_of "$https_svc"); do
	[ "$(metric stsd_httpd_policyd_connected "$p")" = 1 ] || return 1; done; }
ok "every httpd follows policyd again within 10 s" wait_until 10 connected
ok "httpd says when it follows policyd again" wait_until 10 grep -Eq \
	"httpd\[${h_new%% *}\]: policyd: following its updates again after [0-9]+ s" "$LOG"
change_age $((AGE + 1000))
sleep 2

touch "$STOP"
wait "$FETCHER"
T_END=$(now_ms)

# The verdict.
n=$(wc -l <"$FETCHES")
rate=$(awk -v n="$n" -v ms=$((T_END - T_START)) 'BEGIN { printf "%.1f", n * 1000 / ms }')
note "$n fetches in $(((T_END - T_START) / 1000)) s ($rate a second), $(($(wc -l <"$CHG") - 1)) policy changes"
ok "about 20 fetches a second (at least 10)" awk -v r="$rate" 'BEGIN { exit !(r >= 10) }'
awk -v grace=$SNAP_GRACE_MS '
	BEGIN { nc = 0 }
	NR == FNR { s[nc] = $1; e[nc] = $2; v[nc] = $3; nc++; next }
	$3 == "000" { noanswer++; next }
	{
		answers++
		if ($3 != "200") { bad++; print "# status " $3 " at " $1; next }
		cur = v[0]
		for (k = 0; k < nc; k++) if (e[k] + grace <= $1) cur = v[k]
		good = ($4 == cur)
		# A change under way while the fetch ran may show either way.
		for (k = 0; k < nc; k++)
			if (s[k] <= $2 && e[k] + grace > $1 && $4 == v[k]) good = 1
		if (!good) { stale++; print "# max_age " $4 " at " $1 ", expected " cur }
	}
	END {
		printf "%d %d %d %d\n", answers, bad, stale, noanswer
	}' "$CHG" "$FETCHES" >"$dir.verdict"
grep '^#' "$dir.verdict" | head -20
read -r answers bad stale noanswer < <(grep -v '^#' "$dir.verdict")
ok "answers were given ($answers)" test "$answers" -gt 0
is "$bad" 0 "every answer is 200"
is "$stale" 0 "every answer has the current policy"
# A kill -9 of httpd cuts the one request it was answering, if any.
ok "no answer only for a request cut by a kill -9 of httpd ($noanswer)" \
	test "$noanswer" -le "$https_kills"
done_testing
