#!/bin/bash
# tests/rptparse/hostile.t - hostile reports, mailed to rptrecv (swaks)
# and POSTed to httpd (curl over HTTPS), crash nothing and inject nothing:
# SPDX-License-Identifier: ISC
#
# - counts of 2^63-1 and 2^53+1 (refused: beyond the bound of 2^53), and
#   two reports of 1,000 policies counting 2^53 sessions each, whose sums
#   of the day pass 2^63 in the alerts (stored, one failure-rate alert);
# - a newline, an ESC and a NUL (\n, \u001b, \u0000) in every string field
#   of RFC 8460: organization-name, contact-info, report-id,
#   policy-domain, policy-string, mx-host, result-type, sending-mta-ip,
#   receiving-mx-hostname, receiving-mx-helo, receiving-ip,
#   additional-information, failure-reason-code;
# - an envelope sender with a C1 control (U+009B, SMTPUTF8).
#
# Afterwards: rptparse is the same process, nothing is left in incoming/
# or active/, each message is stored (typed values left out, shown
# escaped in deviations) or in corrupt/ with the reason its field calls
# for, every line of the maillog starts with the log prefix
# (no forged line), the log holds no control character, and what the
# reports said is in the log escaped (\n, \x1b), not as it came.
source "$SRCDIR/tests/lib.sh"
RP_HTTPD=1
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq swaks curl

# HTTPS reports for a.example, whose policy host httpd serves; alerts
# for big.example, hosted too.
# The mailed reports come unsigned: they count with report_require_dkim = no.
rp_start "report_https_rua = yes" "report_require_dkim = no" || { fail "instance starts"; done_testing; }
T=$(t_tmpdir)
pid=$(rp_pid)
[ -n "$pid" ] || fail "rptparse runs"
quiet $STSCTL domain add a.example --mx mx.a.example
quiet $STSCTL domain add big.example --mx mx.big.example
served() {
	curl -sf --max-time 5 --cacert "$RP_DIR/ca/ca.pem" \
	    --resolve "mta-sts.a.example:$RP_HTTPS:127.0.0.1" \
	    "https://mta-sts.a.example:$RP_HTTPS/.well-known/mta-sts.txt" |
	    grep -q '^mx: mx.a.example'
}
ok "httpd serves the policy of a.example" wait_until 20 served

# send_mail FILE: FILE as a report mailed to rptrecv; prints the spool id.
send_mail() {
	rp_mail application/tlsrpt+json - "$1" >"$1.eml"
	swaks --server "127.0.0.1:$RP_SMTP" --from reports@sender.example \
	    --to tlsrpt@demo.test --data - <"$1.eml" 2>&1 |
	    sed -n 's/.*250 2\.0\.0 Ok: queued as \([0-9.]*\).*/\1/p'
}
# send_post FILE: FILE POSTed over HTTPS; prints the spool id.
send_post() {
	rp_post "$1" application/tlsrpt+json |
	    sed -n 's/^200 OK: report accepted as //p'
}

# The cases: NAME, what to do to the RFC 8460 report (jq, with $v the
# hostile text), and what becomes of it: "stored" (a value of a typed
# field left out with a deviation, free text kept as it came) or the
# refusal's reason (a regular expression); with a NUL, always a refusal
# that names the field.
evil_nl=$'x\\nForged: line'		# JSON text of each hostile string
evil_esc='x\u001b[2J\u001b]0;title\u0007'
evil_nul='x\u0000y'
cases=(
"organization-name|.\"organization-name\" = \$v|stored"
"contact-info|.\"contact-info\" = \$v|stored"
"report-id|.\"report-id\" += \$v|stored"
"policy-domain|.policies[0].policy.\"policy-domain\" = \$v|stored"
"policy-string|.policies[0].policy.\"policy-string\"[1] = \$v|stored"
"mx-host|.policies[0].policy.\"mx-host\" = [\$v]|stored"
"result-type|.policies[0].\"failure-details\"[0].\"result-type\" = \$v|stored"
"sending-mta-ip|.policies[0].\"failure-details\"[0].\"sending-mta-ip\" = \$v|stored"
"receiving-mx-hostname|.policies[0].\"failure-details\"[0].\"receiving-mx-hostname\" = \$v|stored"
"receiving-mx-helo|.policies[0].\"failure-details\"[0].\"receiving-mx-helo\" = \$v|stored"
"receiving-ip|.policies[0].\"failure-details\"[0].\"receiving-ip\" = \$v|stored"
"additional-information|.policies[0].\"failure-details\"[0].\"additional-information\" = \$v|stored"
"failure-reason-code|.policies[0].\"failure-details\"[0].\"failure-reason-code\" = \$v|stored"
)

declare -A expect	# spool id -> "stored" or the reason's pattern
declare -A what		# spool id -> the case, for the messages
n=0
# send NAME JSONFILE EXPECTED: mailed and POSTed, "@VIA@" in the file
# made "mail" or "post" (so that each is a report of its own); records
# both spool ids.
send() {
	local name=$1 file=$2 want=$3 id via
	for via in mail post; do
		sed "s/@VIA@/$via/g" "$file" >"$file.$via"
		id=$("send_$via" "$file.$via")
		if [ -z "$id" ]; then
			fail "$name ($via): accepted and spooled"
			continue
		fi
		expect[$id]=$want
		what[$id]="$name ($via)"
		n=$((n + 1))
	done
}

for c in "${cases[@]}"; do
	IFS='|' read -r field filter want <<<"$c"
	for e in nl esc nul; do
		eval "text=\$evil_$e"
		w=$want
		[ "$e" = nul ] && w="^[^ ]*$field(\\[[0-9]+\\])?: contains a NUL character \\(\\\\u0000\\)\$"
		f=$T/$field-$e.json
		# The hostile text as JSON (jq would escape the backslash).
		jq -c ".\"report-id\" = \"hostile-$field-$e-@VIA@\" | $filter" \
		    --argjson v "\"$text\"" "$FIX/rfc8460.json" >"$f" ||
			{ fail "$field $e: report made"; continue; }
		send "$field $e" "$f" "$w"
	done
done

# Counts: 2^63-1 and 2^53+1 refused, 2^53 stored.
# (jq keeps numbers as doubles: the counts are written by sed.)
jq -c '."report-id" = "hostile-count-max-@VIA@" |
    .policies[0].summary."total-failure-session-count" = "COUNT"' \
    "$FIX/rfc8460.json" | sed 's/"COUNT"/9223372036854775807/' >"$T/max.json"
send "count 2^63-1" "$T/max.json" \
    '^policies\[0\]\.summary\.total-failure-session-count: count 9223372036854775807 exceeds the limit of 9007199254740992 \(2\^53\)$'
jq -c '."report-id" = "hostile-count-2p53plus1-@VIA@" |
    .policies[0]."failure-details"[1]."failed-session-count" = "COUNT"' \
    "$FIX/rfc8460.json" | sed 's/"COUNT"/9007199254740993/' >"$T/over.json"
send "count 2^53+1" "$T/over.json" \
    '^policies\[0\]\.failure-details\[1\]\.failed-session-count: count 9007199254740993 exceeds the limit of 9007199254740992 \(2\^53\)$'
jq -c '."report-id" = "hostile-sums-@VIA@" | .policies = [range(1000) as $i |
    {policy: {"policy-type": "sts", "policy-domain": "big.example",
    "mx-host": ["mx.big.example"]}, summary: {
    "total-successful-session-count": 9007199254740992,
    "total-failure-session-count": 9007199254740992}}]' \
    "$FIX/rfc8460.json" >"$T/sums.json"
send "1,000 policies of 2^53 sessions" "$T/sums.json" stored

# An envelope sender with U+009B (a C1 control, CSI) under SMTPUTF8.
printf 'EHLO client.example\r\nMAIL FROM:<ev\xc2\x9b31mil@sender.example> SMTPUTF8\r\nRCPT TO:<tlsrpt@demo.test>\r\nDATA\r\n' >"$T/c1.smtp"
rp_mail application/tlsrpt+json - "$FIX/rfc8460.json" >>"$T/c1.smtp"
printf '.\r\nQUIT\r\n' >>"$T/c1.smtp"
out=$(perl "$SRCDIR/tests/rptrecv/smtpclient.pl" "$RP_SMTP" raw 5 <"$T/c1.smtp")
like "$out" '250 2\.0\.0 Ok: queued as' "a sender with a C1 control under SMTPUTF8 is taken"

note "$n messages sent"
ok "the spool empties (incoming/ and active/)" rp_idle 120
is "$(rp_pid)" "$pid" "rptparse is the same process (no crash, no restart)"

# Each message: stored, or in corrupt/ with its reason.
stored_ids=$(rp_json list | jq -c '[.reports[]."report-id"] | sort')
for id in $(printf "%s\n" "${!expect[@]}" | sort); do
	want=${expect[$id]}
	if [ "$want" = stored ]; then
		if [ -e "$RP_SPOOL/corrupt/$id" ]; then
			fail "${what[$id]}: stored (in corrupt/: $(rp_reason "$id"))"
		else
			pass "${what[$id]}: stored"
		fi
	else
		like "$(rp_reason "$id")" "$want" "${what[$id]}: in corrupt/ with the reason"
	fi
done
ok "the report of 1,000 policies of 2^53 sessions is stored" \
    jq -e 'index("hostile-sums-mail") != null' <<<"$stored_ids"
is "$(jq -c 'map(select(startswith("hostile-report-id-nl")))' <<<"$stored_ids")" \
    '["hostile-report-id-nl-mailx\nForged: line","hostile-report-id-nl-postx\nForged: line"]' \
    "a report-id with a newline is stored as it came"
# deviations ID: the deviations of the stored report ID, one a line
deviations() {
	rp_json show "$(rp_json list | jq --arg id "$1" '[.reports[] |
	    select(."report-id" == $id)][0].id')" | jq -r '.deviations[]'
}
like "$(deviations hostile-mx-host-nl-mail)" \
    '^policies\[0\]\.policy\.mx-host "x\\nForged: line" is not a host name or pattern, left out$' \
    "an mx-host with a newline is left out, shown escaped"
like "$(deviations hostile-policy-domain-esc-post)" \
    '^policies\[0\]\.policy\.policy-domain "x\\x1b\[2J\\x1b\]0;title\\x07" is not a domain name, left out$' \
    "a policy-domain with ESC is left out, shown escaped"
like "$(deviations hostile-result-type-nl-mail)" \
    '^policies\[0\]\.failure-details: result-type "x\\nForged: line" is not in RFC 8460 section 4\.3$' \
    "a result-type with a newline is kept, shown escaped in its deviation"

# The maillog: one line per message, none forged, no control character.
log=$(cat "$RP_LOG")
prefix='^[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [^ ]+ stsd/[a-z]+\[[0-9]+\]: '
bad=$(grep -Ev "$prefix" "$RP_LOG" | head -3)
is "$bad" "" "every maillog line starts with the log prefix (no forged line)"
nok "the maillog holds no control character" grep -qaP '[\x00-\x09\x0b-\x1f\x7f]' "$RP_LOG"
like "$log" 'rptparse\[[0-9]+\]: [0-9.]+: report [0-9]+: x\\nForged: line, id hostile-organization-name-nl-(mail|post)' \
    "an organization-name with a newline is logged escaped"
like "$log" 'rptparse\[[0-9]+\]: [0-9.]+: report [0-9]+: x\\x1b\[2J\\x1b\]0;title\\x07, id hostile-organization-name-esc' \
    "an organization-name with ESC is logged escaped"
like "$log" "id hostile-report-id-nl-(mail|post)x\\\\nForged: line" \
    "a report-id with a newline is logged escaped"
like "$log" 'rptparse\[[0-9]+\]: warning: [0-9.]+: policies\[0\]\.failure-details\[0\]\.receiving-ip: contains a NUL character \(\\u0000\); moved to corrupt/' \
    "a refusal is logged with its reason"
like "$log" 'rptrecv\[[0-9]+\]: [0-9.]+: from=<ev\\xc2\\x9b31mil@sender\.example>' \
    "rptrecv logs a sender's C1 control escaped"
like "$log" 'alert: big\.example: failure-rate: .*50\.00% of TLS sessions failed' \
    "sums beyond 2^63 saturate: the failure rate of big.example alerts"
is "$(rp_pid)" "$pid" "rptparse is still the same process"
done_testing
