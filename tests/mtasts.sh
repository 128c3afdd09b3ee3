# tests/mtasts.sh - a hosted domain's policy as a sender sees it, for the
# integration tests in a network namespace: the domain's _mta-sts record
# in knot, and mta-sts-query (the resolver Postfix uses through
# postfix-mta-sts-resolver) fetching the policy (RFC 8461 sections 3
# and 5).
# SPDX-License-Identifier: ISC
#
# Source after tests/lib.sh and tests/netns.sh, with knot serving the
# zone of the domain D; MTASTS_CA is the file of the CA certificate that
# mta-sts-query trusts.
#
#	mtasts_publish ID		_mta-sts.$D says id ID
#	mtasts_query DOMAIN [ID]	what mta-sts-query says of DOMAIN's
#					policy, holding the id ID (20 s)
#	mtasts_refetched OLD NEW THE-OLD THE-NEW
#					with NEW published, mta-sts-query
#					holding OLD fetches again and gets
#					NEW (two cases); its output in $out

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
