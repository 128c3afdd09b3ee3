#!/bin/bash
# stsd start, status, reload, stop with the real master and a test worker.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

MASTER=$BUILDDIR/master/master
WORKER=$BUILDDIR/tests/master/testworker
t_stsd_setup "$MASTER" "$WORKER"
mkdir -p "$daemons"
ln -s "$MASTER" "$daemons/master"
ln -s "$WORKER" "$daemons/testworker"
d=$t/inst
"$STSD" init "$d" --daemon-directory "$daemons" >/dev/null 2>&1 || fail "init"
echo "w1 unix - - n - 1 testworker" >>"$d/etc/master.cf"
# alive PID: the process exists and is not a zombie (a daemon's zombie
# waits for whoever adopted it to reap it).
alive() { [ -e "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

dead() { ! alive "$1"; }

# A hang fails in seconds instead of stalling the suite.
S=(timeout 30 "$STSD" -c "$d/etc")
at_exit "'$STSD' -c '$d/etc' stop"

out=$("${S[@]}" status 2>&1)
is "$?" 1 "status before start exits 1"
is "$out" "stsd: the stsd master is not running" "status before start: not running"
out=$("${S[@]}" stop 2>&1)
is "$?" 1 "stop when not running exits 1"
is "$out" "stsd: the stsd master is not running" "stop when not running says so"
out=$("${S[@]}" reload 2>&1)
is "$?" 1 "reload when not running exits 1"

out=$("${S[@]}" start 2>&1)
is "$?" 0 "start exits 0"
like "$out" "^stsd: started the stsd master \\(pid [0-9]+\\)$" "start says it started, with the pid"
pid=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' <<<"$out")
ok "the master process runs" alive "$pid"
is "$(cat "$d/spool/pid/master.pid" 2>/dev/null)" "$pid" "master.pid holds that pid"

wait_until 5 grep -q '^w1 ' "$d/spool/pid/services"
out=$("${S[@]}" status 2>&1)
is "$?" 0 "status of a running instance exits 0"
like "$out" "^the stsd master is running \\(pid $pid\\)" "status names the master pid"
like "$out" $'\nw1 +unix +[0-9]+ +running +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} +0' \
    "status lists the worker process, its state, start time and restarts"
wpid=$(awk '$1 == "w1" { print $3 }' <<<"$out")
ok "the listed worker pid is a live process" alive "${wpid:-0}"
if [ "$(id -u)" = 0 ]; then
	is "$(ps -o user= -p "${wpid:-0}" | tr -d ' ')" stsd "root instance: the worker runs as mail_owner"
fi

out=$("${S[@]}" start 2>&1)
is "$?" 1 "second start exits 1"
is "$out" "stsd: the stsd master is already running (pid $pid)" "second start refuses, naming the pid"
out=$("${S[@]}" start-fg 2>&1)
is "$?" 1 "start-fg while running exits 1"

# reload: a service added to master.cf appears without a restart.
echo "w2 unix - - n - 1 testworker" >>"$d/etc/master.cf"
out=$("${S[@]}" reload 2>&1)
is "$?" 0 "reload exits 0"
is "$out" "stsd: refreshing the stsd master (pid $pid)" "reload names the master"
ok "after reload the new service runs" wait_until 5 grep -q '^w2 ' "$d/spool/pid/services"
like "$("${S[@]}" status 2>&1)" $'\nw2 +unix +[0-9]+ +running' "status shows the new service"
ok "same master after reload" alive "$pid"

out=$("${S[@]}" stop 2>&1)
is "$?" 0 "stop exits 0"
is "$out" "stsd: stopping the stsd master (pid $pid)" "stop names the master"
# master releases its lock as its last act; the exit follows at once.
ok "the master process is gone after stop" wait_until 5 dead "$pid"
ok "the worker is gone too" wait_until 5 dead "${wpid:-0}"
out=$("${S[@]}" status 2>&1)
is "$?" 1 "status after stop exits 1"
out=$("${S[@]}" stop 2>&1)
is "$?" 1 "second stop exits 1"
ok "the log file has master's lines" grep -q 'stsd/master\[' "$d/log/stsd.log"

# start refuses a broken configuration and starts nothing.
echo "ipc_timeout = soon" >>"$d/etc/main.cf"
out=$("${S[@]}" start 2>&1)
is "$?" 1 "start with a broken main.cf exits 1"
like "$out" "main\\.cf:[0-9]+: parameter ipc_timeout" "start shows the check error"
like "$out" "stsd: fatal: not starting: fix the problems above" "start says it did not start"
nok "no master after a refused start" quiet "${S[@]}" status
sed -i '$d' "$d/etc/main.cf"

# start-fg runs master in the foreground until stopped.
"$STSD" -c "$d/etc" start-fg >"$t/fg.out" 2>&1 &
fg=$!
ok "start-fg: master comes up" wait_until 5 "${S[@]}" status
fgpid=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' <<<"$("${S[@]}" status 2>&1)")
is "$fgpid" "$fg" "start-fg: master is the process stsd became (exec)"
"${S[@]}" stop >/dev/null 2>&1
wait "$fg"
is "$?" 0 "start-fg: exits 0 after stop"

done_testing
