#!/bin/bash
# A service whose worker exits at once is throttled with a doubling
# back-off, while the other services keep running; the back-off is capped
# by service_throttle_time; a worker that ran longer than
# service_crash_time is restarted at once every time.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/master/master.sh"

# Instance 1: default times (crash 10s, throttle cap 60s).
m_instance
D1=$D
P1=$(free_port)
cat >"$D1/etc/master.cf" <<EOF
crash unix - - - - - testworker -x
127.0.0.1:$P1 inet n - - - - testworker
EOF
m_start
M1=$M_PID
steady_pid=$(m_pids "127.0.0.1:$P1")
t0=$SECONDS

# Instance 2: the back-off is capped at 1 s.
m_instance
D2=$D
cat >"$D2/etc/master.cf" <<EOF
crash unix - - - - - testworker -x
EOF
echo "service_throttle_time = 1s" >>"$D2/etc/main.cf"
m_start
M2=$M_PID

# Instance 3: workers live 1.2 s, more than service_crash_time.
m_instance
D3=$D
cat >"$D3/etc/master.cf" <<EOF
slow unix - - - - - testworker -e 1200
EOF
echo "service_crash_time = 1s" >>"$D3/etc/main.cf"
m_start
M3=$M_PID

# Watch instance 1 for 10 s.
sleep $((10 - (SECONDS - t0)))
D=$D1
starts=$(grep -c "service crash: exiting at once, as asked" "$D1/maillog")
note "starts of the crashing service in 10 s: $starts"
ok "a service that exits at once is started a bounded number of times in 10 s (3..6)" \
    test "$starts" -ge 3 -a "$starts" -le 6
log=$(cat "$D1/maillog")
like "$log" "warning: service crash: process [0-9]+ exited too quickly 2 times \(status 1\); throttling for 1 s" \
    "throttling is logged with the count, the status and the delay"
like "$log" "exited too quickly 3 times \(status 1\); throttling for 2 s" \
    "the delay doubles: 2 s"
like "$log" "exited too quickly 4 times \(status 1\); throttling for 4 s" \
    "the delay doubles: 4 s"
like "$(cat "$D1/queue/pid/services")" "^crash unix 0 throttled [0-9]+ [0-9]+$" \
    "the services file shows the throttled service with pid 0"
is "$(m_pids "127.0.0.1:$P1")" "$steady_pid" "the other service keeps its process"
like "$(m_ask "$P1")" "^127\.0\.0\.1:$P1 $steady_pid " "the other service still answers"

like "$(cat "$D2/maillog")" "exited too quickly [5-9] times \(status 1\); throttling for 1 s" \
    "service_throttle_time caps the back-off"
unlike "$(cat "$D2/maillog")" "throttling for 2 s" \
    "no delay longer than service_throttle_time"

slow_starts=$(grep -c "service slow: exiting after 1200 ms" "$D3/maillog")
ok "a worker that ran longer than service_crash_time is restarted each time ($slow_starts exits)" \
    test "$slow_starts" -ge 5
unlike "$(cat "$D3/maillog")" "too quickly" \
    "a worker that ran long enough is never throttled"

for M_PID in $M1 $M2 $M3; do m_stop; done
for D in $D1 $D2 $D3; do
	ok "no sanitizer report ($(basename "$D"))" m_sanitizer_clean
done
done_testing
