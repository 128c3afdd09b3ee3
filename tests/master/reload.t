#!/bin/bash
# SIGHUP: a changed master.cf line restarts only that service (on its new
# address), unchanged services keep their processes, removed services
# stop, new ones start; a bad new master.cf or main.cf is refused and the
# running configuration kept; a changed main.cf restarts every service on
# its sockets, and the new processes of a service start only once the old
# ones are gone.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/master/master.sh"

m_instance
PA=$(free_port)
PB=$(free_port)
PA2=$(free_port)
while [ "$PA2" = "$PA" ] || [ "$PA2" = "$PB" ]; do PA2=$(free_port); done
cat >"$D/etc/master.cf" <<EOF
a inet n - - - - testworker
b inet n - - - - testworker
gone unix - - - - - testworker
EOF
# inet service names are addresses: rewrite with the ports.
sed -i "s/^a inet/127.0.0.1:$PA inet/; s/^b inet/127.0.0.1:$PB inet/" \
    "$D/etc/master.cf"
m_start
pid_a=$(m_pids "127.0.0.1:$PA")
pid_b=$(m_pids "127.0.0.1:$PB")
pid_gone=$(m_pids gone)
ok "services are up" test -n "$pid_a" -a -n "$pid_b" -a -n "$pid_gone"

# Change a's address, remove "gone", add "new".
cat >"$D/etc/master.cf" <<EOF
127.0.0.1:$PA2 inet n - - - - testworker
127.0.0.1:$PB inet n - - - - testworker
new unix - - - - - testworker
EOF
kill -HUP "$M_PID"
new_up() { [ -n "$(m_pids new)" ] && m_ask "$PA2" | grep -q "^127.0.0.1:$PA2 "; }
ok "after SIGHUP the changed service answers on its new port" wait_until 5 new_up
is "$(m_pids "127.0.0.1:$PB")" "$pid_b" "the unchanged service keeps the same pid"
like "$(m_ask "$PB")" "^127\.0\.0\.1:$PB $pid_b " "the unchanged service still answers"
gone_stopped() { ! kill -0 "$pid_gone" 2>/dev/null && ! kill -0 "$pid_a" 2>/dev/null; }
ok "the processes of the removed and the changed service are stopped" \
    wait_until 5 gone_stopped
nok "the old address is no longer served" m_ask "$PA"
nok "the socket of the removed service is removed" test -e "$D/queue/private/gone"
ok "the new service has its socket" test -S "$D/queue/private/new"
is "$(m_pids gone)" "" "the removed service left the services file"

# A changed line on the same address (maxproc) keeps the socket.
pid_b_old=$pid_b
sed -i "s/^127.0.0.1:$PB inet n - - - - testworker/127.0.0.1:$PB inet n - - - 2 testworker/" \
    "$D/etc/master.cf"
kill -HUP "$M_PID"
two_b() { [ "$(m_pids "127.0.0.1:$PB" | wc -w)" = 2 ] && ! kill -0 "$pid_b_old"; }
ok "maxproc change restarts the service with two processes" wait_until 5 two_b
like "$(m_ask "$PB")" "^127\.0\.0\.1:$PB " "it answers on the same port"

# A bad master.cf is refused; everything keeps running.
pids_before=$(cat "$D/queue/pid/services" | awk '{print $3}' | sort | tr '\n' ' ')
cp "$D/etc/master.cf" "$D/master.cf.good"
echo "broken unix - -" >>"$D/etc/master.cf"
kill -HUP "$M_PID"
refused() { grep -q "reload: .*master.cf:4: too few columns" "$D/maillog"; }
ok "a bad master.cf on reload is logged with file and line" wait_until 5 refused
like "$(grep 'master.cf:4:' "$D/maillog")" "keeping the running configuration" \
    "the log says the running configuration is kept"
is "$(cat "$D/queue/pid/services" | awk '{print $3}' | sort | tr '\n' ' ')" \
    "$pids_before" "no process was restarted"
ok "master is still running" kill -0 "$M_PID"

# A bad main.cf is refused too, with what else it changes.
cp "$D/master.cf.good" "$D/etc/master.cf"
echo "daemon_directory = $D/nowhere" >>"$D/etc/main.cf"
echo "service_crash_time = 10x" >>"$D/etc/main.cf"
kill -HUP "$M_PID"
refused_main() { grep -q "reload: .*main.cf:[0-9]*: .*service_crash_time" "$D/maillog"; }
ok "a bad main.cf on reload is refused with file and line" wait_until 5 refused_main
like "$(m_ask "$PB")" "^127\.0\.0\.1:$PB " "services still answer"
# A process that dies now is replaced with the running daemon_directory.
# The worker itself reads main.cf from disk: its bad line goes (without a
# SIGHUP, so master keeps the running configuration), daemon_directory =
# nowhere stays, which only master acts on.
sed -i '/^service_crash_time = 10x$/d' "$D/etc/main.cf"
pids_b=$(m_pids "127.0.0.1:$PB")
victim=${pids_b%% *}
kill -KILL "$victim"
respawned() {
	local now
	now=$(m_pids "127.0.0.1:$PB")
	[ "$(echo "$now" | wc -w)" = 2 ] && ! echo " $now " | grep -q " $victim "
}
ok "after a refused reload a dead worker is replaced" wait_until 5 respawned
nok "from the running daemon_directory, not the refused one" \
    grep -q "$D/nowhere" "$D/maillog"

# A changed main.cf restarts every service, on the same sockets.
sed -i '/^service_crash_time = 10x$/d; \|^daemon_directory = .*/nowhere$|d' \
    "$D/etc/main.cf"
pids_before=$(awk '{print $3}' "$D/queue/pid/services" | sort -n)
echo "message_size_limit = 5m" >>"$D/etc/main.cf"
kill -HUP "$M_PID"
replaced() {
	local now
	now=$(awk '$4 == "running" {print $3}' "$D/queue/pid/services" | sort -n)
	[ "$(echo "$now" | wc -l)" = 4 ] &&
	    [ -z "$(comm -12 <(echo "$pids_before") <(echo "$now"))" ]
}
ok "a changed main.cf replaces every process" wait_until 5 replaced
for s in "127.0.0.1:$PA2" "127.0.0.1:$PB" new; do
	is "$(grep -c "service $s: main.cf changed: restarting" "$D/maillog")" 1 \
	    "one log line for service $s"
done
like "$(m_ask "$PB")" "^127\.0\.0\.1:$PB " "the restarted service answers on its port"
ok "the unix service keeps its socket" test -S "$D/queue/private/new"
before=$(awk '{print $1, $3}' "$D/queue/pid/services" | sort)
n=$(grep -c 'reloaded (main.cf unchanged)' "$D/maillog")
kill -HUP "$M_PID"
unchanged() { [ "$(grep -c 'reloaded (main.cf unchanged)' "$D/maillog")" -gt "$n" ]; }
ok "master logs that main.cf did not change" wait_until 5 unchanged
is "$(awk '{print $1, $3}' "$D/queue/pid/services" | sort)" "$before" \
    "reload with the same main.cf: nothing restarts"

# The new processes of a service wait for the old ones: a worker that
# takes 1.5 s to stop, and a client that connects meanwhile.
cat >"$D/etc/master.cf" <<EOF
slow unix - - - - - testworker -q 1500
EOF
kill -HUP "$M_PID"
slow_up() { [ -n "$(m_pids slow)" ]; }
ok "a service whose worker is slow to stop starts" wait_until 5 slow_up
# (ready: its SIGTERM handler is in place once it answers)
wait_until 5 m_ask_unix "$D/queue/private/slow" || fail "the slow service answers"
old=$(m_pids slow)
echo "message_size_limit = 6m" >>"$D/etc/main.cf"
kill -HUP "$M_PID"
sleep 0.5
alive() { kill -0 "$1" 2>/dev/null; }
ok "the old process is still stopping" alive "$old"
is "$(m_pids slow)" "" "no new process while the old one runs"
like "$(m_ask_unix "$D/queue/private/slow")" "^slow [0-9]+ " \
    "a client that connects meanwhile waits and is answered"
new=$(m_pids slow)
ok "by a new process" test -n "$new" -a "$new" != "$old"
nok "once the old one is gone" alive "$old"

m_stop
ok "no sanitizer report from master or workers" m_sanitizer_clean
done_testing
