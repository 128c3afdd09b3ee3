#!/bin/bash
# tests/rptparse/subscriptions.t - alert subscriptions of domains, end to
# end: stsctl alert add|list|del through policyd (bounds, hostile
# targets, the audit log); rptparse's alerts about a domain reach its
# subscribed https webhook (a local server with a test CA, allowed by
# alert_webhook_private_networks) and its subscribed address, and never
# another domain's; a webhook on a loopback address is refused when it
# is subscribed and when it is sent to, without that parameter.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq python3 openssl

T=$(t_tmpdir)
chmod 777 "$T"		# rptparse's sendmail writes here as mail_owner
MAX=5

# The webhook: https://localhost:PORT/, a certificate of a test CA that
# the daemons trust as their system CAs (SSL_CERT_FILE).
pki_ca "$T/ca" && pki_cert "$T/ca" localhost 30 >/dev/null ||
	{ fail "test CA"; done_testing; }
chmod -R a+rX "$T/ca"
TLSHOOK=$(free_port)
python3 "$SRCDIR/tests/rptparse/webhook_tls.py" 127.0.0.1 "$TLSHOOK" \
	"$T/ca/localhost/fullchain.pem" "$T/ca/localhost/privkey.pem" \
	"$T/hook.log" >/dev/null 2>&1 &
at_exit "kill $!"
wait_until 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $TLSHOOK), 1)" ||
	{ fail "webhook receiver starts"; done_testing; }
HOOKURL=https://localhost:$TLSHOOK
printf '#!/bin/sh\n{ echo "args: $*"; cat; echo .; } >>%s/mail.out\n' "$T" >"$T/sendmail"
chmod 755 "$T/sendmail"

export SSL_CERT_FILE=$T/ca/ca.pem
rp_start "report_require_dkim = no" "sendmail_path = $T/sendmail" \
	"alert_subscriptions_max = $MAX" \
	"alert_webhook_private_networks = 127.0.0.0/8, ::1/128" ||
	{ fail "instance starts"; done_testing; }
quiet $STSCTL domain add example.com --mx '*.mail.example.com'
quiet $STSCTL domain add example.net --mx '*.mail.example.net'

# 1. Subscriptions through stsctl: listed with their ids, audited.
out=$($STSCTL alert add example.com --webhook "$HOOKURL/com" 2>&1)
like "$out" "^example\.com: alert subscription [0-9]+ added: webhook https://localhost:$TLSHOOK/com$" \
	"a webhook on a network of alert_webhook_private_networks is subscribed"
ok "a mail address is subscribed" quiet $STSCTL alert add example.com --mail owner@example.com
ok "another domain's address" quiet $STSCTL alert add example.net --mail net-owner@example.net
ok "another domain's webhook" quiet $STSCTL alert add example.net --webhook "$HOOKURL/net"
is "$($STSCTL alert list example.com --json | jq -r '[.subscriptions[] | .kind + " " + .target + " " + .account] | join(",")')" \
	"webhook $HOOKURL/com operator,mail owner@example.com operator" "alert list: both, in order, by whom"
like "$($STSCTL alert list example.com)" "ID +KIND +TARGET +CREATED +BY" "alert list: a table"
is "$($STSCTL audit --domain example.com --json | jq -r '[.entries[] | select(.action == "alert-add") | .details.target] | join(",")')" \
	"$HOOKURL/com,owner@example.com" "each subscription is in the audit log"
DATA=$(inst_param data_directory)
is "$(wc -l <"$DATA/alert-subscriptions")" 4 "policyd lists them in data_directory/alert-subscriptions"

# 2. Bad targets: one line each, nothing stored.
bad() { local want=$1 out rc; shift; out=$($STSCTL alert add "$@" 2>&1); rc=$?; is "$rc:$out" "1:stsctl: $want" "refused: $*"; }
bad 'mail address "a@example.com\r\nBcc: x@evil.example": one address local@domain, without a name, space, quote, bracket or control character' \
	example.com --mail $'a@example.com\r\nBcc: x@evil.example'
bad 'mail address "Owner <o@example.com>": one address local@domain, without a name, space, quote, bracket or control character' \
	example.com --mail 'Owner <o@example.com>'
bad 'mail address "a@b@example.com": not an address local@domain (at most 254 bytes, a local part of at most 64)' \
	example.com --mail 'a@b@example.com'
bad 'mail address "-oQ/tmp@example.com": not an address local@domain (at most 254 bytes, a local part of at most 64)' \
	example.com --mail '-oQ/tmp@example.com'
bad 'webhook URL "http://localhost/x": not https://' example.com --webhook http://localhost/x
bad 'webhook URL "https://user:pw@localhost/x": user or password in the URL (user:password@): not allowed' \
	example.com --webhook https://user:pw@localhost/x
long="https://localhost/$(head -c 102400 /dev/zero | tr '\0' a)"
bad "target: longer than 2048 bytes, or a NUL" example.com --webhook "$long"
bad "webhook host 10.0.0.1: 10.0.0.1 is a private address, not a public one (only public addresses are allowed)" \
	example.com --webhook https://10.0.0.1/x
bad "webhook host ::ffff:169.254.169.254: ::ffff:169.254.169.254 is a link-local address, not a public one (only public addresses are allowed)" \
	example.com --webhook 'https://[::ffff:169.254.169.254]/latest/meta-data'
bad "example.org: no such domain" example.org --mail a@example.org
bad "example.com: mail owner@example.com: already subscribed" example.com --mail owner@example.com
is "$($STSCTL alert list example.com --json | jq '.subscriptions | length')" 2 "nothing bad was stored"

# 3. A flood of 10,000 subscriptions on one connection: alert_subscriptions_max.
cat >"$T/flood.py" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(120)
s.connect(sys.argv[1])
f = s.makefile("rwb")
ok = errs = 0
last = ""
for i in range(10000):
    req = {"op": "alert-add", "domain": "example.net", "kind": "mail",
           "target": "flood%d@example.net" % i}
    f.write(json.dumps(req).encode() + b"\n")
    f.flush()
    r = json.loads(f.readline())
    if r.get("ok"):
        ok += 1
    else:
        errs += 1
        last = r.get("error")
print(ok, errs, last)
PY
Q=$(inst_param queue_directory)
is "$(python3 "$T/flood.py" "$Q/public/policyd")" \
	"$((MAX - 2)) $((10000 - MAX + 2)) example.net: already $MAX alert subscriptions, the most that alert_subscriptions_max allows; remove one first" \
	"a flood of 10,000: bounded by alert_subscriptions_max"
for id in $($STSCTL alert list example.net --json | jq -r '.subscriptions[] | select(.target | startswith("flood")) | .id'); do
	quiet $STSCTL alert del example.net "$id"
done
is "$($STSCTL alert list example.net --json | jq -r '[.subscriptions[].target] | join(",")')" \
	"net-owner@example.net,$HOOKURL/net" "alert del removes them"
id=$($STSCTL alert list example.com --json | jq '.subscriptions[0].id')
stsctl_del=$($STSCTL alert del example.net "$id" 2>&1)
is "$?:$stsctl_del" "1:stsctl: example.net: no alert subscription $id" "an id of another domain is not found"

# 4. Alerts: each domain's to its own subscribers only.
today=$(date -u +%F)
report() {
	jq -c --arg id "$1" --arg d "$2" "${3:-.}"' | .policies[0].policy."policy-domain" = $d | ."report-id" = $id' \
		"$FIX/rfc8460.json" >"$T/$1.json"
	rp_mail application/tlsrpt+gzip "$1.json.gz" "$T/$1.json" gzip >"$T/$1.eml"
	rp_put "$T/$1.eml" >/dev/null
	rp_idle
}
report r-com example.com
report r-net example.net
hooked() { [ "$(grep -c "^/$1 " "$T/hook.log" 2>/dev/null)" -ge 1 ]; }
ok "the webhook of example.com is called" wait_until 20 hooked com
ok "the webhook of example.net is called" wait_until 20 hooked net
sleep 1.5
doms() { grep "^/$1 " "$T/hook.log" | cut -d' ' -f2- | jq -r '.alerts[].domain' | sort -u | tr '\n' ' '; }
is "$(doms com)" "example.com " "example.com's webhook: example.com's alerts only"
is "$(doms net)" "example.net " "example.net's webhook: example.net's alerts only"
is "$(grep "^/com " "$T/hook.log" | cut -d' ' -f2- | jq '.alerts | length' | awk '{ n += $1 } END { print n }')" 4 \
	"example.com's webhook: its four alerts"
wait_until 10 sh -c "[ \$(grep -c '^args: ' '$T/mail.out') -ge 2 ]"
mails() { awk -v a="args: -i -- $1" '$0 == a { on = 1; next } /^args: / { on = 0 } on' "$T/mail.out"; }
is "$(grep -c '^args: ' "$T/mail.out")" 2 "one mail per subscribed address"
like "$(mails owner@example.com)" "Subject: stsd: 4 alerts: example\.com"$'\r'"?"$'\n' "the mail to example.com's address: its alerts"
unlike "$(mails owner@example.com)" "stsd: example\.net|to example\.net" "... and nothing of example.net"
like "$(mails net-owner@example.net)" "example\.net" "the mail to example.net's address: its alerts"
unlike "$(mails net-owner@example.net)" "stsd: example\.com|to example\.com" "... and nothing of example.com"

# A webhook that redirects: the redirect is not followed (logged).
ok "a webhook that redirects is subscribed" quiet $STSCTL alert add example.com --webhook "$HOOKURL/redirect"
report r-com3 example.com '.policies[0]."failure-details" = [
	{"result-type": "sts-webpki-invalid", "failed-session-count": 2}]'
redirected() { grep -q "rptparse.*alert: example\.com: subscribed webhook: https://localhost:$TLSHOOK/redirect: HTTP status 302" "$RP_LOG"; }
ok "a redirect is a failure, logged" wait_until 20 redirected
ok "... the other webhook got the alert" wait_until 10 sh -c "grep '^/com ' '$T/hook.log' | grep -q sts-webpki-invalid"
is "$(grep -c '^/followed ' "$T/hook.log")" 0 "... and the redirect was not followed"
out=$($STSCONF -e 'alert_webhook_private_networks=127.0.0.0/8, 10.0.0.0/33' 2>&1)
is "$?:$out" '1:stsconf: parameter alert_webhook_private_networks: bad value "127.0.0.0/8, 10.0.0.0/33": expected IPv4 or IPv6 networks of the form address/bits or addresses ("10.0.0.0/33" is not one)' \
	"a bad network in alert_webhook_private_networks is refused"

# 5. Without alert_webhook_private_networks: refused when subscribed,
# and at send time for those already subscribed.
sed -i '/^alert_webhook_private_networks/d' "$RP_DIR/etc/main.cf"
"$RP_STSD" -c "$RP_DIR/etc" reload >/dev/null 2>&1
refused() { ! $STSCTL alert add example.com --webhook "$HOOKURL/again" >/dev/null 2>&1; }
ok "after the reload policyd refuses a loopback webhook" wait_until 20 refused
out=$($STSCTL alert add example.com --webhook "$HOOKURL/again" 2>&1)
like "$out" "^stsctl: webhook host localhost: (127\.0\.0\.1|::1) is a loopback address, not a public one \(only public addresses are allowed\)$" \
	"refused at subscription: the address and its range named"
sleep 2	# rptparse restarted by the reload
n=$(wc -l <"$T/hook.log")
report r-com2 example.com '.policies[0]."failure-details" = [
	{"result-type": "sts-policy-fetch-error", "failed-session-count": 7}]'
logged() { grep -q "rptparse.*alert: example\.com: subscribed webhook: webhook host localhost: .* is a loopback address, not a public one" "$RP_LOG"; }
ok "refused at send time, logged" wait_until 20 logged
is "$(wc -l <"$T/hook.log")" "$n" "... and nothing sent to it"

# 6. A domain removed takes its subscriptions along, in the file too.
quiet $STSCTL domain del example.net --now
is "$(cut -f1 "$DATA/alert-subscriptions" | sort -u | tr '\n' ' ')" "example.com " \
	"a removed domain's subscriptions leave data_directory/alert-subscriptions"
like "$($STSCTL audit --domain example.net --json | jq -r '[.entries[].action] | join(" ")')" "alert-add.*alert-del" \
	"the audit log keeps them"

done_testing
