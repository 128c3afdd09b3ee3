#!/bin/bash
# tests/stsd/throttled.t - stsd check names a service that master
# throttles.  A whole instance (stsd init) with one more service whose
# program exits at once: master throttles it after two quick exits, and
# stsd check exits 1 naming it while the others pass; once the line is
# gone from master.cf and master reloaded, check passes again.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"

inst_need stsd stsconf
t_stsd_user

t=$(t_tmpdir)
# The suite's programs, and one that exits at once.
mkdir -p "$t/libexec"
for p in "$BUILDDIR"/libexec/*; do ln -s "$p" "$t/libexec/"; done
printf '#!/bin/sh\necho "crasher: exiting at once" >&2\nexit 1\n' >"$t/libexec/crasher"
chmod 755 "$t/libexec/crasher"

inst_init "$t/i" --daemon-directory="$t/libexec" ||
	{ fail "stsd init"; done_testing; }
inst_only policyd
inst_set domain_verification=none acme_enabled=no || fail "stsconf -e"
cp "$I/etc/master.cf" "$t/master.cf.good"
echo "crasher unix - - n - 1 crasher" >>"$I/etc/master.cf"
Q=$($STSCONF -x queue_directory | sed 's/^[^=]*= *//')

out=$($STSD check 2>&1)
is "$?" 0 "before start: check passes (nothing runs yet)"
inst_start || { fail "instance starts"; done_testing; }
throttled() { grep -q '^crasher unix 0 throttled ' "$Q/pid/services"; }
ok "master throttles the service whose program exits at once" \
    wait_until 15 throttled
out=$($STSD check 2>&1)
is "$?" 1 "a throttled service: check exits 1"
like "$out" "^stsd: error: service crasher \\(unix\\) is throttled by master: its processes keep exiting \\([0-9]+ restarts, throttled for [0-9]+ s; fix: see why in the log" \
    "check names the throttled service and where to look"
unlike "$out" "policyd" "the service that runs is not named"

cp "$t/master.cf.good" "$I/etc/master.cf"
$STSD reload >/dev/null 2>&1 || fail "stsd reload"
gone() { ! grep -q '^crasher ' "$Q/pid/services"; }
ok "after the reload master runs no crasher" wait_until 10 gone
out=$($STSD check 2>&1)
is "$?" 0 "nothing throttled: check passes"
is "$out" "" "and says nothing"

inst_stop
done_testing
