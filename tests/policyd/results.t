#!/bin/bash
# tests/policyd/results.t - dnsmon's check results are stored by group
# commit (policyd/checkbatch.h): a burst of results sent without waiting
# for replies is stored whole, each answered "stored" only once it is
# committed, so that a kill -9 of policyd in the middle of a burst loses
# none that policyd acknowledged; master's next policyd has every one.
# Adds while dnsmon is down are logged once a minute, not once each.
# SPDX-License-Identifier: ISC
#
# The client speaks for dnsmon on private/policyd: it writes every
# check-result of a burst first, then reads the replies (each carries
# its domain as "id"), as dnsmon does with its window of results.
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"

inst_need stsd stsctl stsconf
command -v python3 >/dev/null || skip_all "python3 is missing"
t_stsd_user

N=2500				# more than two batches (CHECKBATCH_MAX 1000)
t=$(t_tmpdir)
inst_policyd "$t/i"
Q=$(inst_param queue_directory)
LOG=$(inst_param maillog_file)
for i in $(seq "$N"); do echo "r$i.example mx.r$i.example"; done >"$t/domains"
is "$($STSCTL domain import "$t/domains" 2>&1)" "$t/domains: $N domains imported" \
    "$N domains imported"

# results.py burst TIME KILL_AFTER PID: sends a check-result at TIME for
# r1..rN, reads the replies; after KILL_AFTER replies (0: never) kills PID
# with SIGKILL and reads on to end of file.  Prints "acked D" for each
# reply {"ok":true,"stored":true}, "bad REPLY" for any other reply, and
# "replies K" at the end.
# results.py check TIME: prints "stored D" for each domain whose
# domain-show (public socket) says checked == TIME.
cat >"$t/results.py" <<'PY'
import json, os, signal, socket, sys
priv, pub, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
what, when = sys.argv[4], int(sys.argv[5])
def conn(path):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(60)
    s.connect(path)
    return s, s.makefile("rwb")
if what == "burst":
    kill_after, pid = int(sys.argv[6]), int(sys.argv[7])
    s, f = conn(priv)
    for i in range(1, n + 1):
        f.write((json.dumps({"op": "check-result", "domain": "r%d.example" % i,
            "id": "r%d.example" % i, "time": when, "next": when + 3600,
            "checks": [{"check": "mx", "status": "ok",
                        "message": "MX mx.r%d.example" % i}]}) + "\n").encode())
    f.flush()
    got = 0
    for line in f:
        r = json.loads(line)
        got += 1
        if r.get("ok") is True and r.get("stored") is True:
            print("acked", r.get("id"))
        else:
            print("bad", line.decode().strip())
        if got == kill_after:
            os.kill(pid, signal.SIGKILL)
        if got == n:
            break
    print("replies", got)
else:
    s, f = conn(pub)
    for i in range(1, n + 1):
        f.write((json.dumps({"op": "domain-show", "domain": "r%d.example" % i})
                 + "\n").encode())
        f.flush()
        r = json.loads(f.readline())
        d = r.get("domain") or {}
        if d.get("checked") == when:
            print("stored", d.get("domain"))
PY
rs() { python3 "$t/results.py" "$Q/private/policyd" "$Q/public/policyd" "$N" "$@"; }

# A burst without a crash: every result answered "stored" and stored.
out=$(rs burst 1000 0 0 2>&1)
is "$(grep -c '^acked ' <<<"$out")" "$N" "a burst of $N results: every one answered \"stored\""
is "$(grep -c '^bad ' <<<"$out")" 0 "no other reply"
is "$(rs check 1000 | wc -l)" "$N" "every result of the burst is in policy.db"

# A burst cut by kill -9: what was acknowledged survives.
pid=$(inst_pid policyd)
out=$(rs burst 2000 1000 "$pid" 2>&1)
acked=$(grep '^acked ' <<<"$out" | cut -d' ' -f2 | sort)
note "$(grep '^replies ' <<<"$out"), $(wc -l <<<"$acked") acknowledged before the kill"
ok "policyd acknowledged results before the kill" [ "$(wc -l <<<"$acked")" -ge 1000 ]
is "$(grep -c '^bad ' <<<"$out")" 0 "no error reply"
gone() { ! kill -0 "$pid" 2>/dev/null; }
ok "policyd is killed" wait_until 5 gone
ok "master starts a new policyd" wait_until 15 quiet $STSCTL domain list
stored=$(rs check 2000 2>"$t/check.err" | cut -d" " -f2 | sort)
[ -s "$t/check.err" ] && note "$(cat "$t/check.err")"
is "$(comm -23 <(echo "$acked") <(echo "$stored") | wc -l)" 0 \
    "every result acknowledged before the kill is stored"

# dnsmon is not in master.cf: each domain add finds it unreachable, and
# policyd says so in one line a minute, not one a domain.
n0=$(grep -c 'dnsmon not reached' "$LOG")
for i in 1 2 3 4 5; do quiet $STSCTL domain add "u$i.example" --mx mx.u.example; done
is "$(grep -c 'dnsmon not reached' "$LOG")" $((n0 + 1)) \
    "5 adds while dnsmon is down: one \"dnsmon not reached\" line"

inst_stop
done_testing
