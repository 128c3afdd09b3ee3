#!/bin/bash
# tests/rptparse/bad.t - hostile and broken input: each message ends in
# corrupt/ with a reason that names the cause (or is stored with its
# deviation recorded), rptparse neither crashes nor hangs, and the spool
# is left empty.
# SPDX-License-Identifier: ISC
#
# The reason is read as an operator reads it, with "stsctl queue show".
#
# Two gzip bombs: one inflates 1 GiB from about 1 MiB (64 gzip members of
# 16 MiB of zeros each, so that it is made in a fraction of a second);
# the other is about 10 KiB that inflates to 10 MiB of gzip that would
# inflate to 10 GiB (the gzip of 640 such members).  rptparse refuses
# each after about 1 MiB of output.
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq

# The fixtures come unsigned: they count with report_require_dkim = no.
rp_start "report_require_dkim = no" || { fail "instance starts"; done_testing; }
T=$(t_tmpdir)
pid=$(rp_pid)

# shown_reason ID: the reason "stsctl queue show" prints for corrupt/ID
shown_reason() {
	$STSCTL queue show "$1" 2>&1 | head -1 | sed -n 's/^\*\*\* corrupt: //p'
}

# refused NAME FILE REGEX: FILE, spooled, ends in corrupt/ with a reason
# matching REGEX, within a few seconds.
refused() {
	local name=$1 file=$2 re=$3 id start=$SECONDS
	id=$(rp_put "$file" | tail -1)
	# spool_corrupt() writes the reason first, then moves the message.
	if ! wait_until 30 test -e "$RP_SPOOL/corrupt/$id"; then
		fail "$name: in corrupt/ (still in $(ls "$RP_SPOOL"/*/"$id" 2>/dev/null))"
		return
	fi
	like "$(shown_reason "$id")" "$re" "$name: $(rp_reason "$id" | head -c 120)"
	[ $((SECONDS - start)) -le 10 ] || fail "$name: took $((SECONDS - start)) s"
}

# Gzip bomb.
head -c 16M /dev/zero | gzip -9 >"$T/member.gz"
for i in $(seq 64); do cat "$T/member.gz"; done >"$T/bomb.gz"
note "bomb: $(wc -c <"$T/bomb.gz") bytes of gzip for 1 GiB"
{ printf 'From: bomb@sender.example\r\nMIME-Version: 1.0\r\n'
  printf 'Content-Type: application/tlsrpt+gzip\r\n'
  printf 'Content-Transfer-Encoding: base64\r\n\r\n'
  base64 -w 76 "$T/bomb.gz"; } >"$T/bomb.eml"
refused "gzip bomb" "$T/bomb.eml" '^gzip ratio exceeds 200:1 \(a gzip bomb\?\)$'
for i in $(seq 640); do cat "$T/member.gz"; done | gzip -9n >"$T/bomb10g.gz"
note "bomb: $(wc -c <"$T/bomb10g.gz") bytes of gzip for 10 MiB of gzip for 10 GiB"
rp_mail application/tlsrpt+gzip - "$T/bomb10g.gz" >"$T/bomb10g.eml"
refused "gzip bomb 10 KiB -> 10 GiB" "$T/bomb10g.eml" \
    '^gzip ratio exceeds 200:1 \(a gzip bomb\?\)$'

# Truncated gzip.
gzip -9nc "$FIX/rfc8460.json" >"$T/full.gz"
head -c $(($(wc -c <"$T/full.gz") / 2)) "$T/full.gz" >"$T/half.gz"
rp_mail application/tlsrpt+gzip - "$T/half.gz" >"$T/trunc.eml"
refused "truncated gzip" "$T/trunc.eml" '^gzip data is truncated$'

# Gzip of something that is not JSON.
echo "this is not JSON" >"$T/text"
rp_mail application/tlsrpt+gzip r.json.gz "$T/text" gzip >"$T/notjson.eml"
refused "gzip of non-JSON" "$T/notjson.eml" '^not valid JSON: .*\(line 1, column [0-9]+\)$'

# JSON nested 10,000 deep.
{ printf '{"a":'; for i in $(seq 10000); do printf '['; done; } >"$T/deep.json"
rp_mail application/tlsrpt+json - "$T/deep.json" >"$T/deep.eml"
refused "JSON nested 10000 deep" "$T/deep.eml" '^JSON nested deeper than 64 levels$'

# Wrong types, negative and huge counts, invalid UTF-8.
rp_mail application/tlsrpt+json - "$FIX/bad-types.json" >"$T/types.eml"
refused "wrong type" "$T/types.eml" '^organization-name: expected a string, got an integer$'
rp_mail application/tlsrpt+gzip - "$FIX/bad-negative.json" gzip >"$T/neg.eml"
refused "negative count" "$T/neg.eml" \
    '^policies\[0\]\.summary\.total-failure-session-count: negative count -7$'
rp_mail application/tlsrpt+gzip - "$FIX/bad-huge.json" gzip >"$T/huge.eml"
refused "count beyond 64 bits" "$T/huge.eml" '^not valid JSON: too big integer'
rp_mail application/tlsrpt+json - "$FIX/bad-utf8.json" >"$T/utf8.eml"
refused "invalid UTF-8" "$T/utf8.eml" '^not valid JSON: unable to decode byte 0xc3'

# 10,000 policies.
jq -c '.policies = [range(10000) as $i | .policies[0] | ."failure-details" = []]' \
    "$FIX/rfc8460.json" >"$T/many.json"
rp_mail application/tlsrpt+json - "$T/many.json" >"$T/many.eml"
refused "10000 policies" "$T/many.eml" '^policies: 10000 policies exceed the limit of 1000$'

# No report part; MIME nested 1,000 deep.
refused "no report part" "$FIX/no-report.eml" '^no TLS report in the message \(parts: text/plain\)$'
{ printf 'From: deep@sender.example\r\nMIME-Version: 1.0\r\n'
  for i in $(seq 1000); do
	printf 'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' $i $i
  done
  printf 'Content-Type: application/tlsrpt+json\r\n\r\n{}\r\n'
  for i in $(seq 1000 -1 1); do printf -- '--b%d--\r\n' $i; done; } >"$T/mime.eml"
refused "multipart nested 1000 deep" "$T/mime.eml" '^MIME parts nested deeper than 8 levels$'

# HTTPS form without a body separator.
printf 'X-Stsd-Via: https\r\nContent-Type: application/tlsrpt+json\r\n' >"$T/https-bad"
refused "https form without a body" "$T/https-bad" '^https report: no blank line after its header$'

# Stored, with the deviation recorded: an unknown result-type.
jq -c '."report-id" = "odd-result" | .policies[0]."failure-details"[0]."result-type" = "tls-timeout"' \
    "$FIX/rfc8460.json" >"$T/odd.json"
rp_mail application/tlsrpt+json - "$T/odd.json" >"$T/odd.eml"
rp_put "$T/odd.eml" >/dev/null
ok "spool empty after the bad input" rp_idle
id=$(rp_json list | jq '.reports[] | select(."report-id" == "odd-result") | .id')
like "$(rp_json show "${id:-0}" | jq -r '.deviations[]')" \
    'failure-details: result-type "tls-timeout" is not in RFC 8460 section 4.3' \
    "unknown result-type stored with a deviation"
is "$(rp_json list | jq '.reports | length')" 1 "nothing else was stored"
is "$(rp_pid)" "$pid" "rptparse still the same process (no crash)"
like "$(grep 'rptparse' "$RP_LOG")" 'moved to corrupt/' "refusals logged"
done_testing
