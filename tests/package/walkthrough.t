# slow
# tests/package/walkthrough.t - README.md's "Five minutes with the Debian
# package", followed as written on this machine with the package
# installed: a hosted domain is served over HTTPS with a certificate
# from an ACME CA and "stsctl check" passes within WALK_LIMIT seconds
# of its records being published, without editing a file by hand.
# SPDX-License-Identifier: ISC
#
# The world around the new user (none of it is stsd's):
#  - a network namespace is the machine's network (tests/netns.sh): its
#    resolv.conf names unbound on 127.0.0.53, a recursive resolver whose
#    stub zones are knot's on 127.0.0.1, which serves the zones of the
#    README's names: sts.example.net (the service zone: its NS and
#    mta-sts.sts.example.net, the default policy_host, A 127.0.0.1) and
#    example.com (MX 10 mx1.example.com);
#  - mx1.example.com is a second namespace behind a veth pair, whose
#    SMTP server (tests/dnsmon/smtpd.py) offers STARTTLS with a
#    certificate from the test CA;
#  - pebble, in the namespace, is the ACME CA, validating by http-01 on
#    the namespace's port 80;
#  - the namespace's /etc/ssl (bind-mounted by "ip netns exec" from
#    /etc/netns/NS/ssl) is the system's with the test CA and pebble's
#    root added, as a real machine trusts the public CAs.
#
# The walk-through: the indented lines of the first block of the
# README's section are the commands, taken from README.md at run time
# (a trailing "# comment" is dropped), run in that order in the
# namespace as root with the package's /etc/stsd.  They are changed in
# one way only: the ACME directory URL the README gives (Let's Encrypt's
# staging) becomes pebble's; the domain names are the README's own.
# "systemctl start stsd" runs as its comment says it does without
# systemd ("stsd start"), since the suite must start in the namespace.
# After "stsctl domain records DOMAIN", the test publishes every record
# it prints but those of the "Direct form" (the alternative to the
# delegated one) in knot, as the domain owner and the operator of the
# service zone would; the clock starts.  "stsctl check DOMAIN" is then
# run again (with "stsctl domain records DOMAIN" and its records
# published again before each run: the README says so) until it exits
# 0; the time from the publication to that is printed and must be below
# WALK_LIMIT.  The policy is then fetched with mta-sts-query and curl,
# which trust only the namespace's store, and the remaining commands run.
#
# Also (issue 16 item 3): no process of stsd is named like Postfix's
# "master" for ps -C or pgrep -x (pidof still matches it: said in a note).
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/acmed/pebble.sh"
source "$SRCDIR/tests/package/pkg.sh"

WALK_LIMIT=120		# seconds from publishing the records to a passing check
ACME_README=https://acme-staging-v02.api.letsencrypt.org/directory
ACME_TEST=https://localhost:$PEBBLE_PORT/dir
MX_NET=10.254.16		# the veth pair to the MX host's namespace
RESOLVER=127.0.0.53	# the namespace's recursive resolver (ns_recursor)
export PEBBLE_DNS=$RESOLVER:53

pkg_require knotd knotc kdig unbound pebble python3 curl jq mta-sts-query ip
t=$(t_tmpdir)
W=$t			# for tests/acmed/pebble.sh

# 0. The README's commands, before anything is installed.
readme_block() {
	awk '/^## Five minutes with the Debian package/ { in_s = 1; next }
	    in_s && /^## / { exit }
	    in_s && /^    [^ ]/ { block = 1; print; next }
	    in_s && block && !/^    / { exit }' "$SRCDIR/README.md" |
	    sed -E 's/^ +//'
}
mapfile -t lines < <(readme_block)
mapfile -t cmds < <(printf '%s\n' "${lines[@]}" | sed -E 's/ +# .*$//')
ok "README.md's Debian section gives commands" test "${#cmds[@]}" -ge 5
printf '%s\n' "${cmds[@]}" | sed 's/^/# README: /'
readme=$(printf '%s\n' "${cmds[@]}")
like "$readme" "acme_directory_url=$ACME_README( |$)" \
	"the README starts with the ACME staging directory (replaced by pebble's here)"
like "$readme" '^stsctl domain records [^ ]+$' "the README prints the domain's records"
like "$readme" '^stsctl check [^ ]+$' "the README checks the domain"
unlike "$readme" '(^| )(sed|vi|vim|nano|ed|editor|cat *>|tee)( |$)|>' \
	"no README command edits or writes a file"

# 1. The package.
pkg_built "$t" "the package builds"
pkg_installed

# 2. The network, DNS, the MX host, the CA and the trust store.
zone_head() {
	printf '$ORIGIN %s.\n$TTL 5\n@ SOA ns.%s. hostmaster.%s. 1 60 60 600 5\n@ NS ns.sts.example.net.\n' \
	    "$1" "$1" "$1"
}
{ zone_head sts.example.net; printf 'ns A 127.0.0.1\nmta-sts A 127.0.0.1\n'; } \
	>"$t/sts.zone"
{ zone_head example.com; printf '@ MX 10 mx1.example.com.\nmx1 A %s.2\n' "$MX_NET"; } \
	>"$t/example.zone"
ns_create || { fail "a network namespace"; done_testing; }
ns_dns_start sts.example.net "$t/sts.zone" example.com "$t/example.zone" ||
	{ fail "knot serves the zones"; done_testing; }
ZONES="sts.example.net example.com"

# The machine's resolver: unbound, recursing into knot's zones (knot
# answers a CNAME into another zone with the CNAME alone).
ns_recursor "$t" 60 $ZONES
resolves() { [ "$(ns_exec getent hosts mta-sts.sts.example.net | awk '{print $1}')" = 127.0.0.1 ]; }
ok "the namespace's resolver (unbound on $RESOLVER) answers from knot" wait_until 10 resolves

MXNS=$NS-mx
mx_destroy() {
	local p
	p=$(ip netns pids "$MXNS" 2>/dev/null)
	[ -n "$p" ] && kill $p
	ip netns del "$MXNS"
}
ip netns add "$MXNS" && at_exit mx_destroy &&
	ip link add "w16a$$" type veth peer name "w16b$$" &&
	ip link set "w16a$$" netns "$NS" && ip link set "w16b$$" netns "$MXNS" &&
	ns_exec ip addr add "$MX_NET.1/24" dev "w16a$$" &&
	ns_exec ip link set "w16a$$" up &&
	ip netns exec "$MXNS" ip addr add "$MX_NET.2/24" dev "w16b$$" &&
	ip netns exec "$MXNS" ip link set "w16b$$" up &&
	ip netns exec "$MXNS" ip link set lo up ||
	{ fail "the MX host's network"; done_testing; }

pki_ca "$t/ca" && pki_cert "$t/ca" localhost 30 &&
	pki_cert "$t/ca" mx1.example.com 30 || { fail "test CA"; done_testing; }
ip netns exec "$MXNS" python3 "$SRCDIR/tests/dnsmon/smtpd.py" 0.0.0.0 25 tls \
	"$t/ca/mx1.example.com/fullchain.pem" "$t/ca/mx1.example.com/privkey.pem" \
	>"$t/mx.log" 2>&1 &
ok "mx1.example.com answers SMTP on port 25" wait_until 10 \
	ns_exec timeout 2 bash -c "exec 3<>/dev/tcp/$MX_NET.2/25 && head -c 3 <&3 | grep -q 220"

ssl=/etc/netns/$NS/ssl
mkdir -p "$ssl" && cp -a /etc/ssl/certs /etc/ssl/openssl.cnf "$ssl/" &&
	cat "$t/ca/ca.pem" >>"$ssl/certs/ca-certificates.crt" ||
	{ fail "the namespace's trust store"; done_testing; }
pebble_start || { fail "pebble starts"; cat "$t/pebble.log"; done_testing; }
pebble_root "$t/pebble-root.pem" && cat "$t/pebble-root.pem" >>"$ssl/certs/ca-certificates.crt" ||
	fail "pebble's root joins the trust store"
ok "the namespace trusts pebble's HTTPS without --cacert" \
	quiet ns_exec curl -sf "$ACME_TEST"

# 3. The walk-through.
run() {		# run CMD: in the namespace, output to the log and as notes
	local rc
	ns_exec sh -c "$1" >"$t/out" 2>&1
	rc=$?
	{ printf '$ %s\n' "$1"; cat "$t/out"; echo "[exit $rc]"; } >"$t/last"
	cat "$t/last" >>"$t/walk.log"
	sed 's/^/#   /' "$t/last"
	return $rc
}

zone_of() {
	local z
	for z in $ZONES; do
		case "${1%.}" in "$z"|*".$z") echo "$z"; return 0 ;; esac
	done
	return 1
}

# publish_records: the record lines of "stsctl domain records DOMAIN"
# ("NAME. TYPE RDATA") but the direct form's, into knot.
publish_records() {
	local line name type rdata zone skip=0 n=0
	while IFS= read -r line; do
		case $line in
		"; Direct form"*) skip=1; continue ;;
		";"*) skip=0; continue ;;
		"") continue ;;
		esac
		[ "$skip" = 1 ] && continue
		read -r name type rdata <<<"$line"
		case $type in CNAME|TXT|A|AAAA|MX) ;; *) continue ;; esac
		if ! zone=$(zone_of "$name"); then
			fail "record $name is in no zone the test serves"
			continue
		fi
		ns_dns_set "$zone" "$name" 60 "$type" "$rdata" ||
			fail "knot takes $name $type $rdata"
		n=$((n + 1))
	done
	echo "$n"
}

# fetched: the domain's policy over HTTPS, as a sender would get it.
fetched() {
	ns_exec curl -sf --max-time 5 "https://mta-sts.$domain/.well-known/mta-sts.txt" 2>/dev/null |
	    grep -q '^version: STSv1'
}

check_cmd= records_cmd= domain= t0= green= served_at=
for cmd in "${cmds[@]}"; do
	cmd=${cmd//$ACME_README/$ACME_TEST}
	case $cmd in
	"systemctl start stsd")
		alt=$(printf '%s\n' "${lines[@]}" |
		    sed -n 's/^systemctl start stsd .*# without systemd: *//p')
		ok "the README says how to start without systemd" test -n "$alt"
		cmd=$alt ;;
	esac
	case $cmd in
	"stsctl check "*)
		check_cmd=$cmd
		ok "the records are published before the check" test -n "$t0"
		try=0
		while :; do
			try=$((try + 1))
			run "$check_cmd" >/dev/null
			rc=$?
			if [ "$try" = 1 ]; then
				like "$(cat "$t/out")" \
				    "^policy-served: the policy of $domain is not served yet \\(state pending\\): waiting for dnsmon" \
				    "the first check, on a pending domain, says that its policy is not served yet"
				is "$rc" 1 "... and exits 1"
			fi
			[ -z "$served_at" ] && fetched &&
			    served_at=$(( $(date +%s) - t0 ))
			if [ "$rc" = 0 ]; then
				green=$(( $(date +%s) - t0 ))
				break
			fi
			[ $(( $(date +%s) - t0 )) -ge "$WALK_LIMIT" ] && break
			sleep 5
			run "$records_cmd" >/dev/null &&
			    publish_records <"$t/out" >/dev/null
		done
		sed -n '/^\$ stsctl check/,$p' "$t/walk.log" | tail -15 | sed 's/^/#   /'
		if [ -n "$green" ]; then
			pass "\"$check_cmd\" passes ${green}s after the records are published (limit ${WALK_LIMIT}s, $try runs)"
		else
			fail "\"$check_cmd\" passes within ${WALK_LIMIT}s of publishing the records ($try runs)"
		fi
		[ -z "$served_at" ] && fetched && served_at=$(( $(date +%s) - t0 ))
		note "records published to check passing: ${green:-more than $WALK_LIMIT}s"
		note "records published to the policy fetched over HTTPS: ${served_at:-more than $WALK_LIMIT}s (checked at each run of check)"
		ok "by then the policy is served over HTTPS" test -n "$served_at"
		;;
	"stsctl domain records "*)
		records_cmd=$cmd
		domain=${cmd#stsctl domain records }
		ok "$cmd" run "$cmd"
		unlike "$(cat "$t/out")" '^[^;].*v=STSv1' \
		    "no v=STSv1 record to publish before the policy is served (RFC 8461 section 8.1)"
		n=$(publish_records <"$t/out")
		t0=$(date +%s)
		ok "the test publishes the $n records it prints (delegated form)" test "$n" -ge 3
		;;
	*)
		ok "$cmd" run "$cmd"
		;;
	esac
done

# 4. What the user has then.
[ -n "$domain" ] || { fail "the README names a domain"; done_testing; }
json=$(ns_exec sh -c "${check_cmd} --json" 2>/dev/null)
is "$(jq -r '[.checks[] | select(.status != "ok" and .status != "info")] | length' <<<"$json")" 0 \
	"every check of $domain is ok ($(jq -r '[.checks[].check] | unique | join(", ")' <<<"$json"))"
policy=$(ns_exec mta-sts-query "$domain" 2>&1)
like "$policy" "mx1\.$domain" "mta-sts-query fetches $domain's policy over HTTPS, trusting the pebble certificate"
like "$policy" "testing" "in mode testing"
served=$(ns_exec curl -sS --max-time 10 "https://mta-sts.$domain/.well-known/mta-sts.txt" 2>&1)
like "$served" "^version: STSv1" "curl fetches https://mta-sts.$domain/.well-known/mta-sts.txt"
issuer=$(ns_exec sh -c "openssl s_client -connect 127.0.0.1:443 -servername mta-sts.$domain </dev/null 2>/dev/null | openssl x509 -noout -issuer")
like "$issuer" "[Pp]ebble" "the certificate served is pebble's ($issuer)"

# 5. Beside Postfix: "master" names no process of stsd (item 3).
mpid=$(cat /var/spool/stsd/pid/master.pid 2>/dev/null | head -1)
ok "the stsd master runs" kill -0 "${mpid:-0}"
is "$(cat /proc/"${mpid:-0}"/comm 2>/dev/null)" "stsd/master" \
	"the master's process name (comm) is stsd/master"
unlike " $(ps -C master -o pid= | tr -s ' \n' ' ') " " $mpid " "ps -C master does not list stsd's master"
# pidof compares the part of argv[0] after its last "/": the title
# "stsd/master" that issue 16 asks for reads "master" to it.
case " $(pidof master) " in
*" $mpid "*) note "pidof master lists stsd's master too (argv[0] stsd/master)" ;;
esac
unlike " $(pgrep -x master | tr '\n' ' ') " " $mpid " "pgrep -x master does not list stsd's master"
like "$(ps -o args= -p "${mpid:-0}")" '^stsd/master' "ps shows its command line as stsd/master"
like "$(pgrep -a -P "${mpid:-0}" | awk '{print $2}' | sort -u | paste -sd' ')" \
	'stsd/httpd' "its children show as stsd/PROG (stsd/httpd, ...)"
done_testing
