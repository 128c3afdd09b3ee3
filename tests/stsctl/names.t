# tests/stsctl/names.t - names that cannot exist are refused (lib/dnsname):
# IP addresses and all-digit top-level labels as domains, domains whose
# mta-sts., _smtp._tls. or service-zone names would pass 253 octets, IP
# addresses as mx patterns; by stsctl domain add, set and import, and by
# policyd itself on its socket; control characters shown escaped; a
# domain stored before these rules can still be shown and removed.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/stsctl/instance.sh"

CLIENT=$BUILDDIR/tests/policyd/ipcclient
[ -x "$STSCTL_BIN" ] && [ -x "$CLIENT" ] || skip_all "stsctl or the test client not built"
inst_need policyd master
t_need sqlite3

dir=$(t_tmpdir)/i
instance_start "$dir" sts_zone=sts.test domain_verification=none ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance starts"
t=$(t_tmpdir)
pub=$dir/spool/public/policyd

# name N [SUFFIX]: N octets of labels of 50, ending in SUFFIX (.com).
name() {
	local n=$1 suffix=${2:-.com} s=""
	while [ ${#s} -lt $((n - ${#suffix})) ]; do
		s=$s$(printf 'a%.0s' $(seq 1 49)).
	done
	s=${s:0:$((n - ${#suffix}))}
	s=${s%.}
	while [ $((${#s} + ${#suffix})) -lt "$n" ]; do s=${s}b; done
	echo "$s$suffix"
}

$STSCTL domain add ok.example --mx mx.ok.example >/dev/null

# stsctl domain add
stsctl_bad "an IPv4 address is not a domain" \
	'stsctl: domain "192.0.2.7": an IP address, not a domain name' \
	domain add 192.0.2.7 --mx mx.example.com
stsctl_bad "127.0.0.1 is not a domain" \
	'stsctl: domain "127.0.0.1": an IP address, not a domain name' \
	domain add 127.0.0.1 --mx mx.example.com
stsctl_bad "an IPv6 address is not a domain" \
	'stsctl: domain "2001:db8::1": an IP address, not a domain name' \
	domain add 2001:db8::1 --mx mx.example.com
stsctl_bad "an all-digit top-level label is refused" \
	'stsctl: domain "a.123": top-level label "123" is all digits: not a domain name' \
	domain add a.123 --mx mx.example.com
stsctl_bad "a single label is refused" \
	'stsctl: domain "example": a single label: not a fully qualified domain name' \
	domain add example --mx mx.example.com
long=$(name 250)
stsctl_bad "a 250-octet domain is refused: mta-sts.<domain> would be 258 octets" \
	"stsctl: domain \"$long\": 250 octets: mta-sts.DOMAIN would be 258 octets, _smtp._tls.DOMAIN would be 261 octets, more than 253" \
	domain add "$long" --mx mx.example.com
long=$(name 243)
stsctl_bad "a 243-octet domain is refused: _smtp._tls.<domain> would be 254 octets" \
	"stsctl: domain \"$long\": 243 octets: _smtp._tls.DOMAIN would be 254 octets, more than 253" \
	domain add "$long" --mx mx.example.com
label=$(printf 'a%.0s' $(seq 1 64))
stsctl_bad "a 64-octet label is refused" \
	"stsctl: domain \"$label.example\": label \"$label\" is longer than 63 characters" \
	domain add "$label.example" --mx mx.example.com
out=$($STSCTL domain add "$(printf 'a\nb\033[2J.example')" --mx mx.example.com 2>&1)
is "$out" 'stsctl: domain "a\nb\x1b[2J.example": bad character 0x0a' \
	"control characters in a name are shown escaped, on one line"
stsctl_bad "an IP address is not an mx pattern" \
	'stsctl: mx pattern "127.0.0.1": an IP address, not a host name' \
	domain add ip.example --mx 127.0.0.1
stsctl_bad "an address literal is not an mx pattern" \
	'stsctl: mx pattern "[192.0.2.1]": an IP address, not a host name' \
	domain add ip.example --mx '[192.0.2.1]'
stsctl_bad "a wildcard over a top-level domain is refused" \
	'stsctl: mx pattern "*.com": a single label after "*.": not a fully qualified host name' \
	domain add ip.example --mx '*.com'
out=$($STSCTL domain add wild.example --mx '*.MX.wild.example' 2>&1)
is "$?" 0 "a leading *. wildcard label stays valid (RFC 8461 section 4.1)"

# stsctl domain set
stsctl_bad "set refuses an IP address as mx pattern" \
	'stsctl: mx pattern "192.0.2.25": an IP address, not a host name' \
	domain set ok.example --mx 192.0.2.25

# A domain whose service-zone name (DOMAIN._report.sts.test) would pass
# 253 octets: policyd knows sts_zone and refuses it; at 236 octets
# every published name fits, and records prints none over 253.
long=$(name 237)
stsctl_bad "policyd refuses a domain whose service-zone names would be too long" \
	"stsctl: domain \"$long\": 237 octets: DOMAIN._report.sts.test would be 254 octets, more than 253" \
	domain add "$long" --mx mx.example.com
long=$(name 236)
ok "a 236-octet domain is accepted with sts_zone sts.test" quiet $STSCTL domain add "$long" --mx mx.example.com
max=$($STSCTL domain records "$long" --json | jq -r '.records[][] | .name, (select(.type == "CNAME") | .value)' |
	awk '{ sub(/\.$/, ""); if (length($0) > m) m = length($0) } END { print m }')
is "$max" 253 "domain records prints no name over 253 octets"
$STSCTL domain del "$long" --now >/dev/null 2>&1

# stsctl domain import: the line of the first bad name, nothing of its batch.
printf 'imp1.example mx.imp.example\n192.0.2.7 mx.imp.example\nimp3.example mx.imp.example\n' >"$t/ip"
stsctl_bad "import refuses an IP address with the file and line" \
	"stsctl: $t/ip:2: domain \"192.0.2.7\": an IP address, not a domain name (0 domains imported before this batch of 2, none of it)" \
	domain import "$t/ip"
printf 'imp1.example mx.imp.example 10.1.2.3\n' >"$t/mx"
stsctl_bad "import refuses an IP address as mx pattern" \
	"stsctl: $t/mx:1: mx pattern \"10.1.2.3\": an IP address, not a host name (0 domains imported before this batch of 1, none of it)" \
	domain import "$t/mx"
printf 'imp1.example mx.imp.example\na.b.123 mx.imp.example\n' >"$t/num"
stsctl_bad "import refuses an all-digit top-level label" \
	"stsctl: $t/num:2: domain \"a.b.123\": top-level label \"123\" is all digits: not a domain name (0 domains imported before this batch of 2, none of it)" \
	domain import "$t/num"
unlike "$($STSCTL domain list)" 'imp[0-9]\.example' "nothing of a refused import is stored"

# policyd itself, without stsctl's checks.
req() { "$CLIENT" -t 10 "$pub" "$1"; }
is "$(req '{"op":"domain-add","domain":"192.0.2.7","mx":["mx.example.com"]}')" \
	'{"error":"domain \"192.0.2.7\": an IP address, not a domain name","ok":false}' \
	"policyd refuses an IP address as domain"
is "$(req '{"op":"domain-add","domain":"a.123","mx":["mx.example.com"]}')" \
	'{"error":"domain \"a.123\": top-level label \"123\" is all digits: not a domain name","ok":false}' \
	"policyd refuses an all-digit top-level label"
is "$(req '{"op":"domain-add","domain":"p.example","mx":["127.0.0.1"]}')" \
	'{"error":"mx pattern \"127.0.0.1\": an IP address, not a host name","ok":false}' \
	"policyd refuses an IP address as mx pattern"
is "$(req '{"op":"domain-set","domain":"ok.example","mx":["[IPv6:2001:db8::25]"]}')" \
	'{"error":"mx pattern \"[IPv6:2001:db8::25]\": an IP address, not a host name","ok":false}' \
	"policyd refuses an IPv6 address literal in domain-set"
is "$(req '{"op":"domain-import","domains":[{"domain":"q.example","mx":["mx.q.example"]},{"domain":"10.0.0.1","mx":["mx.q.example"]}]}')" \
	'{"error":"entry 2: domain \"10.0.0.1\": an IP address, not a domain name","ok":false}' \
	"policyd refuses an import entry, naming it"
is "$(req '{"op":"domain-add","domain":"x\ny.example","mx":["mx.example.com"]}')" \
	'{"error":"domain \"x\\ny.example\": bad character 0x0a","ok":false}' \
	"policyd escapes a newline in the name it quotes"
huge=$(head -c 100000 /dev/zero | tr '\0' a)
out=$(req "{\"op\":\"domain-add\",\"domain\":\"$huge\",\"mx\":[\"mx.example.com\"]}")
like "$out" '\.\.\.\\": longer than 253 characters","ok":false\}$' "a 100,000-octet name is refused"
ok "... with an error of bounded size (${#out} bytes)" test "${#out}" -lt 400
is "$($STSCTL domain list | awk 'NR > 1 { printf "%s ", $1 }')" "ok.example wild.example " \
	"refused names stored nothing"

# A domain stored before these rules: still shown and removed.
instance_stop "$dir"
inst_sql "INSERT INTO domains (name, state, mode, max_age, policy_id, token, created, updated) VALUES ('legacy.123', 'active', 'testing', 60, '20260101000000000000', 'x', 1, 1); INSERT INTO domain_mx VALUES ('legacy.123', 0, '192.0.2.25');" ||
	fail "a legacy row is stored"
instance_run "$dir"
like "$($STSCTL domain show legacy.123)" '^state: +active$' "a domain stored before the rules is shown"
out=$($STSCTL domain set legacy.123 --mode enforce --force 2>&1)
is "$out" 'stsctl: legacy.123: mx pattern "192.0.2.25": an IP address, not a host name' \
	"changing it names the pattern to replace"
ok "... which --mx replaces" quiet $STSCTL domain set legacy.123 --mx mx.legacy.example
ok "... and it can be removed" quiet $STSCTL domain del legacy.123 --now

done_testing
