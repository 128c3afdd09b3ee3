#!/bin/bash
# master in daemon mode (stsd start) logs what its workers write to
# stderr outside lib/log: a failed assertion (a sanitizer report goes the
# same way) reaches maillog_file, one log line per stderr line, naming
# the service and the worker, escaped, cut at a length, and a flood is
# held to a budget; the workers' own log lines are not doubled.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

STSD=$BUILDDIR/stsd/stsd
MASTER=$BUILDDIR/master/master
WORKER=$BUILDDIR/tests/master/testworker
[ -x "$STSD" ] && [ -x "$MASTER" ] && [ -x "$WORKER" ] ||
	skip_all "no stsd, master or testworker in $BUILDDIR"
t_stsd_user

t=$(t_tmpdir)
chmod 755 "$t"
mkdir -p "$t/libexec" "$t/marks"
ln -s "$MASTER" "$t/libexec/master"
ln -s "$WORKER" "$t/libexec/testworker"
d=$t/inst
"$STSD" init "$d" --daemon-directory "$t/libexec" >/dev/null 2>&1 || fail "init"
log=$(sed -n 's/^maillog_file = //p' "$d/etc/main.cf")
[ -n "$log" ] || { fail "stsd init sets maillog_file"; done_testing; }
cat >>"$d/etc/master.cf" <<EOF2
crash unix - - n - 1 testworker -a $t/marks/crash
flood unix - - n - 1 testworker -a $t/marks/flood -l 100000
quiet unix - - n - 1 testworker -e 300
EOF2
S=(timeout 30 "$STSD" -c "$d/etc")
at_exit "'$STSD' -c '$d/etc' stop"

out=$("${S[@]}" start 2>&1)
is "$?" 0 "stsd start runs master as a daemon"
wait_until 10 grep -q "service crash: process [0-9]* exited (signal 6)" "$log"
wait_until 10 grep -q "service flood: process [0-9]* exited (signal 6)" "$log"
wait_until 10 grep -q "service quiet: process [0-9]* exited (status 1)" "$log"
sleep 1
text=$(cat "$log")
cpid=$(sed -n 's/.*service crash: process \([0-9]*\) exited (signal 6).*/\1/p' "$log" | head -1)
note "crashed worker: ${cpid:-none}"
like "$text" "stsd/master\[[0-9]+\]: warning: service crash: testworker\[$cpid\]: stderr: testworker: crashing as asked, pid $cpid" \
	"a worker's stderr line is in maillog_file, naming its service, program and pid"
like "$text" "service crash: testworker\[$cpid\]: stderr: testworker: .*testworker\.c:[0-9]+: testworker_crash: Assertion .* failed\." \
	"the failed assertion of the crashed worker reaches the log"
ok "it comes before master's line about the exit" \
	awk -v p="$cpid" '/Assertion/ && index($0, "[" p "]") { a = NR } /exited \(signal 6\)/ && index($0, "process " p " ") { e = NR } END { exit !(a && e && a < e) }' "$log"
like "$text" "testworker\[$cpid\]: stderr: control: \\\\x1b\[31mred\\\\x1b\[0m bell\\\\x07 nul\\\\x00 byte\\\\xff tab\\\\t end" \
	"control characters, NUL and invalid UTF-8 are escaped (lib/esc: \\x1b, \\x07, \\x00, \\xff, \\t)"
nok "no raw escape or bell character in the log" grep -q $'[\x1b\x07]' "$log"
nok "no NUL byte in the log" grep -qaP '\x00' "$log"
is "$(grep -c "testworker\[$cpid\]: stderr: " "$log")" 4 \
	"one log line per stderr line (4 lines written)"
long=$(grep "testworker\[$cpid\]: stderr: LLL" "$log")
like "$long" "stderr: L{400}\.\.\. \(1600 more octets cut\)$" \
	"a 2000-octet line is cut at 400 octets and says how much was cut"

# The flood: 100,000 lines, held to the budget of its service.
fl=$(grep -c "service flood: testworker\[[0-9]*\]: stderr: flood " "$log")
note "flood lines logged: $fl"
ok "a flood of 100000 lines logs at most the budget (200 and 1 a second): $fl" \
	test "$fl" -ge 150 -a "$fl" -le 220
like "$text" "service flood: [0-9]+ lines of stderr dropped: more than 200 at once, or 1 a second" \
	"the dropped lines are counted in the log"
size=$(stat -c %s "$log")
ok "the log stays small ($size octets)" test "$size" -lt 200000

# The restarted workers run normally (the crash was once).
ok "master restarted the crashed service" \
	wait_until 5 grep -q "^crash .* running" "$d/spool/pid/services"
# A worker's own log lines (lib/log) are not copied to the pipe: once each.
qpid=$(sed -n 's/.*service quiet: process \([0-9]*\) exited (status 1).*/\1/p' "$log" | head -1)
is "$(grep -c "testworker\[$qpid\]: service quiet: exiting after 300 ms" "$log")" 1 \
	"a worker's own log line appears once"
nok "and never as stderr" grep -q "stderr: .*exiting after 300 ms" "$log"

out=$("${S[@]}" stop 2>&1)
is "$?" 0 "stop exits 0"
done_testing
