# slow
# tests/build/distcheck.t - the release tarball builds, installs and passes
# its unit tests out of tree (make distcheck), and "make install" puts the
# programs, daemons and man pages where the packaging expects them.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

t=$(t_tmpdir)
# A plain build of the tree in a directory of its own, so that this test
# does not disturb the build that the suite runs from.
if ( cd "$t" && "$SRCDIR/configure" >configure.log 2>&1 ); then
	pass "configure succeeds in a fresh build directory"
else
	fail "configure succeeds in a fresh build directory"
	tail -20 "$t/configure.log" | sed 's/^/# /'
	done_testing
fi

if make -C "$t" -j"$(nproc)" distcheck STSD_TEST_ARGS=--unit >"$t/distcheck.log" 2>&1; then
	pass "make distcheck passes"
else
	fail "make distcheck passes"
	grep -E 'error|Error|not ok|FAIL' "$t/distcheck.log" | head -30 | sed 's/^/# /'
fi

make -C "$t" -j"$(nproc)" install DESTDIR="$t/root" >"$t/install.log" 2>&1
ok "make install succeeds" test $? = 0
for f in usr/local/sbin/stsd usr/local/sbin/stsconf usr/local/libexec/stsd/master \
	usr/local/share/man/man8/stsd-master.8 usr/local/share/man/man5/stsd.conf.5; do
	ok "make install installs /$f" test -e "$t/root/$f"
done
done_testing
