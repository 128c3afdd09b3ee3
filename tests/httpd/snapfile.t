#!/bin/bash
# tests/httpd/snapfile.t - httpd and a damaged snapshot file: with
# policyd away, an httpd that starts on a base with a flipped byte, a
# base cut short or a file over the size limit logs an error naming the
# file and the cause, keeps running and answers 404 until policyd is
# back (then 200); one that starts on a good base with a damaged
# journal serves the base and says so; policyd's next start writes a
# good file again; 10,000 imported domains make policyd compact the
# journal into a new base, which a new httpd loads.  A hung policyd
# (SIGSTOP) is noticed by pings and said in the log and the metrics,
# while the policies are served.  A running httpd
# without policyd follows what is appended to the journal (record by
# record) and a compaction (both files again) within 3 s.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master stsctl
t_need curl python3

dir=$(t_tmpdir)/i
# service_crash_time 1s: the kills below are not fast deaths to throttle.
httpd_instance "$dir" httpd_policyd_retry_time=1s service_crash_time=1s ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
SVC=$I/spool/pid/services
LOG=$I/log/stsd.log
SNAP=$I/spool/snapshot
https_svc=127.0.0.1:$HTTPS
pids_of() {
	awk -v s="$1" '$1 == s && $4 == "running" && $3 > 0 { print $3 }' "$SVC" |
		sort -n | tr '\n' ' '
}
code() { fetch mta-sts.a.example -o /dev/null -w '%{http_code}' 2>/dev/null; }

$STSCTL domain add a.example --mx mx.a.example >/dev/null || fail "stsctl domain add"
ok "policy served" wait_until 5 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' \
	--cacert $I/ca/ca.pem --resolve mta-sts.a.example:$HTTPS:127.0.0.1 \
	https://mta-sts.a.example:$HTTPS$POLICY_PATH)\" = 200 ]"
# A base that holds the domain: policyd compacts when it starts.
p=$(pids_of policyd)
kill -9 $p
ok "policyd restarted" wait_until 10 sh -c "grep -q 'policyd\[[0-9]*\]: policy snapshot: snapshot/policies written: 1 policy' $LOG"
cp -p "$SNAP/policies" "$dir.good"
cp -p "$SNAP/policies.journal" "$dir.good.journal"

# policyd away, so that only the file can give httpd its policies.
cp "$I/etc/master.cf" "$dir.master.cf"
sed -i '/^policyd /d' "$I/etc/master.cf"
$STSD reload >/dev/null 2>&1
ok "policyd stopped" wait_until 10 sh -c "! grep -q '^policyd ' $SVC"

# restart_httpd: kill -9 the HTTPS httpd processes, wait for new ones.
restart_httpd() {
	local old new
	old=$(pids_of "$https_svc")
	# shellcheck disable=SC2086
	kill -9 $old
	new_ones() {
		local p q
		p=$(pids_of "$https_svc")
		[ "$(echo $p | wc -w)" = 2 ] || return 1
		for q in $p; do case " $old " in *" $q "*) return 1 ;; esac; done
	}
	wait_until 20 new_ones || return 1
	sleep 1.5	# past service_crash_time, and loaded and serving
	NEW=$(pids_of "$https_svc")
}
# alive_after: the new processes still run and none exited.
still_alive() {
	local p
	for p in $NEW; do kill -0 "$p" 2>/dev/null || return 1; done
	! grep -E "process ($(echo $NEW | tr ' ' '|')) exited" "$LOG" >/dev/null
}
log_of() { grep -E "httpd\[($(echo $NEW | tr ' ' '|'))\]" "$LOG"; }

# A flipped byte in the middle of the base.
python3 - "$dir.good" "$SNAP/policies" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[len(d) // 2] ^= 0x01
open(sys.argv[2], 'wb').write(d)
EOF
restart_httpd || fail "httpd restarts"
like "$(log_of)" "error: policy snapshot: snapshot/policies: record [0-9]+ at byte [0-9]+: bad record header or checksum; serving 0 policies until policyd sends them" \
	"flipped byte: httpd names the file, the record and the cause"
ok "flipped byte: httpd keeps running" still_alive
is "$(code)" 404 "flipped byte: 404 until policyd is back"

# The base cut short.
head -c $(($(stat -c %s "$dir.good") - 4)) "$dir.good" >"$SNAP/policies"
restart_httpd || fail "httpd restarts"
like "$(log_of)" "error: policy snapshot: snapshot/policies: record [0-9]+ at byte [0-9]+: cut short \(no end record\)" \
	"cut base: httpd says it is cut short"
ok "cut base: httpd keeps running" still_alive

# A (sparse) file over the limit is refused before it is read.
truncate -s 600M "$SNAP/policies"
restart_httpd || fail "httpd restarts"
like "$(log_of)" "error: policy snapshot: snapshot/policies: larger than 536870912 bytes" \
	"600 MB base: refused for its size"
ok "600 MB base: httpd keeps running" still_alive
is "$(code)" 404 "600 MB base: 404 until policyd is back"

# A good file, then changes written to it while httpd has no policyd
# to follow: appended to the journal, then a compaction (as policyd
# writes them; policyd is away, so tests/httpd/snapwrite.py does).
cp -p "$dir.good" "$SNAP/policies"
cp -p "$dir.good.journal" "$SNAP/policies.journal"
restart_httpd || fail "httpd restarts"
snapwrite() { python3 "$SRCDIR/tests/httpd/snapwrite.py" "$1" "$SNAP" "$2"; }
served_age() { fetch mta-sts.a.example 2>/dev/null | grep -q "max_age: $1"; }
snapwrite append 888
ok "a change appended while policyd is away is served within 3 s" \
	wait_until 3 served_age 888
like "$(log_of)" "policy snapshot: 1 change from snapshot/policies.journal \(policyd not connected\); serving 1 policy" \
	"httpd applied the journal's new record alone"
snapwrite compact 999
ok "a compaction while policyd is away is served within 3 s" \
	wait_until 3 served_age 999
# Two loads per process: at start, and after the compaction.
loads_again() { [ "$(log_of | grep -c 'policy snapshot: 1 policy loaded')" -ge 4 ]; }
ok "after a compaction each httpd loads base and journal again" \
	wait_until 3 loads_again
snapwrite append 1234
ok "and follows the new journal" wait_until 3 served_age 1234
ok "httpd keeps running" still_alive

# A good base, a journal with a change then garbage: the base and the
# change are served, the damage is logged.
cp -p "$dir.good" "$SNAP/policies"
python3 - "$dir.good.journal" "$SNAP/policies.journal" <<'EOF'
import sys, zlib
head = open(sys.argv[1], 'rb').read().split(b'\n')[0] + b'\n'
def rec(t, p):
    return b'%s %d %08x\n' % (t, len(p), zlib.crc32(t + p) & 0xffffffff) + p + b'\n'
text = b'version: STSv1\r\nmode: enforce\r\nmx: mx.a.example\r\nmax_age: 777\r\n'
out = head + rec(b'P', b'a.example 20991231000000000000\n' + text)
out += b'P 12 0000zzzz\n\x01\x02garbage\x7f\n' + rec(b'W', b'a.example')
open(sys.argv[2], 'wb').write(out)
EOF
restart_httpd || fail "httpd restarts"
like "$(log_of)" "error: policy snapshot: snapshot/policies.journal: record 2 at byte [0-9]+: bad record header or checksum; serving the rest" \
	"damaged journal: httpd says where it stopped"
body=$(fetch mta-sts.a.example 2>/dev/null)
like "$body" "max_age: 777" \
	"damaged journal: the base and the change before the damage are served"
ok "damaged journal: httpd keeps running" still_alive

# policyd back: it writes a good file at start, and httpd follows it.
cp "$dir.master.cf" "$I/etc/master.cf"
$STSD reload >/dev/null 2>&1
ok "policyd back: the policy of policy.db is served again" \
	wait_until 10 sh -c "curl -s --cacert $I/ca/ca.pem --resolve mta-sts.a.example:$HTTPS:127.0.0.1 \
	https://mta-sts.a.example:$HTTPS$POLICY_PATH | grep -q 'max_age: 604800'"
like "$(grep 'policyd\[' "$LOG" | tail -5)" \
	"policy snapshot: snapshot/policies written: 1 policy" \
	"policyd rewrote the snapshot file at start"
restart_httpd || fail "httpd restarts"
like "$(log_of)" "policy snapshot: 1 policy loaded from snapshot/policies" \
	"a new httpd loads the rewritten file"
# Compaction: 10,000 imported domains make a journal over 1 MiB, which
# policyd folds into a new base after the requests.  9,000 come first
# (the journal passes 1 MiB), then 5 imports of 200, 0.4 s apart: the
# compaction waits for the lull after the last one and writes all
# 10,001 policies once (one that came 1 s after it fell due would
# write about 9,400, and the journal left after it would not be due).
seq -f 'd%05g.example' 1 10000 |
	awk '{ printf "%s mx.%s\n", $1, $1 }' >"$dir.import"
head -n 9000 "$dir.import" >"$dir.import.0"
tail -n 1000 "$dir.import" | split -l 200 - "$dir.import.1"
off=$(stat -c %s "$LOG")
for f in "$dir".import.[01]*; do
	$STSCTL domain import "$f" >/dev/null || fail "stsctl domain import $f"
	sleep 0.4
done
ok "a journal over 1 MiB is compacted: a new base of 10001 policies" \
	wait_until 15 sh -c "grep -Eq 'policyd\[[0-9]+\]: policy snapshot: snapshot/policies written: 10001 policies, [0-9]+ bytes \(a journal of [0-9]{7,} bytes folded in\)' $LOG"
is "$(tail -c +$((off + 1)) "$LOG" | grep -c 'policyd\[[0-9]*\]: policy snapshot: snapshot/policies written:')" 1 \
	"the compaction waits for the end of the imports: one base written"
ok "the new journal is empty (its first line only)" \
	test "$(stat -c %s "$SNAP/policies.journal")" -lt 100
restart_httpd || fail "httpd restarts"
like "$(log_of)" "policy snapshot: 10001 policies loaded from snapshot/policies" \
	"a new httpd loads the 10001 policies of the compacted file"
is "$(code)" 200 "and serves them"
# A hung policyd (SIGSTOP): its socket still takes connections, but
# it answers nothing; httpd notices within two pings (2 x 10 s).
metric() {	# metric NAME PID: its value in the process's metrics file
	sed -n "s/^$1{pid=\"$2\"} 0*\([0-9]\)/\1/p" "$I/spool/metrics/httpd.$2" 2>/dev/null
}
all_connected() {	# all_connected 0|1
	local p
	for p in $NEW; do [ "$(metric stsd_httpd_policyd_connected "$p")" = "$1" ] || return 1; done
}
p=$(pids_of policyd)
kill -STOP $p
at_exit "kill -CONT $p"
ok "a hung policyd: each httpd says within 25 s that it does not follow it" \
	wait_until 25 all_connected 0
like "$(log_of)" "warning: policyd: no answer to a ping in 10 s; serving the 10001 policies known" \
	"a hung policyd: the log says so"
is "$(code)" 200 "a hung policyd: the policies are still served"
kill -CONT $p
ok "policyd answers again: each httpd follows it within 10 s" \
	wait_until 10 all_connected 1
is "$(grep -c 'AddressSanitizer\|runtime error' "$LOG" "$I.start.log" 2>/dev/null |
	awk -F: '{ s += $NF } END { print s + 0 }')" 0 "no sanitizer report"
done_testing
