#!/bin/bash
# tests/httpd/acme.t - ACME challenges pushed through policyd: httpd
# answers HTTP-01 on the plain listener with the exact key authorization
# and 404 for tokens it does not hold, stops after challenge-remove, and
# on the TLS listener presents a tls-alpn-01 certificate only to a
# ClientHello that offers acme-tls/1, then closes without HTTP.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

CLIENT=$BUILDDIR/tests/policyd/ipcclient
inst_need httpd policyd master
[ -x "$STSCTL_BIN" ] && [ -x "$CLIENT" ] || skip_all "stsctl or ipcclient not built"

dir=$(t_tmpdir)/i
httpd_instance "$dir" || { fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
priv=$dir/spool/private/policyd
$STSCTL domain add a.example --mx mx.a.example >/dev/null || fail "stsctl domain add"
call() { "$CLIENT" "$priv" "$1"; }

# chal TOKEN [HOST]: GET of the challenge path on the plain listener;
# prints the status code, then the body on the next line.
chal() {
	curl -sS --max-time 5 -o "$dir.body" -w '%{http_code}\n' \
		-H "Host: ${2:-mta-sts.a.example}" \
		"http://127.0.0.1:$HTTP/.well-known/acme-challenge/$1"
	cat "$dir.body"
}

keyauth=tok_ABC-123.Zm9vYmFyYmF6-thumb_print
out=$(call '{"op":"challenge-add","type":"http-01","host":"mta-sts.a.example","token":"tok_ABC-123","keyauth":"'$keyauth'"}')
is "$out" '{"ok":true}' "policyd takes an http-01 challenge-add"
is "$(chal tok_ABC-123)" "200
$keyauth" "httpd answers it with the key authorization"
got=$(curl -sS --max-time 5 -D - -o /dev/null -H 'Host: mta-sts.a.example' \
	"http://127.0.0.1:$HTTP/.well-known/acme-challenge/tok_ABC-123" | tr -d '\r')
like "$got" 'Content-Type: text/plain' "... as text/plain"
like "$got" "Content-Length: ${#keyauth}"$'\n' "... with no byte more than the key authorization"
is "$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -I -H 'Host: mta-sts.a.example' \
	"http://127.0.0.1:$HTTP/.well-known/acme-challenge/tok_ABC-123")" 200 "HEAD gets 200 too"
is "$(chal no-such-token)" "404
404 Not Found" "an unknown token gets 404"
is "$(chal tok_ABC-123 mta-sts.b.example | head -1)" 404 "a token asked for under another host gets 404"
is "$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -X POST -H 'Host: mta-sts.a.example' \
	"http://127.0.0.1:$HTTP/.well-known/acme-challenge/tok_ABC-123")" 405 "another method gets 405"
is "$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' --cacert "$I/ca/ca.pem" \
	--resolve "mta-sts.a.example:$HTTPS:127.0.0.1" \
	"https://mta-sts.a.example:$HTTPS/.well-known/acme-challenge/tok_ABC-123")" 404 \
	"the HTTPS listener does not answer http-01"
is "$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H 'Host: mta-sts.a.example' \
	"http://127.0.0.1:$HTTP$POLICY_PATH")" 404 "the plain listener still serves no policy"

out=$(call '{"op":"challenge-add","type":"http-01","host":"mta-sts.a.example","token":"bad/token","keyauth":"x.y"}')
like "$out" '"error":"token \\"bad/token\\": not base64url' "a bad token is refused with the reason"

# Public socket: refused.
if [ -S "$dir/spool/public/policyd" ] && [ ! -L "$dir/spool/public/policyd" ]; then
	out=$("$CLIENT" "$dir/spool/public/policyd" '{"op":"challenge-add","type":"http-01","host":"mta-sts.a.example","token":"t","keyauth":"t.x"}')
	is "$out" '{"error":"request \"challenge-add\" is not allowed on the public socket","ok":false}' \
		"challenge-add is refused on the public socket"
fi

out=$(call '{"op":"challenge-remove","type":"http-01","host":"mta-sts.a.example","token":"tok_ABC-123"}')
is "$out" '{"ok":true,"removed":1}' "challenge-remove is taken"
is "$(chal tok_ABC-123 | head -1)" 404 "a removed challenge is no longer answered"

# A challenge added before httpd (re)subscribes is sent to it afterwards.
call '{"op":"challenge-add","type":"http-01","host":"mta-sts.a.example","token":"late","keyauth":"late.k"}' >/dev/null
# Only this instance's plain httpd (its port is unique); master restarts it.
plain_httpd() { pgrep -f -- "-n 127.0.0.1:$HTTP " | head -1; }
restarted() { local p; p=$(plain_httpd); [ -n "$p" ] && [ "$p" != "$plain_pid" ]; }
plain_pid=$(plain_httpd)
[ -n "$plain_pid" ] && kill "$plain_pid"
ok "master restarts the plain httpd" wait_until 10 restarted
ok "a restarted httpd gets the current challenges from policyd" \
	wait_until 10 sh -c "[ \"\$(curl -s --max-time 2 -H 'Host: mta-sts.a.example' \
		http://127.0.0.1:$HTTP/.well-known/acme-challenge/late)\" = late.k ]"

# TLS-ALPN-01 for a host without a certificate of its own.
pki_cert "$I/ca" mta-sts.c.example 1 >/dev/null || fail "challenge certificate"
req=$(jq -cn --rawfile c "$I/ca/mta-sts.c.example/fullchain.pem" \
	--rawfile k "$I/ca/mta-sts.c.example/privkey.pem" \
	'{op:"challenge-add",type:"tls-alpn-01",host:"mta-sts.c.example",cert:$c,key:$k}')
is "$(call "$req")" '{"ok":true}' "policyd takes a tls-alpn-01 challenge-add"
alpn() {	# alpn HOST [ALPN]: what s_client says of the handshake
	echo | timeout 5 openssl s_client -connect "127.0.0.1:$HTTPS" -servername "$1" \
		${2:+-alpn "$2"} 2>&1
}
want=$(openssl x509 -in "$I/ca/mta-sts.c.example/fullchain.pem" -noout -fingerprint -sha256)
served_c() { alpn mta-sts.c.example acme-tls/1 | openssl x509 -noout -fingerprint -sha256 2>/dev/null; }
is "$(served_c)" "$want" "acme-tls/1 gets the challenge certificate"
like "$(alpn mta-sts.c.example acme-tls/1)" 'ALPN protocol: acme-tls/1' "... and acme-tls/1 is selected"
got=$(printf 'GET / HTTP/1.1\r\nHost: mta-sts.c.example\r\n\r\n' | timeout 5 openssl s_client \
	-quiet -connect "127.0.0.1:$HTTPS" -servername mta-sts.c.example -alpn acme-tls/1 2>/dev/null)
is "$got" "" "... and the connection closes without HTTP"
unlike "$(alpn mta-sts.c.example)" 'BEGIN CERTIFICATE' "without acme-tls/1 the host has no certificate"
a_cert=$(openssl x509 -in "$I/spool/certs/mta-sts.a.example/fullchain.pem" -noout -fingerprint -sha256)
is "$(alpn mta-sts.a.example acme-tls/1 | openssl x509 -noout -fingerprint -sha256 2>/dev/null)" \
	"$a_cert" "acme-tls/1 for a host without a challenge: its usual certificate"
is "$(fetch mta-sts.a.example -o /dev/null -w '%{http_code}')" 200 "policies are still served"
call '{"op":"challenge-remove","type":"tls-alpn-01","host":"mta-sts.c.example"}' >/dev/null
unlike "$(alpn mta-sts.c.example acme-tls/1)" 'BEGIN CERTIFICATE' "after challenge-remove it is gone"

inst_stop
is "$(grep -c 'ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error:' "$dir/log/stsd.log" "$dir.start.log" 2>/dev/null | awk -F: '{s+=$NF} END {print s+0}')" 0 \
	"no sanitizer report"
done_testing
