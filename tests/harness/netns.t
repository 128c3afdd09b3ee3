# tests/harness/netns.t - the integration tests' private network works:
# a namespace with its own loopback and resolver, knot answering for a
# test zone, record changes and TSIG-signed DNS UPDATE.  When this fails,
# the integration tests that build on it cannot be trusted.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns"

ok "network namespace created" ns_create
t=$(t_tmpdir)
cat >"$t/zone" <<'Z'
$TTL 60
@	SOA ns.example.test. hostmaster.example.test. 1 60 60 600 60
	NS ns.example.test.
	MX 10 mx1.example.test.
ns	A 127.0.0.1
mx1	A 127.0.0.1
mta-sts	A 127.0.0.1
_mta-sts	TXT "v=STSv1; id=20261123000000;"
Z
ok "knot serves the test zone" ns_dns_start example.test "$t/zone"
is "$(ns_dig example.test MX)" "10 mx1.example.test." "MX answered through the namespace's resolver"
is "$(ns_exec getent hosts mta-sts.example.test | awk '{print $1}')" "127.0.0.1" \
	"system resolver inside the namespace uses the test server"
ns_dns_set example.test example.test. 60 MX "20 mx2.example.test."
is "$(ns_dig example.test MX)" "20 mx2.example.test." "a record changed with ns_dns_set is served"

# TSIG-signed UPDATE with the key the helpers made.
printf 'server 127.0.0.1\nzone example.test.\nupdate add x.example.test. 60 TXT "v=TLSRPTv1; rua=mailto:r@example.test"\nsend\n' >"$t/upd"
ok "a TSIG-signed DNS UPDATE is accepted" \
	quiet ns_exec knsupdate -y "hmac-sha256:$NS_TSIG_NAME:$NS_TSIG_SECRET" "$t/upd"
like "$(ns_dig x.example.test TXT)" 'TLSRPTv1' "the updated record is served"
printf 'server 127.0.0.1\nzone example.test.\nupdate add y.example.test. 60 TXT "x"\nsend\n' >"$t/upd2"
nok "an unsigned DNS UPDATE is refused" quiet ns_exec knsupdate "$t/upd2"
done_testing
