#!/bin/bash
# tests/policyd/notice.t - the check-now notices of domain-add to dnsmon
# and acmed.  Neither in master.cf (no socket file): the adds succeed,
# "dnsmon not reached" is logged once a minute at most.  Then a listener on each private socket (the peers are up): the
# next add is noticed at once, and a burst of 300 adds one at a time over
# one connection gives each peer one check-now notice per domain, in
# order.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"

inst_need policyd master stsctl
t_need python3
BURST=$BUILDDIR/tests/policyd/addburst
[ -x "$BURST" ] || skip_all "$BURST is not built"

dir=$(t_tmpdir)/i
inst_policyd "$dir"
LOG=$I/log/stsd.log
PRIV=$I/spool/private

$STSCTL domain add down1.example --mx mx.down1.example >/dev/null
is "$?" 0 "domain-add with dnsmon and acmed not running"
"$BURST" "$I/spool/public/policyd" 50 down.example mx.down.example >/dev/null ||
	fail "50 more adds with the peers down"
is "$(grep -c 'policyd.*dnsmon not reached' "$LOG")" 1 \
	"dnsmon not reached: said once for 51 adds"

# listen NAME: a peer on private/NAME that writes each notice to $dir.NAME
listen() {
	python3 - "$PRIV/$1" "$dir.$1" <<'PY' &
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o666)
s.listen(64)
with open(out, "w") as f:
    while True:
        c, _ = s.accept()
        data = b""
        while True:
            b = c.recv(65536)
            if not b:
                break
            data += b
        c.close()
        f.write(data.decode())
        f.flush()
PY
	at_exit kill $!
}
listen dnsmon
listen acmed
ok "both peers listen" wait_until 5 test -S "$PRIV/dnsmon" -a -S "$PRIV/acmed"

$STSCTL domain add up1.example --mx mx.up1.example >/dev/null ||
	fail "domain add up1.example"
ok "the first add after dnsmon is up is noticed" \
	wait_until 5 grep -q '"domain": *"up1.example"' "$dir.dnsmon"
ok "... and by acmed" wait_until 5 grep -q '"domain": *"up1.example"' "$dir.acmed"

"$BURST" "$I/spool/public/policyd" 300 burst.example mx.burst.example >/dev/null ||
	fail "300 adds with the peers up"
for peer in dnsmon acmed; do
	ok "$peer: a notice for each of the 300 domains" wait_until 10 sh -c \
		"[ \$(grep -c 'burst\.example' $dir.$peer) = 300 ]"
	is "$(grep -o 'd[0-9]*\.burst\.example' "$dir.$peer" | tr '\n' ' ')" \
		"$(seq 1 300 | sed 's/.*/d&.burst.example/' | tr '\n' ' ')" \
		"$peer: in the order of the adds"
	is "$(grep -c '"op": *"check-now"' "$dir.$peer")" 301 "$peer: check-now notices"
done
done_testing
