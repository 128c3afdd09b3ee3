#!/bin/bash
# master restarts a worker that dies, runs maxproc processes on one
# socket, serves unix sockets, and wakes workers up every wakeup seconds.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/master/master.sh"

m_instance
P1=$(free_port)
P2=$(free_port)
cat >"$D/etc/master.cf" <<EOF
# test services
127.0.0.1:$P1 inet n - - - - testworker
127.0.0.1:$P2 inet n - - - 3 testworker -d 300
echo unix - - - 1s - testworker -w $D/wakeups
both unix n - - - - testworker
EOF
m_start
ok "master starts and writes the services file" test -s "$D/queue/pid/services"

# The services file: SERVICE TYPE PID STATE STARTED_EPOCH RESTARTS
line=$(grep "^127.0.0.1:$P1 " "$D/queue/pid/services")
like "$line" "^127\.0\.0\.1:$P1 inet [0-9]+ running [0-9]{10} 0$" \
    "services file line: service, type, pid, state, start time, restarts"

pid1=$(m_pids "127.0.0.1:$P1")
reply=$(m_ask "$P1")
like "$reply" "^127\.0\.0\.1:$P1 $pid1 [0-9]+$" \
    "inet worker answers with its service name and pid"

kill -KILL "$pid1"
new_pid_answers() {
	local p
	p=$(m_pids "127.0.0.1:$P1")
	[ -n "$p" ] && [ "$p" != "$pid1" ] && kill -0 "$p" &&
	    m_ask "$P1" | grep -q " $p "
}
ok "a worker killed with SIGKILL is running again, answering, within 2 s" \
    wait_until 2 new_pid_answers
like "$(grep "^127.0.0.1:$P1 " "$D/queue/pid/services")" " 1$" \
    "services file counts the restart"
like "$(cat "$D/maillog")" "service 127\.0\.0\.1:$P1: process $pid1 exited \(signal 9\)" \
    "the death is logged with the signal"

# maxproc 3: three processes, all answering on one port.
pids3=$(m_pids "127.0.0.1:$P2")
is "$(echo "$pids3" | wc -w)" 3 "maxproc 3 starts three processes"
# Each answer takes 0.3 s, so concurrent clients need every process.
for i in 1 2 3 4 5 6; do m_ask "$P2" >"$D/ask.$i" & done
wait $(jobs -p | grep -v "^$M_PID\$")
answered=$(cat "$D"/ask.* | awk '{print $2}' | sort -n -u | tr '\n' ' ' |
    sed 's/ $//')
is "$answered" "$pids3" "all three processes answer on the shared port"

# unix service: private socket, mode 0600, answers.
sock=$D/queue/private/echo
ok "unix service socket is in private/" test -S "$sock"
is "$(stat -c %a "$sock")" 600 "private socket has mode 0600"
is "$(stat -c %U "$sock")" "$M_OWNER" "private socket is owned by mail_owner"
like "$(m_ask_unix "$sock")" "^echo $(m_pids echo) [0-9]+$" \
    "unix worker answers on its socket"

# private = n: a private socket for daemons and a public one for users.
ok "private=n service has a private socket" test -S "$D/queue/private/both"
ok "private=n service has a public socket" test -S "$D/queue/public/both"
is "$(stat -c %a "$D/queue/public/both")" 660 "public socket has mode 0660"
like "$(m_ask_unix "$D/queue/public/both")" "^both $(m_pids both) [0-9]+$" \
    "the worker answers on the public socket"
like "$(m_ask_unix "$D/queue/private/both")" "^both $(m_pids both) [0-9]+$" \
    "the worker answers on the private socket"

# wakeup 1s: the wakeup hook runs again and again.
wakeups() { test "$(grep -c "^wakeup $(m_pids echo)\$" "$D/wakeups")" -ge 3; }
ok "wakeup 1s calls the wakeup hook repeatedly" wait_until 5 wakeups

m_stop
ok "no sanitizer report from master or workers" m_sanitizer_clean
done_testing
