# tests/integration/mta-sts-query.t - a real MTA-STS client fetches the
# policies stsd serves (RFC 8461 sections 3 and 5).
# SPDX-License-Identifier: ISC
#
# In a network namespace of its own: knot answers for the test zone
# (MX, _mta-sts TXT, mta-sts A), a test CA signs mta-sts.<domain>, the
# suite runs with httpd on port 443, and mta-sts-query (the resolver
# Postfix uses through postfix-mta-sts-resolver) trusts the test CA.
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/mtasts.sh"

D=example.test

# The zone as the domain's owner publishes it.  _mta-sts carries the id
# the suite gives the policy; it is set once that id is known.
mtasts_zone 127.0.0.1

inst_init "$t/i" --https-port=443 --http-port=80
inst_only policyd httpd
inst_cert "mta-sts.$D" || fail "a certificate of mta-sts.$D"
MTASTS_CA=$I/ca/ca.pem
ok "the suite starts in the namespace with httpd on port 443" inst_start
ok "policyd answers" wait_until 10 inst_exec $STSCTL domain list

# policy_id: the policy id of $D, as stsctl shows it.
policy_id() {
	inst_exec $STSCTL domain show "$D" --json |
	    sed -n 's/.*"policy_id": "\([^"]*\)".*/\1/p'
}
ok "stsctl domain add" quiet inst_exec $STSCTL domain add "$D" --mx "mx1.$D" --mx "*.backup.$D"
id1=$(policy_id)
like "$id1" '^[A-Za-z0-9]{1,32}$' "the domain has a policy id"
mtasts_publish "$id1"

out=$(mtasts_query "$D")
like "$out" "STSFetchResult\.VALID" "mta-sts-query finds a valid policy"
like "$out" "'$id1'" "with the id published in DNS"
like "$out" "'mode': 'testing'" "in mode testing (the default)"
like "$out" "mx1\.$D" "listing the first mx pattern"
like "$out" "\*\.backup\.$D" "and the wildcard pattern"

ok "stsctl domain set --mode enforce --force" quiet inst_exec $STSCTL domain set "$D" --mode enforce --force
id2=$(policy_id)
ok "the change gets a new, greater id" test "$id2" \> "$id1"
mtasts_refetched "$id1" "$id2" "the old id" "the new id"
like "$out" "'mode': 'enforce'" "and the new mode"

out=$(mtasts_query "$D" "$id2")
like "$out" "STSFetchResult\.NOT_CHANGED" "with the current id, nothing to fetch"

# del --now and add again within the same second: the new policy has a
# new id (RFC 8461 section 3.1: the id identifies one policy), so a
# client that holds the previous id fetches it instead of keeping the
# previous policy.  Ids begin with the second they were made in; the
# steps are retried until they fall in one second.
for try in 1 2 3 4 5; do
	quiet inst_exec $STSCTL domain set "$D" --max-age $((86400 + try))
	idS=$(policy_id)
	quiet inst_exec $STSCTL domain del "$D" --now
	quiet inst_exec $STSCTL domain add "$D" --mx "mx1.$D" --mode enforce --force --max-age 86400
	idN=$(policy_id)
	[ "${idS:0:14}" = "${idN:0:14}" ] && break
done
note "try $try: $idS, then del --now and add: $idN"
is "${idN:0:14}" "${idS:0:14}" "del --now and add ran within one second"
ok "the re-added domain has a new, greater id" test "$idN" \> "$idS"
mtasts_refetched "$idS" "$idN" "the id before del --now" "the id of the re-added domain"
like "$out" "'max_age': 86400" "and its policy"
out=$(mtasts_query "$D" "$idN")
like "$out" "STSFetchResult\.NOT_CHANGED" "with the new id, nothing to fetch"

# A domain the suite does not host: the client gets no policy.
ns_dns_set "$D" "_mta-sts.other.$D." 60 TXT "\"v=STSv1; id=1;\""
ns_dns_set "$D" "mta-sts.other.$D." 60 A 127.0.0.1
out=$(mtasts_query "other.$D")
unlike "$out" "STSFetchResult\.VALID" "a domain that is not hosted gets no valid policy"
done_testing
