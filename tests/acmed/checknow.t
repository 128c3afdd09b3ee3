#!/bin/bash
# slow
# tests/acmed/checknow.t - policyd's notice that a domain became active
# ({"op":"check-now","domain":D} on private/acmed, lib/notify) has acmed
# get its certificate within seconds instead of at its wakeup (an hour
# here), and a flood of notices, good and bad, neither puts that run
# off nor stops acmed.  policyd is stood in for by fakepolicyd.py; the
# real policyd's side is in policyd/policyd_test.c.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/acmed/pebble.sh"

[ -x "$LIBEXEC/acmed" ] && [ -x "$LIBEXEC/master" ] || skip_all "acmed or master not built"
acme_env a.example b.example c.example || { fail "test network"; done_testing; }
acmed_instance "$W/inst"
echo "acmed unix n y n 3600 1 acmed" >"$I/etc/master.cf"
echo '[]' >"$W/domains.json"
fake_start || fail "fake policyd starts"
pebble_start || fail "pebble starts"
master_start || { fail "master starts"; done_testing; }
# master starts acmed at its first request; its first run, a second
# later, finds no domain, and the next wakeup is an hour away.
like "$(acmed_call '{"op":"cert-list"}')" '"ok": ?true' "acmed answers cert-list"
pid=$(acmed_pid)
ok "acmed runs (wakeup every hour)" test -n "$pid"
sleep 3

# notice DOMAIN...: one check-now per domain on private/acmed, no reply.
notice() {
	python3 - "$I/spool/private/acmed" "$@" <<-'EOF'
	import json, socket, sys
	for d in sys.argv[2:]:
	    s = socket.socket(socket.AF_UNIX)
	    s.connect(sys.argv[1])
	    s.sendall(json.dumps({"op": "check-now", "domain": d}).encode() + b"\n")
	    s.close()
	EOF
}

# Without a notice, a new domain waits for the wakeup.
echo '["c.example"]' >"$W/domains.json"
sleep 5
nok "without a notice, c.example's certificate waits for the wakeup" \
	test -s "$(cert_file mta-sts.c.example)"

echo '["c.example", "a.example"]' >"$W/domains.json"
start=$SECONDS
notice a.example
ok "a notice has acmed get a.example's certificate (and c's) at once" \
	wait_until 20 test -s "$(cert_file mta-sts.a.example)"
note "notice to certificate: $((SECONDS - start))s"
ok "c.example's came in the same run" test -s "$(cert_file mta-sts.c.example)"

# A flood: 10 s of notices, with bad ones among them (no domain, not a
# string, control characters, 60 KiB), while b.example becomes active.
python3 - "$I/spool/private/acmed" >"$W/flood.out" 2>&1 <<'EOF' &
import json, socket, sys, time
bad = [{"op": "check-now"}, {"op": "check-now", "domain": 42},
       {"op": "check-now", "domain": "x\n\x1b[31mred"},
       {"op": "check-now", "domain": "a" * 60000}]
end, n = time.time() + 10, 0
while time.time() < end:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(sys.argv[1])
        s.sendall(json.dumps(bad[n % 4] if n % 5 == 0 else
                             {"op": "check-now", "domain": "b.example"}).encode() + b"\n")
        n += 1
    except OSError:
        pass
    s.close()
print(n)
EOF
flood=$!
sleep 1
echo '["c.example", "a.example", "b.example"]' >"$W/domains.json"
notice b.example
ok "during the flood, b.example's certificate comes as soon" \
	wait_until 8 test -s "$(cert_file mta-sts.b.example)"
wait "$flood"
note "notices sent in 10 s: $(cat "$W/flood.out")"
is "$(acmed_pid)" "$pid" "acmed survived the flood (same process)"
like "$(acmed_call '{"op":"cert-list"}')" '"mta-sts\.b\.example"' "and answers cert-list"
unlike "$(cat "$I/log/stsd.log")" $'\x1b' "no control character from a notice reaches the log"
is "$(sanitizer_reports | head -20)" "" "no sanitizer report"
done_testing
