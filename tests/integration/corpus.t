#!/bin/bash
# tests/integration/corpus.t - the 17 real reports of tests/corpus/real,
# fed to a running suite by SMTP (swaks to rptrecv: the .eml files as
# they are, the .json and .json.gz ones in a mail as senders wrap them)
# and by HTTPS (curl POSTs to httpd's report_https_path on
# mta-sts.DOMAIN): each stored report holds its policies, per-policy
# totals and failure details as the JSON says; each hosted domain's
# totals follow the counting rule (a session once per report and
# domain: Microsoft's sts + tlsa count once), and report summary, list,
# export, the readiness verdict, the page and the metrics agree; the
# report mailed twice (kravietz_mail.ru .eml and .json) is stored once.
# The expected numbers come from the JSON (corpus.py), not from stsd.
# SPDX-License-Identifier: ISC
#
# The real signatures cannot verify without Google's and Microsoft's DNS,
# so the mailed reports count with report_require_dkim = no here; at the
# end, with yes, a forged unsigned report changes no total and no
# verdict and "report list --unverified" shows it with its reason.
# rptparse runs in a network namespace whose resolver is a knot there,
# serving the signers' zones without their keys: every key lookup gets
# its answer (none) at once, and no query leaves the machine.
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
source "$SRCDIR/tests/netns.sh"

inst_need metrics
t_need curl swaks jq python3
t_stsd_user

REAL=$SRCDIR/tests/corpus/real
PY="python3 $SRCDIR/tests/integration/corpus.py"
FILES=()
for f in "$REAL"/*.eml "$REAL"/*.json "$REAL"/*.json.gz; do FILES+=("$f"); done
is "${#FILES[@]}" 17 "the corpus holds 17 reports"
# The hosted domains: every policy-domain of the corpus, but
# redacted.example.com (under example.com) and mpi-klsb.mpg.de (named by
# the report without a policy-domain, to POST it somewhere).
HOSTED=(cardinalhealth.ca example.com fastmaildmarc.com hin.ch josh.scot
	krvtz.net maxchernoff.ca test.xmox.nl mpi-klsb.mpg.de)
DAYS=3660	# the oldest report is of 2020

t=$(t_tmpdir)
[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns (rptparse's resolver)"
# The d= of every signature in the corpus: zones without keys.
zones=()
for z in sts.test google.com microsoft.com corp.mail.ru messagingengine.com; do
	printf '$TTL 60\n@ SOA ns.%s. h.%s. 1 60 60 600 60\n NS ns.%s.\nns A 127.0.0.1\n' \
	    "$z" "$z" "$z" >"$t/$z.zone"
	zones+=("$z" "$t/$z.zone")
done
ns_create && ns_dns_start "${zones[@]}" || { fail "knot starts"; done_testing; }
# rptparse (alone) in the namespace: it reaches the others by the spool
# and Unix sockets, which the namespace shares.
ns_wrap_daemons "$t/libexec" rptparse
unset NS	# the instance's commands run outside the namespace
MP=$(free_port)
inst_init "$t/i" --metrics-port="$MP" --daemon-directory="$t/libexec" ||
	{ fail "stsd init"; done_testing; }
inst_only policyd httpd rptrecv rptparse metrics
inst_set report_require_dkim=no report_https_rua=yes readiness_days=$DAYS
for h in "${HOSTED[@]}"; do
	inst_cert "mta-sts.$h" >/dev/null 2>&1
done
inst_start || { fail "instance starts"; done_testing; }
ok "policyd answers" wait_until 10 quiet $STSCTL domain list
for h in "${HOSTED[@]}"; do
	quiet $STSCTL domain add "$h" --mx "mx1.$h" || fail "domain add $h"
done

M=http://127.0.0.1:$MP
metric() {	# SERIES: its value in a fresh scrape (0 when absent)
	curl -s --max-time 5 "$M/metrics" |
	    awk -v s="$1" '$1 == s { v = $2 } END { print v + 0 }'
}
nreports() { $STSCTL report list --json | jq '.reports | length'; }
# report_id FILE: the id stsd gave FILE's report
report_id() {
	local key org rid
	key=$($PY key "$1")
	org=${key%%$'\t'*} rid=$(cut -f2 <<<"$key")
	$STSCTL report list --json | jq -r --arg o "$org" --arg r "$rid" \
	    '[.reports[] | select(."organization-name" == $o and ."report-id" == $r)] |
	     if length == 1 then .[0].id else "none of \(length)" end'
}

send_smtp() {	# FILE: mailed as it is, or in a mail as senders wrap it
	local f=$1 msg=$t/mail.eml
	case $f in
	*.eml) msg=$f ;;
	*.json.gz) rp_mail application/tlsrpt+gzip "$(basename "$f")" "$f" >"$msg" ;;
	*.json) rp_mail application/tlsrpt+json "$(basename "$f")" "$f" >"$msg" ;;
	esac
	swaks --server "127.0.0.1:$SMTP_PORT" --from reports@sender.example \
	    --to tlsrpt@demo.test --data "@$msg" >"$t/swaks.log" 2>&1 ||
		{ sed 's/^/# /' "$t/swaks.log" | tail -5; return 1; }
}

send_https() {	# FILE: its report POSTed to mta-sts.DOMAIN (gzip as sent)
	local f=$1 h type=application/tlsrpt+json body=$t/post.json code
	h=$($PY host "$f" "${HOSTED[@]}")
	case $f in
	*.json.gz) body=$f type=application/tlsrpt+gzip ;;
	*) $PY json "$f" >"$body" ;;
	esac
	code=$(curl -s --max-time 10 --cacert "$I/ca/ca.pem" \
	    --resolve "mta-sts.$h:$HTTPS_PORT:127.0.0.1" \
	    -H "Content-Type: $type" --data-binary "@$body" -o "$t/post.out" \
	    -w '%{http_code}' "https://mta-sts.$h:$HTTPS_PORT/tlsrpt")
	[ "$code" = 200 ] || { echo "# POST to mta-sts.$h: $code $(cat "$t/post.out")"; return 1; }
}

# check VIA: every stored report against its JSON, every domain's totals
# against the rule, and every reader against report summary.
check() {
	local via=$1 f id r exp h sum got
	is "$(nreports)" 16 "$via: 16 reports stored (the Mail.ru report sent twice is one)"
	for f in "${FILES[@]}"; do
		id=$(report_id "$f")
		r=$($STSCTL report show "$id" --json 2>&1)
		# httpd-saw is report show's own, beside fetch failures only.
		is "$(jq -cS '[.policies[] | {type: .policy."policy-type",
		    domain: .policy."policy-domain", summary,
		    "failure-details": (."failure-details" |
			if . == null then null else map(del(."httpd-saw")) end)}]' <<<"$r")" \
		    "$($PY policies "$f")" \
		    "$via: $(basename "$f"): policies, totals and failure details"
		is "$(jq -c '[.policies[]."failure-details"[]? | select(has("httpd-saw")
		    != (."result-type" == "sts-policy-fetch-error" or
			."result-type" == "sts-webpki-invalid")) | ."result-type"]' <<<"$r")" "[]" \
		    "$via: $(basename "$f"): what httpd saw is said beside each fetch failure, and only there"
		is "$(jq -r .via <<<"$r")" "$via" "$via: $(basename "$f"): stored as sent by $via"
	done
	exp=$($PY domains "${HOSTED[@]}" -- "${FILES[@]}")
	for h in "${HOSTED[@]}"; do
		sum=$($STSCTL report summary "$h" --days $DAYS --json)
		got=$(jq -cS '{reports, successful, failed, sessions,
		    "by-result-type": [."by-result-type"[] |
			[(."result-type" // "-"), .sessions]] | sort,
		    "by-mx-host": [."by-mx-host"[] |
			[(."receiving-mx-hostname" // "-"), .sessions]] | sort,
		    "by-organization": [."by-organization"[] |
			[."organization-name", .successful, .failed]] | sort}' <<<"$sum")
		is "$got" "$(jq -cS --arg h "$h" '.[$h]' <<<"$exp")" \
		    "$via: $h: report summary as the JSON adds up"
		is "$(jq '[."by-result-type"[].sessions] | add // 0' <<<"$sum")" \
		    "$(jq .failed <<<"$sum")" "$via: $h: the result types add up to the failed sessions"
		is "$($STSCTL domain show "$h" --json | jq -c '.readiness | [.reports, .sessions, .failed]')" \
		    "$(jq -c '[.reports, .sessions, .failed]' <<<"$sum")" \
		    "$via: $h: the readiness verdict counts the same"
		is "$($STSCTL report list --domain "$h" --json | jq -c '[(.reports | length),
		    ([.reports[]."total-successful-session-count"] | add // 0),
		    ([.reports[]."total-failure-session-count"] | add // 0)]')" \
		    "$(jq -c '[.reports, .successful, .failed]' <<<"$sum")" \
		    "$via: $h: report list counts the same"
		is "$($STSCTL report export --json --domain "$h" | jq -c '[length,
		    ([.[].sessions.successful] | add // 0),
		    ([.[].sessions.failed] | add // 0)]')" \
		    "$(jq -c '[.reports, .successful, .failed]' <<<"$sum")" \
		    "$via: $h: report export counts the same"
		$STSCTL report html "$h" --days $DAYS >"$t/page.html"
		is "$(for c in total-reports total-successful total-failed; do
			sed -n "s/.*class=\"$c\" data-value=\"\([0-9]*\)\".*/\1/p" "$t/page.html"
		    done | paste -sd ' ')" \
		    "$(jq -r '"\(.reports) \(.successful) \(.failed)"' <<<"$sum")" \
		    "$via: $h: the page counts the same"
		is "$(metric "stsd_report_sessions_total{domain=\"$h\",result=\"successful\"}") $(metric "stsd_report_sessions_total{domain=\"$h\",result=\"failed\"}")" \
		    "$(jq -r '"\(.successful) \(.failed)"' <<<"$sum")" \
		    "$via: $h: the metrics count the same"
	done
	# Microsoft judged krvtz.net's 2 sessions of 2024-09-13 under sts
	# and tlsa: 1 + 2 (Google) + 1 (Mail.ru) + 2, not 8.
	is "$($STSCTL report summary krvtz.net --days $DAYS --json | jq .sessions)" 6 \
	    "$via: krvtz.net: Microsoft's sts and tlsa policies count their sessions once"
	id=$(report_id "$REAL/kravietz_microsoft1.eml")
	is "$($STSCTL report show "$id" --json | jq -c '[.policies[] | [.policy."policy-type", .counted]]')" \
	    '[["sts",true],["tlsa",false]]' "$via: the sts policy counts, the tlsa one is shown"
	like "$($STSCTL report show "$id")" "policy 2: tlsa krvtz.net .*not counted" \
	    "$via: report show says which policy is not counted"
}

# --- by SMTP ------------------------------------------------------------
for f in "${FILES[@]}"; do
	send_smtp "$f" || fail "SMTP: $(basename "$f") accepted"
done
ok "SMTP: every report stored" wait_output 120 16 nreports
ok "SMTP: nothing in corrupt/" test -z "$(ls -A "$I/spool/corrupt" 2>/dev/null)"
check mailto

# Mail.ru's two failure details differ only in failure-reason-code:
# report show prints it, and additional-information, in text.
id=$(report_id "$REAL/parsedmarc_mail.ru.json")
out=$($STSCTL report show "$id")
like "$out" "failure-reason-code: bad https response code: 404" "report show prints failure-reason-code (404)"
like "$out" "failure-reason-code: bad https response code: 500" "and the other one (500)"
id=$(report_id "$REAL/kravietz_mail.ru.eml")
like "$($STSCTL report show "$id")" 'failure-reason-code: unable to do http request: Get "https://mta-sts.krvtz.net/' \
    "report show prints the whole failure-reason-code"

# A hosted domain added after its reports were stored gets them; after
# it is removed they go back to the parent domain.
rehosted() {	# DOMAIN: the hosted domain of egressif's report
	$STSCTL report show "$(report_id "$REAL/issue_parsedmarc575_egressif_null_contact.json")" --json |
	    jq -r '.policies[0]."hosted-domain"'
}
is "$(rehosted)" example.com "redacted.example.com's report belongs to example.com"
quiet $STSCTL domain add redacted.example.com --mx mx1.redacted.example.com
send_smtp "$REAL/kravietz_google1.eml"	# a run of rptparse, nothing new
ok "after domain add, the stored report belongs to redacted.example.com" \
    wait_output 70 redacted.example.com rehosted
is "$($STSCTL report summary redacted.example.com --days $DAYS --json | jq -c '[.reports, .sessions]')" \
    "[1,1]" "and counts there"
is "$($STSCTL report summary example.com --days $DAYS --json | jq -c '[.reports, .sessions]')" \
    "$($PY domains "${HOSTED[@]}" -- "${FILES[@]}" | jq -c '.["example.com"] | [.reports - 1, .sessions - 1]')" \
    "and no longer in example.com"
quiet $STSCTL domain del redacted.example.com --now
send_smtp "$REAL/kravietz_google1.eml"
ok "after domain del, it belongs to example.com again" \
    wait_output 70 example.com rehosted

# --- by HTTPS, into an empty reports.db -----------------------------------
inst_stop
rm -f "$I/data/reports.db" "$I/data/reports.db-wal" "$I/data/reports.db-shm"
inst_start || { fail "instance starts again"; done_testing; }
ok "policyd answers again" wait_until 10 quiet $STSCTL domain list
for f in "${FILES[@]}"; do
	ok "HTTPS: $(basename "$f") POSTed" wait_until 10 send_https "$f"
done
ok "HTTPS: every report stored" wait_output 120 16 nreports
check https
send_smtp "$REAL/kravietz_mail.ru.eml"
send_smtp "$REAL/kravietz_microsoft1.eml"
sleep 2
is "$(nreports)" 16 "the same reports mailed after their POST are not stored again"

# --- report_require_dkim = yes: a forged unsigned report -------------------
inst_set report_require_dkim=yes
quiet $STSD reload
before=$($STSCTL report summary krvtz.net --days $DAYS --json | jq -c '[.reports, .sessions, .failed]')
verdict=$($STSCTL domain show krvtz.net --json | jq -c '.readiness | [.verdict, .sessions, .failed]')
is "$before" "$($PY domains "${HOSTED[@]}" -- "${FILES[@]}" | jq -c '.["krvtz.net"] | [.reports, .sessions, .failed]')" \
    "https reports count with report_require_dkim = yes"
jq '."report-id" = "forged-1" | ."organization-name" = "Google Inc." |
    .policies[0].summary."total-failure-session-count" = 5000 |
    .policies[0]."failure-details" = [{"result-type": "starttls-not-supported",
	"receiving-mx-hostname": "mx1.krvtz.net\u001b[2J", "failed-session-count": 5000}]' \
    <($PY json "$REAL/kravietz_google2.eml") >"$t/forged.json"
send_smtp "$t/forged.json" || fail "the forged report is accepted"
# Up to rptparse's wakeup (60 s): its notice may come while the reload
# restarts rptparse.
forged_stored() {
	$STSCTL report list --unverified --json |
	    jq '[.reports[] | select(."report-id" == "forged-1")] | length'
}
ok "it is stored, as unverified" wait_output 90 1 forged_stored
is "$($STSCTL report summary krvtz.net --days $DAYS --json | jq -c '[.reports, .sessions, .failed]')" "$before" \
    "the forged report changes no total"
is "$($STSCTL report summary krvtz.net --days $DAYS --json | jq .unverified)" 1 \
    "report summary says one unverified report is left out"
is "$($STSCTL domain show krvtz.net --json | jq -c '.readiness | [.verdict, .sessions, .failed]')" "$verdict" \
    "and no verdict"
is "$(metric 'stsd_report_sessions_total{domain="krvtz.net",result="failed"}')" \
    "$(jq '.[2]' <<<"$before")" "and no metric"
is "$($STSCTL report list --domain krvtz.net --json | jq '[.reports[]."report-id"] | index("forged-1")')" null \
    "report list leaves it out"
is "$($STSCTL report export --json --domain krvtz.net | jq '[.[]."report-id"] | index("forged-1")')" null \
    "and report export"
out=$($STSCTL report list --unverified)
like "$out" "forged-1 +none: no signature" "report list --unverified shows it with its reason"
id=$($STSCTL report list --unverified --json | jq '.reports[] | select(."report-id" == "forged-1") | .id')
out=$($STSCTL report show "$id")
like "$out" "dkim: +none: no signature" "report show gives the DKIM outcome"
like "$out" "counts: +no: unverified" "and that it does not count"
like "$out" 'receiving-mx-hostname "mx1\.krvtz\.net\\x1b\[2J" is not a host name, left out' \
    "the escape character is shown escaped, once, in the deviation of the name left out"
ok "no control character reaches the terminal" test -z "$(printf '%s' "$out" | tr -d '\n\t' | LC_ALL=C grep -P '[\x00-\x1f\x7f]')"
$STSCTL report html krvtz.net --days $DAYS >"$t/page.html"
like "$(cat "$t/page.html")" 'class="unverified-report" data-report="'"$id"'"' \
    "the page lists it in its own section"

# With no, it counts.
inst_set report_require_dkim=no
is "$($STSCTL report summary krvtz.net --days $DAYS --json | jq -c '[.reports, .sessions, .failed]')" \
    "$(jq -c '[.[0] + 1, .[1] + 2 + 5000, .[2] + 5000]' <<<"$before")" \
    "with report_require_dkim = no it counts"
done_testing
