# tests/dnsmon/update.t - lib/dnsupdate against knot: a TSIG-signed DNS
# UPDATE publishes and replaces TXT records of the service zone; a wrong
# key, an open key file and a dead server are refused with a clear
# message, in bounded time.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns"
TOOL=$BUILDDIR/tests/dnsmon/dnsupdate_tool
[ -x "$TOOL" ] || skip_all "tests/dnsmon/dnsupdate_tool not built"

t=$(t_tmpdir)
cat >"$t/zone" <<'Z'
$TTL 60
@	SOA ns.sts.test. hostmaster.sts.test. 1 60 60 600 60
	NS ns.sts.test.
ns	A 127.0.0.1
Z
ns_create && ns_dns_start sts.test "$t/zone" || { fail "knot starts"; done_testing; }

# netns.sh leaves its key file readable by all: use a private copy.
install -m 600 "$NS_TSIG_FILE" "$t/tsig.key"
KEY=$t/tsig.key
up() { ns_exec "$TOOL" 127.0.0.1 "$KEY" sts.test "$@"; }

ok "an UPDATE adds a TXT record" up example.com.sts.test "v=STSv1; id=20261123000000000001;"
is "$(ns_dig example.com.sts.test TXT)" '"v=STSv1; id=20261123000000000001;"' \
	"knot serves the published record"
ok "a second UPDATE replaces it" up example.com.sts.test "v=STSv1; id=20261123000000000002;"
is "$(ns_dig example.com.sts.test TXT)" '"v=STSv1; id=20261123000000000002;"' \
	"only the new record is served (the old one is gone)"

long=$(head -c 3000 /dev/zero | tr '\0' a)
ok "a 3000-byte record is published" up long.sts.test "$long"
got=$(ns_exec kdig +short +tcp @127.0.0.1 long.sts.test TXT | tr -d '" \n')
is "${#got}" 3000 "it is served whole, as several character-strings"

ok "an UPDATE without records deletes them" up example.com.sts.test
is "$(ns_dig example.com.sts.test TXT)" "" "the record is gone"

out=$(up other.zone "x" 2>&1)
is "$out" "dnsupdate_tool: update of other.zone TXT: not a name in zone sts.test" \
	"a name outside the zone is refused before sending"

echo "$NS_TSIG_NAME hmac-sha256 $(head -c 32 /dev/urandom | base64)" >"$t/bad.key"
chmod 600 "$t/bad.key"
out=$(ns_exec "$TOOL" 127.0.0.1 "$t/bad.key" sts.test x.sts.test "x" 2>&1)
like "$out" '^dnsupdate_tool: update of x\.sts\.test TXT at 127\.0\.0\.1: ' \
	"a wrong TSIG secret is refused by the server"
is "$(ns_dig x.sts.test TXT)" "" "and nothing is published"

cp "$KEY" "$t/open.key"
chmod 644 "$t/open.key"
out=$(ns_exec "$TOOL" 127.0.0.1 "$t/open.key" sts.test x.sts.test "x" 2>&1)
is "$out" "dnsupdate_tool: $t/open.key: readable by group or others (chmod 600 it)" \
	"a key file readable by others is refused"

start=$SECONDS
out=$(ns_exec "$TOOL" 127.0.0.9:53 "$KEY" sts.test x.sts.test "x" 2>&1)
rc=$?
is "$rc" 1 "an UPDATE to a server that is not there fails"
ok "... within the time limit" [ $((SECONDS - start)) -le 8 ]
done_testing
