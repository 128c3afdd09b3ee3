# tests/dnsmon/ns.sh - the start of a test of the suite's DNS checks, with
# knot in a network namespace (tests/netns.sh) and an instance
# (tests/stsctl/instance.sh).  Source after tests/lib.sh.
# SPDX-License-Identifier: ISC
#
# Skips the test unless it runs as root (ip netns).  Sets t, a fresh
# directory, and writes $t/sts.zone: the service zone sts.test, whose ns
# and mta-sts are 127.0.0.1.

source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/stsctl/instance.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns"
t=$(t_tmpdir)
{ ns_zone_head sts.test; printf 'ns A 127.0.0.1\nmta-sts A 127.0.0.1\n'; } >"$t/sts.zone"
