#!/bin/bash
# tests/integration/postfix-report.t - TLS reports mailed by a real
# Postfix reach "stsctl report summary" with the numbers they carry.
# SPDX-License-Identifier: ISC
#
# In a network namespace of its own: knot answers for the report zone
# (demo.test, the sts_zone of the instance; its MX is rptrecv on
# 127.0.0.2:25), the suite runs policyd, rptrecv and rptparse, and a
# private Postfix (its own config, queue and data directories; no
# relayhost) takes each report mail by sendmail(1) and delivers it by
# the MX record, as a report sender's MTA does.  The mails are built
# here in the shapes real senders use (Google, Microsoft, mail.ru,
# Postfix's tlsrpt reporter; multipart/report with an
# application/tlsrpt+gzip attachment), with counts drawn at random; the
# summary must show exactly the sums of what was sent, and a report
# mailed twice must be stored once.
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/instance.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns"
for c in postfix sendmail knotd jq gzip base64; do
	command -v "$c" >/dev/null || skip_all "$c is not installed (scripts/deps)"
done
id postfix >/dev/null 2>&1 && getent group postdrop >/dev/null ||
	skip_all "no postfix user or postdrop group"

t=$(t_tmpdir)
ns_create || { fail "network namespace"; done_testing; }
Z=demo.test		# sts_zone of "stsd init": rua=mailto:tlsrpt@demo.test
D=example.test		# the hosted domain the reports are about
MX=127.0.0.2		# rptrecv; Postfix itself is 127.0.0.1

cat >"$t/zone" <<EOF
\$TTL 60
@	SOA ns.$Z. hostmaster.$Z. 1 60 60 600 60
	NS ns.$Z.
	MX 10 mx.$Z.
ns	A 127.0.0.1
mx	A $MX
EOF
ok "knot serves $Z with its MX" ns_dns_start "$Z" "$t/zone"
is "$(ns_dig "$Z" MX)" "10 mx.$Z." "the MX record of $Z"

# --- the suite: policyd, rptrecv on $MX:25, rptparse ---------------------

inst_init "$t/i" --address="$MX" --smtp-port=25
inst_only policyd rptrecv rptparse
# The reports mailed below are unsigned: they count with
# report_require_dkim = no.
inst_set report_require_dkim=no
ok "the suite starts in the namespace, rptrecv on $MX:25" inst_start
ok "policyd answers" wait_until 10 inst_exec $STSCTL domain list
ok "stsctl domain add $D" quiet inst_exec $STSCTL domain add "$D" --mx "mx1.$D"

# --- Postfix ----------------------------------------------------------------

P=$t/pf
mkdir -p "$P/etc" "$P/queue" "$P/data"
chown postfix: "$P/data"
cat >"$P/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $P/queue
data_directory = $P/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.sender.test
mydomain = sender.test
myorigin = sender.test
mydestination =
relayhost =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
maillog_file = $P/maillog
maillog_file_prefixes = $P
smtp_tls_security_level = none
biff = no
EOF
cat >"$P/etc/master.cf" <<EOF
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
smtp      unix  - - n - - smtp
postlog   unix-dgram n - n - 1 postlogd
EOF
pf() { ns_exec postfix -c "$P/etc" "$@"; }
ok "postfix check" pf check
ok "Postfix starts in the namespace" pf start
at_exit "ip netns exec $NS postfix -c $P/etc stop"

# --- the reports ------------------------------------------------------------

day=$(date -u -d yesterday +%F)
next=$(date -u +%F)
n() { echo $((RANDOM % 5000 + 1)); }

# Google: mx-host as a list, no failure-details.
cat >"$t/google.json" <<EOF
{"organization-name":"Google Inc.","date-range":{"start-datetime":"${day}T00:00:00Z","end-datetime":"${day}T23:59:59Z"},"contact-info":"smtp-tls-reporting@google.com","report-id":"${day}T00:00:00Z_$D","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: mx1.$D","max_age: 604800"],"policy-domain":"$D","mx-host":["mx1.$D"]},"summary":{"total-successful-session-count":$(n),"total-failure-session-count":0}}]}
EOF
# Microsoft: date-times without a zone, failure details without
# sending-mta-ip, report-id "<18 digits>+<domain>".
f1=$(n) f2=$(n)
cat >"$t/microsoft.json" <<EOF
{"organization-name":"Microsoft Corporation","date-range":{"start-datetime":"${day}T00:00:00","end-datetime":"${day}T23:59:59"},"contact-info":"tlsrpt-noreply@microsoft.com","report-id":"1334567890$(printf %08d $RANDOM)+$D","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: mx1.$D","max_age: 604800"],"policy-domain":"$D"},"summary":{"total-successful-session-count":$(n),"total-failure-session-count":$((f1 + f2))},"failure-details":[{"result-type":"certificate-host-mismatch","receiving-mx-hostname":"mx1.$D","receiving-ip":"192.0.2.25","failed-session-count":$f1},{"result-type":"certificate-expired","receiving-mx-hostname":"mx1.$D","receiving-ip":"192.0.2.25","failed-session-count":$f2}]}]}
EOF
# mail.ru: contact-info null, empty lists, the range ends at midnight.
f1=$(n)
cat >"$t/mailru.json" <<EOF
{"organization-name":"Mail.Ru","date-range":{"start-datetime":"${day}T00:00:00Z","end-datetime":"${next}T00:00:00Z"},"contact-info":null,"report-id":"$(printf %08x $RANDOM$RANDOM)@mail.ru","policies":[{"policy":{"policy-type":"sts","policy-string":[],"policy-domain":"$D","mx-host":[]},"summary":{"total-successful-session-count":$(n),"total-failure-session-count":$f1},"failure-details":[{"result-type":"sts-policy-fetch-error","sending-mta-ip":"198.51.100.7","receiving-mx-hostname":"mx1.$D","failed-session-count":$f1}]}]}
EOF
# Postfix's tlsrpt reporter: a report for $D, and one for a domain
# without a policy (no-policy-found, no policy-domain).
f1=$(n)
cat >"$t/postfix.json" <<EOF
{"organization-name":"mail.example.net","date-range":{"start-datetime":"${day}T00:00:00Z","end-datetime":"${day}T23:59:59Z"},"contact-info":"postmaster@example.net","report-id":"${day}_${D}_postfix","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: mx1.$D","max_age: 604800"],"policy-domain":"$D","mx-host":["mx1.$D"]},"summary":{"total-successful-session-count":$(n),"total-failure-session-count":$f1},"failure-details":[{"result-type":"starttls-not-supported","sending-mta-ip":"198.51.100.9","receiving-mx-hostname":"mx1.$D","receiving-ip":"192.0.2.25","failed-session-count":$f1}]}]}
EOF
cat >"$t/postfix-nopolicy.json" <<EOF
{"organization-name":"mail.example.net","date-range":{"start-datetime":"${day}T00:00:00Z","end-datetime":"${day}T23:59:59Z"},"contact-info":"postmaster@example.net","report-id":"${day}_other.example_postfix","policies":[{"policy":{"policy-type":"no-policy-found"},"summary":{"total-successful-session-count":$(n),"total-failure-session-count":0},"failure-details":[]}]}
EOF
sent=(google microsoft mailru postfix postfix-nopolicy)
for r in "${sent[@]}"; do
	jq -e . "$t/$r.json" >/dev/null || fail "$r.json is valid JSON"
done

# mkmail NAME: a report mail as RFC 8460 section 5.3 has it.
mkmail() {
	local f=$t/$1.json org rid
	org=$(jq -r '."organization-name"' "$f")
	rid=$(jq -r '."report-id"' "$f")
	printf 'From: TLS reports <tlsrpt@sender.test>\n'
	printf 'To: tlsrpt@%s\n' "$Z"
	printf 'Subject: Report Domain: %s Submitter: %s Report-ID: <%s>\n' "$D" "$org" "$rid"
	printf 'TLS-Report-Domain: %s\nTLS-Report-Submitter: %s\n' "$D" "$org"
	printf 'Date: %s\nMessage-ID: <%s.%s@sender.test>\n' "$(date -R)" "$RANDOM$RANDOM" "$1"
	printf 'MIME-Version: 1.0\n'
	printf 'Content-Type: multipart/report; report-type="tlsrpt";\n\tboundary="=_%s"\n\n' "$1"
	printf -- '--=_%s\nContent-Type: text/plain; charset=us-ascii\n\n' "$1"
	printf 'This is an aggregate TLS report from %s.\n\n' "$org"
	printf -- '--=_%s\nContent-Type: application/tlsrpt+gzip\n' "$1"
	printf 'Content-Disposition: attachment;\n\tfilename="%s!%s!%s!%s.json.gz"\n' \
	    "$org" "$D" "$day" "$1"
	printf 'Content-Transfer-Encoding: base64\n\n'
	gzip -9nc "$f" | base64 -w 76
	printf -- '\n--=_%s--\n' "$1"
}

# Google's report twice, as a sender that did not see the first 250.
mails=("${sent[@]}" google)
for r in "${mails[@]}"; do
	mkmail "$r" >"$t/$r.eml"
	ns_exec sendmail -C "$P/etc" -f tlsrpt@sender.test "tlsrpt@$Z" <"$t/$r.eml" ||
		fail "sendmail takes the $r report"
done
delivered() { [ "$(grep -c 'status=sent' "$P/maillog" 2>/dev/null)" -ge ${#mails[@]} ]; }
ok "Postfix delivers the ${#mails[@]} mails through the MX" wait_until 90 delivered
like "$(grep 'status=sent' "$P/maillog" | head -1)" "relay=mx\.$Z\[$MX\]:25" \
    "to rptrecv, found by the MX record"
stored() {
	[ "$(inst_exec $STSCTL report list --json | jq '.reports | length')" -ge ${#sent[@]} ]
}
empty() {
	[ -z "$(ls -A "$I/spool/incoming" "$I/spool/active" | grep -v -e '^$' -e ':$')" ]
}
ok "rptparse stores the reports" wait_until 60 stored
ok "and the spool empties" wait_until 30 empty
list=$(inst_exec $STSCTL report list --json)
is "$(jq '.reports | length' <<<"$list")" ${#sent[@]} \
    "${#sent[@]} reports stored from ${#mails[@]} mails (the copy once)"
is "$(jq -r '[.reports[]."report-id"] | sort | join(" ")' <<<"$list")" \
    "$(for r in "${sent[@]}"; do jq -r '."report-id"' "$t/$r.json"; done | sort | paste -sd' ')" \
    "the report-ids of the reports sent"
like "$(grep -c 'Google Inc\., id .*: already stored as report' "$I/log/stsd.log")" '^1$' \
    "rptparse saw the second copy and kept the first"
is "$(ls "$I/spool/corrupt" | wc -l)" 0 "nothing in corrupt/"

# --- the summary against the JSON sent ---------------------------------------

ours=()
for r in "${sent[@]}"; do
	jq -e --arg d "$D" 'any(.policies[]; .policy."policy-domain" == $d)' \
	    "$t/$r.json" >/dev/null && ours+=("$t/$r.json")
done
exp=$(jq -s --arg d "$D" '
	[.[] | . as $r | .policies[] | select(.policy."policy-domain" == $d) |
	 {org: $r."organization-name", ok: .summary."total-successful-session-count",
	  bad: .summary."total-failure-session-count",
	  details: (."failure-details" // [])}] as $p |
	{reports: length,
	 successful: ([$p[].ok] | add), failed: ([$p[].bad] | add),
	 types: ([$p[].details[]] | group_by(."result-type") |
		 map({key: .[0]."result-type", value: ([.[]."failed-session-count"] | add)}) |
		 from_entries),
	 orgs: ($p | group_by(.org) | map({key: .[0].org,
		 value: [([.[].ok] | add), ([.[].bad] | add)]}) | from_entries)}' \
    "${ours[@]}")
got=$(inst_exec $STSCTL report summary "$D" --days 7 --json)
note "summary: $(jq -c '{reports, successful, failed}' <<<"$got")"
is "$(jq '.reports' <<<"$got")" "$(jq '.reports' <<<"$exp")" \
    "summary: the number of reports for $D"
is "$(jq '.successful' <<<"$got")" "$(jq '.successful' <<<"$exp")" \
    "summary: successful sessions, the sum of the reports sent"
is "$(jq '.failed' <<<"$got")" "$(jq '.failed' <<<"$exp")" \
    "summary: failed sessions, the sum of the reports sent"
is "$(jq -cS '[."by-result-type"[] | {key: ."result-type", value: .sessions}] | from_entries' <<<"$got")" \
    "$(jq -cS '.types' <<<"$exp")" "summary: failed sessions by result type"
is "$(jq -cS '[."by-organization"[] | {key: ."organization-name", value: [.successful, .failed]}] | from_entries' <<<"$got")" \
    "$(jq -cS '.orgs' <<<"$exp")" "summary: sessions by sending organization"
nop=$(jq -r '.reports[] | select(."report-id" | endswith("other.example_postfix")) | .id' <<<"$list")
like "$(inst_exec $STSCTL report show "${nop:-0}" --json | jq -c '.policies[0].policy')" \
    '"policy-type":"no-policy-found"' "the no-policy-found report is stored too"
done_testing
