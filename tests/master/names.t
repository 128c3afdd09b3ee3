#!/bin/bash
# tests/master/names.t - the processes of stsd do not pass for Postfix's
# in ps (issue 16 item 3): "stsd start" runs master as "stsd/master"
# (comm, what "ps -o comm" shows and "pgrep -x" matches, and argv[0],
# what "ps -o args" shows), and master runs each worker as
# "stsd/PROG -c DIR -n SERVICE ...", like Postfix's "smtpd -n smtp -t
# inet".  "pgrep -x master" (Postfix's master) does not find stsd's.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"

t=$(t_tmpdir)
inst_init "$t/i"
inst_only policyd httpd rptrecv rptparse metrics
inst_set domain_verification=none
ok "the suite starts" inst_start
ok "policyd answers" wait_until 10 $STSCTL domain list

master=$(head -1 "$I/spool/pid/master.pid" | tr -dc 0-9)
[ -n "$master" ] || { fail "master.pid names the master"; done_testing; }
is "$(ps -o comm= -p "$master")" "stsd/master" "ps -o comm: the master is stsd/master"
like "$(ps -o args= -p "$master")" "^stsd/master -c $I/etc\$" \
	"ps -o args: the master is stsd/master -c DIR"
is "$(cat "/proc/$master/comm")" "stsd/master" "/proc/PID/comm of the master"
ok "pgrep -x stsd/master finds it" sh -c "pgrep -x stsd/master | grep -qx $master"
nok "pgrep -x master (Postfix's master) does not find it" \
	sh -c "pgrep -x master | grep -qx $master"

# Every worker, once each program has started (policyd, httpd for HTTPS
# and HTTP, rptrecv, rptparse, metrics).
workers() { pgrep -P "$master" | wc -l; }
ok "master runs its workers" wait_until 10 sh -c "[ \$($(declare -f workers); master=$master; workers) -ge 6 ]"
seen=
for pid in $(pgrep -P "$master"); do
	comm=$(ps -o comm= -p "$pid") || continue
	args=$(ps -o args= -p "$pid") || continue
	prog=${comm#stsd/}
	like "$comm" '^stsd/[a-z]+$' "pid $pid: ps -o comm reads stsd/PROG ($comm)"
	like "$args" "^stsd/$prog -c $I/etc -n [^ ]+ -t (inet|unix) " \
		"pid $pid: ps -o args reads stsd/$prog -c DIR -n SERVICE -t TYPE"
	seen="$seen $prog"
done
seen=$(echo $seen | tr ' ' '\n' | sort -u | paste -sd' ')
is "$seen" "httpd metrics policyd rptparse rptrecv" "every program of master.cf was looked at"
for p in policyd httpd rptrecv rptparse metrics; do
	is "$(pgrep -P "$master" -x "$p")" "" "pgrep -x $p does not find stsd's $p"
	ok "pgrep -x stsd/$p finds it" sh -c "pgrep -P $master -x stsd/$p >/dev/null"
done

# The log tag stays stsd/PROG (syslog, maillog_file).
log=$($STSCONF maillog_file | sed 's/.*= //')
if [ -n "$log" ] && [ -f "$log" ]; then
	like "$(cat "$log")" "stsd/master\[$master\]: " "maillog_file: master logs as stsd/master[pid]"
fi
done_testing
