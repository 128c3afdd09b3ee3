# tests/dnsmon/checks.t - "stsctl check DOMAIN": the checks of dnsmon run
# now, against knot in a network namespace and test MX servers: a domain
# whose records are right passes; an MX outside the policy, a wrong
# certificate name, an expired certificate, no STARTTLS, an MX that never
# speaks, a CNAME loop, a 4 KiB TXT record and a DNS server that never
# answers are each reported with their cause, in bounded time; waiting
# for a resolver that drops queries is said after a second and given up
# at stsctl_check_timeout with the reason, and so is a policyd that does
# not answer; with report_https_rua the
# TLSRPT record must list the https URI too.
# slow
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/dnsmon/ns.sh"

inst_need stsctl policyd master
: >"$t/main.cf"
"$STSCTL_BIN" -c "$t" check x 2>&1 | grep -q 'unknown command' &&
	skip_all "stsctl has no check command in this build"
TOOL=$BUILDDIR/tests/dnsmon/dnsupdate_tool
t_need python3

PORT=2525

# Zones: the service zone and the customers'.
{ ns_zone_head good.test; cat <<'Z'; } >"$t/good.zone"
@ MX 10 mx1.good.test.
mx1 A 127.0.0.2
mx2 A 127.0.0.2
mta-sts CNAME mta-sts.sts.test.
_mta-sts CNAME good.test.sts.test.
_smtp._tls CNAME good.test._report.sts.test.
Z
{ ns_zone_head bad.test; cat <<'Z'; } >"$t/bad.zone"
@ MX 20 mx2.bad.test.
@ MX 30 mx3.bad.test.
@ MX 40 mx4.bad.test.
@ MX 50 mx5.bad.test.
mx2 A 127.0.0.3
mx3 A 127.0.0.4
mx4 A 127.0.0.5
mx5 A 127.0.0.6
mta-sts A 127.0.0.9
Z
{ ns_zone_head loop.test; cat <<'Z'; } >"$t/loop.zone"
@ MX 10 mx1.good.test.
mta-sts CNAME mta-sts.sts.test.
_mta-sts CNAME a.loop.test.
a CNAME b.loop.test.
b CNAME a.loop.test.
Z
big=$(for i in $(seq 16); do printf '"%s" ' "$(head -c 250 /dev/zero | tr '\0' x)"; done)
{ ns_zone_head big.test; printf '@ MX 10 mx1.good.test.\n_mta-sts TXT "v=STSv1; id=1; a=" %s\n' "$big"; } >"$t/big.zone"

ns_create && ns_dns_start sts.test "$t/sts.zone" good.test "$t/good.zone" \
	bad.test "$t/bad.zone" loop.test "$t/loop.zone" big.test "$t/big.zone" ||
	{ fail "knot starts"; done_testing; }
install -m 600 "$NS_TSIG_FILE" "$t/tsig.key"

# MX servers: certificates from a test CA.
pki_ca "$t/pki"
pki_cert "$t/pki" mx1.good.test 30 mx2.good.test
pki_cert "$t/pki" mail.other.net 30
pki_cert "$t/pki" mx3.bad.test -5
smtpd() {
	ns_exec python3 "$SRCDIR/tests/dnsmon/smtpd.py" "$@" >/dev/null 2>&1 &
}
smtpd 127.0.0.2 $PORT tls "$t/pki/mx1.good.test/fullchain.pem" "$t/pki/mx1.good.test/privkey.pem"
smtpd 127.0.0.3 $PORT tls "$t/pki/mail.other.net/fullchain.pem" "$t/pki/mail.other.net/privkey.pem"
smtpd 127.0.0.4 $PORT tls "$t/pki/mx3.bad.test/fullchain.pem" "$t/pki/mx3.bad.test/privkey.pem"
smtpd 127.0.0.5 $PORT notls
smtpd 127.0.0.6 $PORT silent
listening() { ns_exec ss -Htln | grep -q "127.0.0.6:$PORT"; }
wait_until 10 listening || note "test SMTP servers slow to start"

# An instance whose commands run inside the namespace (inst_exec).
instance_start "$t/i" sts_zone=sts.test domain_verification=none \
	report_recipients=tlsrpt@sts.test dnsmon_smtp_port=$PORT \
	dnsmon_ca_file=$t/pki/ca.pem dnsmon_probe_timeout=2s \
	dnsmon_query_timeout=1s ||
	{ fail "instance starts"; done_testing; }
pass "instance starts in the namespace"
check() { ns_exec $STSCTL check "$@" 2>&1; }

# httpd would say that it serves these (HTTPS before DNS); new.bad.test
# has no certificate yet, so its records are deliberately missing.
for d in good.test bad.test loop.test big.test new.bad.test; do
	$STSCTL domain add $d --mx "mx1.$d" --mx "*.$d" >/dev/null 2>&1
	[ $d = new.bad.test ] ||
		"$BUILDDIR/tests/policyd/ipcclient" "$t/i/spool/private/policyd" \
		"{\"op\":\"cert-served\",\"host\":\"mta-sts.$d\",\"not_after\":$(($(date +%s) + 86400))}" >/dev/null
done
$STSCTL domain set good.test --mx mx1.good.test >/dev/null 2>&1
id=$($STSCTL domain show good.test --json | sed -n 's/^ *"policy_id": "\(.*\)",*$/\1/p')
ns_exec "$TOOL" 127.0.0.1 "$t/tsig.key" sts.test good.test.sts.test "v=STSv1; id=$id;"
ns_exec "$TOOL" 127.0.0.1 "$t/tsig.key" sts.test good.test._report.sts.test \
	"v=TLSRPTv1; rua=mailto:tlsrpt@sts.test"

# The policy hosts' certificates in the store: good.test's valid for 30
# days, bad.test's for 3 (within cert_warning_time, 14 days).
pki_cert "$t/pki" mta-sts.good.test 30 >/dev/null 2>&1
pki_cert "$t/pki" mta-sts.bad.test 3 >/dev/null 2>&1
cp -r "$t/pki/mta-sts.good.test" "$t/pki/mta-sts.bad.test" "$t/i/spool/certs/"

out=$(check good.test); rc=$?
is "$(grep -v '^info:' <<<"$out")" "good.test: every check passed" "a domain with right records and a good MX passes"
is "$rc" 0 "... and check exits 0"
out=$(check good.test --json)
like "$out" '"tls_version": "TLSv1\.[23]"' "--json shows the TLS version of the MX"
like "$out" '"days_left": (29|30)' "--json shows the days until the certificate expires"
like "$out" 'DANE: no TLSA records at _25\._tcp\.mx1\.good\.test' "TLSA absence is reported"

# report_https_rua = yes: the TLSRPT record must list the https URI of
# the domain too; a record without it, or without the mailto: URI, fails
# naming the URI it lacks (stsctl check reads main.cf each time).
rpt() { ns_exec "$TOOL" 127.0.0.1 "$t/tsig.key" sts.test good.test._report.sts.test "$1"; }
HTTPS_URI=https://mta-sts.good.test/tlsrpt
FIX="add _smtp._tls.good.test. CNAME good.test._report.sts.test. (or TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@sts.test,$HTTPS_URI\")"
inst_set report_https_rua=yes
out=$(check good.test); rc=$?
is "$(grep -v '^info:' <<<"$out")" \
	"tlsrpt-txt: TXT _smtp._tls.good.test does not list $HTTPS_URI in rua; $FIX" \
	"https rua on: a record without the https URI fails, naming it"
is "$rc" 1 "... and check exits 1"
like "$(check good.test --json)" '"key": "no-https-rua"' "... with the key no-https-rua"
rpt "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test,$HTTPS_URI"
out=$(check good.test); rc=$?
is "$(grep -v '^info:' <<<"$out")" "good.test: every check passed" \
	"https rua on: the record with both URIs passes"
is "$rc" 0 "... and check exits 0"
rpt "v=TLSRPTv1; rua=$HTTPS_URI"
is "$(check good.test | grep -v '^info:')" \
	"tlsrpt-txt: TXT _smtp._tls.good.test does not list mailto:tlsrpt@sts.test in rua; $FIX" \
	"https rua on: a record with the https URI alone fails, naming the mailto: URI"
rpt "v=TLSRPTv1; rua=mailto:other@sts.test"
like "$(check good.test)" \
	"^tlsrpt-txt: TXT _smtp\._tls\.good\.test does not list mailto:tlsrpt@sts\.test and https://mta-sts\.good\.test/tlsrpt in rua;" \
	"https rua on: a record with neither names both"
sed -i '/^report_https_rua /d' "$I/etc/main.cf"
rpt "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test,$HTTPS_URI"
is "$(check good.test | grep -v '^info:')" "good.test: every check passed" \
	"https rua off: a record that also lists the https URI passes"
rpt "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test"
is "$(check good.test | grep -v '^info:')" "good.test: every check passed" \
	"https rua off: the mailto: URI alone passes"

# A new MX outside the policy.
ns_dns_set good.test good.test. 60 MX "10 mx1.good.test." &&
	ns_knotc zone-begin good.test >/dev/null &&
	ns_knotc zone-set good.test good.test. 60 MX "20 mx2.good.test." >/dev/null &&
	ns_knotc zone-commit good.test >/dev/null
out=$(check good.test); rc=$?
is "$(grep -v '^info:' <<<"$out")" "mx-policy: MX mx2.good.test of good.test not in the policy (mx: mx1.good.test); stsctl domain set good.test --mx mx1.good.test --mx mx2.good.test" \
	"an MX outside the policy is reported with the exact fix"
is "$rc" 1 "... and check exits 1"

# A stale id in the service zone.
ns_exec "$TOOL" 127.0.0.1 "$t/tsig.key" sts.test good.test.sts.test "v=STSv1; id=1;"
like "$(check good.test)" "^sts-txt: TXT _mta-sts\.good\.test has id 1, the current policy id is $id;" \
	"a stale policy id is reported"

start=$SECONDS
out=$(check bad.test)
el=$((SECONDS - start))
like "$out" '^certificate-host-mismatch: mx2\.bad\.test presents a certificate for mail\.other\.net; reissue with mx2\.bad\.test in subjectAltName$' \
	"a certificate for another name: certificate-host-mismatch"
like "$out" '^certificate-expired: certificate for mx3\.bad\.test expired [0-9]+ days ago; renew the certificate of mx3\.bad\.test$' \
	"an expired certificate: certificate-expired"
like "$out" '^starttls-not-supported: mx4\.bad\.test does not offer STARTTLS; enable STARTTLS on mx4\.bad\.test$' \
	"no STARTTLS: starttls-not-supported"
like "$out" '^connection-failure: greeting: no reply within 2 s' \
	"an MX that never speaks is given up after the probe time-out"
like "$out" '^mta-sts-host: mta-sts\.bad\.test resolves to 127\.0\.0\.9, mta-sts\.sts\.test to 127\.0\.0\.1; add mta-sts\.bad\.test\. CNAME mta-sts\.sts\.test\.$' \
	"an mta-sts host with other addresses is reported"
like "$out" '^sts-txt: no v=STSv1 TXT record at _mta-sts\.bad\.test;' "a missing STS record is reported"
like "$out" '^policy-cert: the certificate of mta-sts\.bad\.test expires in [23] days \(within cert_warning_time\); stsctl cert renew, or install a new certificate$' \
	"a policy host certificate that expires within cert_warning_time fails"
out=$(check new.bad.test)
like "$out" '^info: no v=STSv1 TXT record at _mta-sts\.new\.bad\.test yet: its publication waits for a valid certificate served for mta-sts\.new\.bad\.test \(RFC 8461 section 8\.1: HTTPS before DNS\)$' \
	"the TXT record of a domain that waits for its certificate: info, not a failure"
unlike "$out" '^sts-txt:' "... and no sts-txt failure"
like "$out" '^policy-served: the policy of new\.bad\.test is not served yet \(state active\): waiting for a valid certificate served for mta-sts\.new\.bad\.test; see "stsctl cert list"' \
	"... but policy-served fails: check passes only once senders can fetch the policy"
ok "... all within bounded time (${el}s)" [ "$el" -le 20 ]

out=$(check loop.test)
like "$out" '^sts-txt: DNS error: TXT _mta-sts\.loop\.test: CNAME chain too long or a loop$' \
	"a CNAME loop is a DNS error, not a hang"
out=$(check big.test); rc=$?
like "$out" '^sts-txt: TXT _mta-sts\.big\.test has id 1, the current policy id is' \
	"a 4 KiB TXT record in 16 strings is read whole and checked"
ok "... without a crash" [ "$rc" = 1 ]

# A DNS server that never answers.
ns_exec python3 "$SRCDIR/tests/dnsmon/dnssink.py" 127.0.0.7 >/dev/null 2>&1 &
echo "nameserver 127.0.0.7" >"$t/resolv.sink"
sleep 0.5
start=$SECONDS
out=$(ns_exec unshare -m sh -c "mount --bind $t/resolv.sink /etc/resolv.conf && exec $STSCTL check good.test" 2>&1)
el=$((SECONDS - start))
like "$out" '^mx: DNS error: MX lookup of good\.test: timed out$' \
	"a DNS server that never answers: timed out"
ok "... in bounded time (${el}s)" [ "$el" -le 30 ]
unlike "$out" 'Sanitizer|runtime error' "no sanitizer report"

# The same resolver (it drops every query it reads), with a query time
# longer than a second: stsctl check says what it waits for after about
# a second, and gives up at stsctl_check_timeout with what it was
# waiting for.
# stamp: each line of the input, after the time it came (date +%s.%N).
stamp() {
	local line
	while IFS= read -r line; do
		printf '%s %s\n' "$(date +%s.%N)" "$line"
	done
}
# since TIME: seconds from $start to TIME, to a tenth.
since() { awk -v a="$start" -v b="$1" 'BEGIN { printf "%.1f", b - a }'; }
# between LOW HIGH SECONDS: LOW <= SECONDS <= HIGH.
between() {
	awk -v s="$3" -v lo="$1" -v hi="$2" 'BEGIN { exit !(s >= lo && s <= hi) }'
}
# waited OUT WAITING WHAT GAVE-UP WHAT BOUND-WHAT: OUT, the stamped output
# of a check that ran from $start to $end, says WAITING about a second
# in and GAVE-UP at the bound, 4 s; BOUND-WHAT has @ for the seconds.
waited() {
	local say said took
	say=$(grep -m1 ' stsctl: good\.test: waiting for ' "$1")
	like "$say" "$2" "$3"
	said=$(since "${say%% *}")
	ok "... after about a second (${said}s)" between 0.9 3.5 "$said"
	like "$(cat "$1")" "$4" "$5"
	took=$(since "$end")
	ok "${6//@/$took}" between 3.9 8 "$took"
}

inst_set stsctl_check_timeout=4s dnsmon_query_timeout=3s
start=$(date +%s.%N)
ns_exec unshare -m sh -c "mount --bind $t/resolv.sink /etc/resolv.conf && exec $STSCTL check good.test" 2>&1 |
	stamp >"$t/drop.out"
end=$(date +%s.%N)
waited "$t/drop.out" \
	' stsctl: good\.test: waiting for the answer to [A-Z]+ [a-z0-9._-]+ from 127\.0\.0\.7 \(at most 4 s in all, stsctl_check_timeout\)$' \
	"a resolver that drops queries: check says what it waits for" \
	' stsctl: good\.test: gave up after 4 s \(stsctl_check_timeout\) waiting for the answer to [A-Z]+ [a-z0-9._-]+ from 127\.0\.0\.7$' \
	"... and gives up with the reason" "... at its bound (@s for 4 s)"
like "$(cat "$t/drop.out")" ' mx: DNS error: MX lookup of good\.test: timed out$' \
	"... after the checks as they stand"

# A policyd that does not answer (stopped): the same, for its answer.
policyd_pid=$(pgrep -f -- "-n policyd .*$I/etc|$I/etc.* -n policyd" | head -1)
if [ -n "$policyd_pid" ] && kill -STOP "$policyd_pid"; then
	start=$(date +%s.%N)
	check good.test | stamp >"$t/stop.out"
	end=$(date +%s.%N)
	kill -CONT "$policyd_pid"
	waited "$t/stop.out" \
		" stsctl: good\\.test: waiting for policyd's answer to domain-show on $I/spool/public/policyd \\(at most 4 s in all" \
		"a policyd that does not answer: check says so" \
		" stsctl: good\\.test: gave up after 4 s \\(stsctl_check_timeout\\) waiting for policyd's answer to domain-show" \
		"... and gives up at its bound with the reason" "... in @s for 4 s"
else
	fail "policyd of the instance found and stopped"
fi
sed -i '/^stsctl_check_timeout *=/d' "$I/etc/main.cf"
inst_set dnsmon_query_timeout=1s

out=$(check nosuch.test)
like "$out" '^stsctl: nosuch\.test: no such domain$' "an unknown domain is refused by policyd"
done_testing
