# tests/mtasts.sh - a hosted domain's policy as a sender sees it, for the
# integration tests in a network namespace: the domain's _mta-sts record
# in knot, and mta-sts-query (the resolver Postfix uses through
# postfix-mta-sts-resolver) fetching the policy (RFC 8461 sections 3
# and 5).
# SPDX-License-Identifier: ISC
#
# The start of such a test: source after tests/lib.sh.  It brings
# tests/netns.sh, tests/pki.sh and tests/instance.sh, skips the test
# unless it runs as root (ip netns) and mta-sts-query is there, sets t,
# a fresh directory, and creates the namespace.  The test then has knot
# serve the zone of the domain D; MTASTS_CA is the file of the CA
# certificate that mta-sts-query trusts.
#
#	mtasts_zone ADDR [LINE...]	knot serves $t/zone, the zone of D
#					as its owner publishes it: MX
#					mx1.$D at ADDR, the LINEs, ns and
#					mta-sts at 127.0.0.1 (one case)
#	mtasts_publish ID		_mta-sts.$D says id ID
#	mtasts_query DOMAIN [ID]	what mta-sts-query says of DOMAIN's
#					policy, holding the id ID (20 s)
#	mtasts_refetched OLD NEW THE-OLD THE-NEW
#					with NEW published, mta-sts-query
#					holding OLD fetches again and gets
#					NEW (two cases); its output in $out

source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/instance.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns"
t_need mta-sts-query
t=$(t_tmpdir)
ns_create || { fail "network namespace"; done_testing; }

mtasts_zone() {
	local mx1=$1 line

	shift
	{
		printf '$TTL 60\n@\tSOA ns.%s. hostmaster.%s. 1 60 60 600 60\n' "$D" "$D"
		printf '\tNS ns.%s.\n\tMX 10 mx1.%s.\n' "$D" "$D"
		printf 'ns\tA 127.0.0.1\nmx1\tA %s\n' "$mx1"
		for line; do printf '%s\n' "$line"; done
		printf 'mta-sts\tA 127.0.0.1\n'
	} >"$t/zone"
	ok "knot serves $D" ns_dns_start "$D" "$t/zone"
}

mtasts_publish() { ns_dns_set "$D" "_mta-sts.$D." 60 TXT "\"v=STSv1; id=$1;\""; }

mtasts_query() {
	ns_exec env SSL_CERT_FILE="$MTASTS_CA" timeout 20 mta-sts-query "$@" 2>&1
}

mtasts_refetched() {
	mtasts_publish "$2"
	out=$(mtasts_query "$D" "$1")
	like "$out" "STSFetchResult\.VALID" "mta-sts-query, holding $3, fetches again"
	like "$out" "'$2'" "... and gets $4"
}
