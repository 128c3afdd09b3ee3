#!/bin/bash
# tests/rptparse/dkim.t - DKIM verification of mailed reports (RFC 8460
# section 3, RFC 6376, RFC 8463), with rptparse in a network namespace
# whose resolver is a knot server holding the keys: mails signed by
# python3-dkim with RSA (relaxed) and Ed25519 (simple) pass, also when
# d= is a parent of the From: domain; a body changed after signing
# fails; a signature by an unrelated domain is not aligned; an unsigned
# mail is stored unverified, logged so, and raises no alert (a signed
# one does); a key lookup that times out defers the message to
# deferred/, kept there when rptparse is killed, and stored once the
# nameserver answers, once; after
# rptparse_dkim_give_up_time it is stored as temperror.  Google's real
# signatures of two real reports pass under faketime inside their
# t=..x= window and are "expired" after it.
# slow
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/rptparse/instance.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns"
PY=/usr/bin/python3
$PY -c 'import dkim, nacl' 2>/dev/null || skip_all "needs python3-dkim and python3-nacl"
t_need sqlite3 jq
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
SIGN="$PY $SRCDIR/tests/rptparse/dkimsign.py"
REAL=$SRCDIR/tests/corpus/real

T=$(t_tmpdir)

# Keys: RSA 2048 (PEM) and Ed25519 (base64 of the seed).
openssl genrsa -out "$T/rsa.pem" 2048 2>/dev/null
rsa_p=$(openssl rsa -in "$T/rsa.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
$PY -c '
import base64, sys, nacl.signing
k = nacl.signing.SigningKey.generate()
open(sys.argv[1], "w").write(base64.b64encode(bytes(k)).decode())
print(base64.b64encode(bytes(k.verify_key)).decode())' "$T/ed.key" >"$T/ed.pub"
ed_p=$(cat "$T/ed.pub")
google_p=$(sed -n 's/^ *v=DKIM1; k=rsa; p=//p' "$REAL/dkim-keys.md")

# txt RECORD: the record as zone file strings of at most 250 octets.
txt() { printf '%s' "$1" | fold -w 250 | sed 's/.*/"&"/' | tr '\n' ' '; }
{ ns_zone_head sts.test; printf 'ns A 127.0.0.1\n'; } >"$T/sts.zone"
{
	ns_zone_head sender.example
	for s in rsa1 rsa2 rsa3; do
		echo "$s._domainkey TXT $(txt "v=DKIM1; k=rsa; p=$rsa_p")"
	done
	echo "ed1._domainkey TXT $(txt "v=DKIM1; k=ed25519; p=$ed_p")"
	# Hostile records: control characters and a newline; 5,000 bytes
	# (over UDP's 512, so read over TCP, and over DKIMCHECK_KEY_MAX).
	echo 'ctl._domainkey TXT "v=DKIM1;\010\027[31m k=rsa;\010 p=AB\013CD"'
	echo "huge._domainkey TXT $(txt "v=DKIM1; k=rsa; p=$rsa_p; n=$(head -c 4600 /dev/zero | tr '\0' x)")"
} >"$T/sender.zone"
{ ns_zone_head other.example; echo "rsa1._domainkey TXT $(txt "v=DKIM1; k=rsa; p=$rsa_p")"; } >"$T/other.zone"
{ ns_zone_head google.com; echo "20230601._domainkey TXT $(txt "v=DKIM1; k=rsa; p=$google_p")"; } >"$T/google.zone"
ns_create && ns_dns_start sts.test "$T/sts.zone" sender.example "$T/sender.zone" \
	other.example "$T/other.zone" google.com "$T/google.zone" ||
	{ fail "knot starts"; done_testing; }
like "$(ns_dig rsa1._domainkey.sender.example TXT)" 'k=rsa' "knot serves the keys"

# master runs in the namespace, the daemons it starts with it.
ns_wrap_daemons "$T/libexec" master
RP_LIBEXEC=$T/libexec
rp_start "rptparse_dkim_timeout = 2s" "rptparse_dkim_retry_time = 3s" \
	"alert_recipients =" || { fail "instance starts"; done_testing; }
DB=$RP_DIR/data/reports.db
# Hosted, so that alerts may be raised for them (and not raised only
# because the report is unverified).
for d in signed changed unaligned unsigned; do
	quiet $STSCTL domain add $d.example --mx mx1.$d.example
done

# mail ID FROM DOMAIN: a report mail (report-id ID, policy-domain DOMAIN)
# from FROM.
mail() {
	jq --arg id "$1" --arg d "$3" '."report-id" = $id |
	    .policies[0].policy."policy-domain" = $d' \
	    "$FIX/rfc8460.json" >"$T/$1.json"
	rp_mail application/tlsrpt+gzip "$1.json.gz" "$T/$1.json" gzip |
	    sed "s/^From: .*/From: TLS Reports <$2>\r/"
}
# dkim ID: result|d=|s=|reason of the stored report.
dkim() {
	sqlite3 "$DB" "SELECT dkim_result, dkim_domain, dkim_selector,"`
	    `" dkim_reason FROM reports WHERE report_id = '$1'"
}
stored() { [ -n "$(dkim "$1")" ]; }
put_wait() {	# FILE ID: spool FILE, wait until report ID is stored
	rp_put "$1" >/dev/null
	wait_until 20 stored "$2"
}

mail rsa-relaxed reports@sender.example signed.example |
	$SIGN "$T/rsa.pem" sender.example rsa1 rsa-sha256 relaxed >"$T/1.eml"
put_wait "$T/1.eml" rsa-relaxed
is "$(dkim rsa-relaxed)" "pass|sender.example|rsa1|" "RSA, relaxed: pass, d= and s= stored, no reason"
like "$(grep 'id rsa-relaxed' "$RP_LOG")" 'DKIM pass d=sender\.example s=rsa1$' "logged with the outcome"
like "$(grep 'alert: signed.example' "$RP_LOG")" 'failure-rate' "a verified report raises its alerts"

mail ed-simple reports@sender.example signed2.example |
	$SIGN "$T/ed.key" sender.example ed1 ed25519-sha256 simple >"$T/2.eml"
put_wait "$T/2.eml" ed-simple
is "$(dkim ed-simple)" "pass|sender.example|ed1|" "Ed25519 (RFC 8463), simple: pass"

mail parent reports@tlsrpt.mail.sender.example signed3.example |
	$SIGN "$T/rsa.pem" sender.example rsa1 rsa-sha256 relaxed >"$T/3.eml"
put_wait "$T/3.eml" parent
is "$(dkim parent)" "pass|sender.example|rsa1|" "d= a parent of the From: domain: pass"

mail changed reports@sender.example changed.example |
	$SIGN "$T/rsa.pem" sender.example rsa1 rsa-sha256 relaxed >"$T/4.eml"
# The text part (signed, as the whole body is) changed on the way.
sed 's/^A TLS report\.\r$/A TLS report, changed.\r/' "$T/4.eml" >"$T/4c.eml"
nok "the body was changed" cmp -s "$T/4.eml" "$T/4c.eml"
put_wait "$T/4c.eml" changed
is "$(dkim changed)" "fail|sender.example|rsa1|body hash did not verify" \
	"body changed after signing: fail, body hash did not verify"
like "$(grep 'id changed,' "$RP_LOG")" 'unverified: counted nowhere' "logged as unverified"

mail unaligned reports@sender.example unaligned.example |
	$SIGN "$T/rsa.pem" other.example rsa1 rsa-sha256 relaxed >"$T/5.eml"
put_wait "$T/5.eml" unaligned
is "$(dkim unaligned)" "fail|other.example|rsa1|d=other.example is not aligned with From: sender.example" \
	"a valid signature by an unrelated domain: not aligned"

mail unsigned reports@sender.example unsigned.example >"$T/6.eml"
put_wait "$T/6.eml" unsigned
is "$(dkim unsigned)" "none|||no signature" "unsigned: none, no signature"
like "$(grep 'id unsigned,' "$RP_LOG")" 'DKIM none \(no signature\), unverified: counted nowhere' \
	"unsigned: logged as unverified"
is "$(grep -c 'alert: unsigned.example\|alert: changed.example\|alert: unaligned.example' "$RP_LOG")" 0 \
	"unverified reports raise no alert"

mail ctl reports@sender.example ctl.example |
	$SIGN "$T/rsa.pem" sender.example ctl rsa-sha256 relaxed >"$T/ctl.eml"
put_wait "$T/ctl.eml" ctl
like "$(dkim ctl)" '^fail\|sender\.example\|ctl\|[ -~]+$' \
	"a key record with control characters: fail, a printable reason"
mail huge reports@sender.example huge.example |
	$SIGN "$T/rsa.pem" sender.example huge rsa-sha256 relaxed >"$T/huge.eml"
put_wait "$T/huge.eml" huge
is "$(dkim huge)" "fail|sender.example|huge|key record at huge._domainkey.sender.example is longer than 4096 bytes" \
	"a 5,000-byte key record (read over TCP): fail, refused by its size"

rp_https application/tlsrpt+json <(jq '."report-id" = "by-https"' "$FIX/rfc8460.json") >"$T/h.msg"
put_wait "$T/h.msg" by-https
is "$(dkim by-https)" "none|||" "https: none, no reason"

# Real signatures after x=: expired.
for g in google1 google2; do
	rp_put "$REAL/kravietz_$g.eml" >/dev/null
done
rp_idle
is "$(sqlite3 "$DB" "SELECT dkim_result || ' ' || dkim_reason FROM reports WHERE dkim_domain = 'google.com'")" \
	"fail expired
fail expired" "Google's real signatures after x=: expired"

# The nameserver stops answering: the message waits in deferred/.
ip netns exec "$NS" $PY "$SRCDIR/tests/dnsmon/dnssink.py" 127.0.0.7 >/dev/null 2>&1 &
at_exit "kill $!"
echo "nameserver 127.0.0.7" >"/etc/netns/$NS/resolv.conf"
mail deferred reports@sender.example deferred.example |
	$SIGN "$T/rsa.pem" sender.example rsa2 rsa-sha256 relaxed >"$T/7.eml"
id=$(rp_put "$T/7.eml")
deferred() { [ -f "$RP_SPOOL/deferred/$id" ]; }
ok "a key lookup that times out defers the message" wait_until 15 deferred
like "$(cat "$RP_SPOOL/deferred/$id.reason")" \
	'^DKIM key lookup of rsa2\._domainkey\.sender\.example: no answer within [0-9]+ ms from the 1 nameservers of /etc/resolv\.conf$' \
	"the reason names the key and the cause"
like "$($STSCTL queue list 2>&1)" "$id" "stsctl queue list shows it"
nok "not stored meanwhile" stored deferred
# rptparse killed while the message waits: the new one takes it up.
old=$(rp_pid)
kill -9 "$old"
newpid() { p=$(rp_pid); [ -n "$p" ] && [ "$p" != "$old" ]; }
ok "rptparse killed and started again by master" wait_until 20 newpid
ok "the message is still in deferred/" deferred
echo "nameserver 127.0.0.1" >"/etc/netns/$NS/resolv.conf"
ok "once DNS answers it is stored" wait_until 20 stored deferred
is "$(dkim deferred)" "pass|sender.example|rsa2|" "then it passes"
nok "and has left deferred/" deferred
is "$(sqlite3 "$DB" "SELECT count(*) FROM reports WHERE report_id = 'deferred'")" 1 "stored once"

# Give up: rptparse_dkim_give_up_time 1s, the nameserver silent again.
sed -i 's/^rptparse_dkim_timeout = 2s$/&\nrptparse_dkim_give_up_time = 1s/' "$RP_DIR/etc/main.cf"
"$RP_STSD" -c "$RP_DIR/etc" reload >/dev/null 2>&1
sleep 2
echo "nameserver 127.0.0.7" >"/etc/netns/$NS/resolv.conf"
mail gaveup reports@sender.example gaveup.example |
	$SIGN "$T/rsa.pem" sender.example rsa3 rsa-sha256 relaxed >"$T/8.eml"
put_wait "$T/8.eml" gaveup
like "$(dkim gaveup)" \
	'^temperror\|sender\.example\|rsa3\|key lookup of rsa3\._domainkey\.sender\.example: no answer within' \
	"after rptparse_dkim_give_up_time: stored as temperror"
like "$(grep 'rsa3' "$RP_LOG" | grep 'stored as temperror')" 'since it arrived' "giving up is logged"
echo "nameserver 127.0.0.1" >"/etc/netns/$NS/resolv.conf"

# Google's real signatures inside their window, under faketime.
if [ -z "$FAKETIME_LIB" ]; then
	pass "# skip: no libfaketime"
else
	ns_wrap_daemons "$T/libexec-ft" master LD_PRELOAD="$FAKETIME_LIB" FAKETIME='@2024-09-20\ 12:00:00' \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
	RP_LIBEXEC=$T/libexec-ft
	rp_start || { fail "instance under faketime starts"; done_testing; }
	DB=$RP_DIR/data/reports.db
	for g in google1 google2; do
		rp_put "$REAL/kravietz_$g.eml" >/dev/null
	done
	two() { [ "$(sqlite3 "$DB" "SELECT count(*) FROM reports")" = 2 ]; }
	ok "both real reports stored" wait_until 30 two
	is "$(sqlite3 "$DB" "SELECT dkim_result || ' ' || dkim_domain || ' ' || dkim_selector || ' ' || ifnull(dkim_reason, '-') FROM reports")" \
		"pass google.com 20230601 -
pass google.com 20230601 -" "Google's real signatures inside t=..x=: pass"
	like "$(grep -m1 'report 1:' "$RP_LOG")" 'DKIM pass d=google\.com s=20230601$' "logged as pass"
fi
done_testing
