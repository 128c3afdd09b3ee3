#!/bin/bash
# Start and stop: SIGTERM leaves nothing behind; one master per instance;
# master -t; daemon mode; start-up errors (bad master.cf, missing queue
# directories) with the messages a user sees.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/master/master.sh"

m_instance
P1=$(free_port)
cat >"$D/etc/master.cf" <<EOF
127.0.0.1:$P1 inet n - - - 2 testworker
echo unix n - - - - testworker
EOF

"$M_MASTER" -c "$D/etc" -t
is "$?" 0 "master -t exits 0 when no master runs"

m_start
ok "master is up" wait_until 5 m_ask "$P1"
is "$(cat "$D/queue/pid/master.pid")" "$M_PID" "the pid file holds the pid of master"
"$M_MASTER" -c "$D/etc" -t
is "$?" 1 "master -t exits 1 while master runs"
ok "public unix socket is in public/" test -S "$D/queue/public/echo"
is "$(stat -c %a "$D/queue/public/echo")" 660 "public socket has mode 0660"

out=$("$M_MASTER" -c "$D/etc" -f 2>&1)
rc=$?
is "$rc" 1 "a second master on the same instance exits 1"
like "$out" "master: fatal: the stsd master is already running \(pid $M_PID\)$" \
    "a second master says that one runs, with its pid"
out=$("$M_MASTER" -c "$D/etc" 2>&1)
rc=$?
is "$rc" 1 "a second daemon master exits 1"
like "$out" "master: fatal: the stsd master is already running \(pid $M_PID\)$" \
    "the daemon's parent prints the child's fatal error"

workers=$(awk '{print $3}' "$D/queue/pid/services" | tr '\n' ' ')
m_stop
is "$?" 0 "master exits 0 on SIGTERM"
alive=""
for p in $workers; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
is "$alive" "" "no worker is left after SIGTERM"
is "$(pgrep -f "testworker -c $D/etc" | tr '\n' ' ')" "" "no testworker process of the instance remains"
"$M_MASTER" -c "$D/etc" -t
is "$?" 0 "the lock is free after SIGTERM"
nok "the unix sockets are removed" test -e "$D/queue/public/echo"
nok "the pid file is removed" test -e "$D/queue/pid/master.pid"
nok "the services file is removed" test -e "$D/queue/pid/services"
ok "no sanitizer report from master or workers" m_sanitizer_clean

# Daemon mode: the parent returns once the child is ready.
"$M_MASTER" -c "$D/etc" >"$D/daemon.out" 2>&1
is "$?" 0 "master without -f exits 0 once the daemon is ready"
dpid=$(cat "$D/queue/pid/master.pid")
at_exit "kill -KILL $dpid"
like "$(m_ask "$P1")" "^127\.0\.0\.1:$P1 " "the daemon's services answer"
is "$(ps -o sid= -p "$dpid" | tr -d ' ')" "$dpid" "the daemon leads its own session"
kill -INT "$dpid"
wait_until 7 bash -c "! kill -0 $dpid 2>/dev/null"
ok "SIGINT stops the daemon" bash -c "! kill -0 $dpid 2>/dev/null"
"$M_MASTER" -c "$D/etc" -t
is "$?" 0 "the lock is free after SIGINT"

# master killed with SIGKILL: the workers see end-of-file on descriptor 3
# and exit; a new master takes over the stale pid file and sockets.
m_start
workers=$(awk '{print $3}' "$D/queue/pid/services" | tr '\n' ' ')
kill -KILL "$M_PID"
wait "$M_PID" 2>/dev/null
workers_gone() {
	local p
	for p in $workers; do kill -0 "$p" 2>/dev/null && return 1; done
	return 0
}
ok "workers exit by themselves when master is killed" wait_until 3 workers_gone
ok "the stale unix socket is still there" test -S "$D/queue/public/echo"
m_start
# The new master's echo worker answers once master has listed it.
echo_is_new() {
	local pids
	pids=$(m_pids echo)
	[ -n "$pids" ] && [[ "$(m_ask_unix "$D/queue/public/echo")" == "echo $pids "* ]]
}
ok "a new master replaces the stale socket and pid file" wait_until 5 echo_is_new
m_stop

# Start-up errors.
cp "$D/etc/master.cf" "$D/master.cf.good"
printf '# comment\n\nbad unix - - -\n' >"$D/etc/master.cf"
out=$("$M_MASTER" -c "$D/etc" 2>&1)
is "$?" 1 "a bad master.cf: exit 1"
like "$out" "master: fatal: $D/etc/master\.cf:3: too few columns \(5\)" \
    "a bad master.cf: the message names file and line"
ok "a bad master.cf: no master runs (master -t exits 0)" "$M_MASTER" -c "$D/etc" -t

cp "$D/master.cf.good" "$D/etc/master.cf"
rmdir "$D/queue/private"
out=$("$M_MASTER" -c "$D/etc" -f 2>&1)
is "$?" 1 "a missing queue/private: exit 1"
like "$out" "master: fatal: $D/queue/private: No such file or directory \(run stsd check\)" \
    "a missing queue/private: the message says to run stsd check"
nok "master does not create directories" test -e "$D/queue/private"
mkdir "$D/queue/private"
rmdir "$D/queue/pid"
out=$("$M_MASTER" -c "$D/etc" 2>&1)
like "$out" "$D/queue/pid: No such file or directory \(run stsd check\)" \
    "a missing queue/pid: the message says to run stsd check"
mkdir "$D/queue/pid"

# A port that is taken: exit 1, the message names service and address.
m_start
D_FIRST=$D
FIRST_PID=$M_PID
m_instance
printf '127.0.0.1:%s inet n - - - - testworker\n' "$P1" >"$D/etc/master.cf"
out=$("$M_MASTER" -c "$D/etc" 2>&1)
is "$?" 1 "a port in use: exit 1"
like "$out" "master: fatal: service 127\.0\.0\.1:$P1: bind 127\.0\.0\.1:$P1: Address already in use" \
    "a port in use: the message names service, address and cause"
"$M_MASTER" -c "$D/etc" -t
is "$?" 0 "a master that failed to bind holds no lock"
nok "a master that failed to bind leaves no pid file" test -e "$D/queue/pid/master.pid"
D=$D_FIRST
M_PID=$FIRST_PID
m_stop
done_testing
