#!/bin/bash
# tests/report/counting.t - the counting rule of stsctl(1) and
# stsd-rptparse(8) on synthetic reports: per report and policy-domain (case
# and a final dot aside) one policy counts, the "sts" one, else the one
# with the most sessions, ties to the first; a policy's failed sessions
# are the larger of its summary and its failure details, and the failed
# sessions in no detail are a group of their own, so that the groups
# add up to the failed total.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq

# The reports below come unsigned: they count with report_require_dkim = no.
rp_begin "report_require_dkim = no"
quiet $STSCTL domain add example.test --mx mx1.example.test
day=$(date -u -d '-1 days' +%Y-%m-%d)

# policy TYPE DOMAIN OK FAILED [DETAILS]: one policy of a report.
policy() {
	local d=null
	[ "$2" != - ] && d="\"$2\""
	printf '{"policy": {"policy-type": "%s", "policy-domain": %s,
	  "policy-string": [], "mx-host": ["mx1.example.test"]},
	  "summary": {"total-successful-session-count": %s,
	  "total-failure-session-count": %s}, "failure-details": [%s]}' \
	    "$1" "$d" "$3" "$4" "${5:-}"
}
detail() {	# TYPE N [MX]
	printf '{"result-type": "%s", "failed-session-count": %s%s}' "$1" "$2" \
	    "${3:+, \"receiving-mx-hostname\": \"$3\"}"
}
report() {	# ID POLICY...: a report of yesterday
	local id=$1; shift
	local IFS=,
	printf '{"organization-name": "Sender", "report-id": "%s",
	  "date-range": {"start-datetime": "%sT00:00:00Z",
	  "end-datetime": "%sT23:59:59Z"}, "contact-info": "r@sender.example",
	  "policies": [%s]}' "$id" "$day" "$day" "$*"
}

# Two tlsa policies for one domain (in two spellings): the larger counts.
# A policy without a domain, an sts policy beside a larger tlsa one.
report r1 \
    "$(policy tlsa EXAMPLE.TEST. 3 0)" \
    "$(policy tlsa example.test 5 1 "$(detail validation-failure 1)")" \
    "$(policy no-policy-found - 7 0)" \
    "$(policy sts mail.example.test 2 0)" \
    "$(policy tlsa Mail.Example.Test 9 0)" >"$T/r1.json"
# Ties go to the first; details that add up to more than the summary
# (Mail.ru: 1 with details 1 + 1) and to less (5 with details 2).
report r2 \
    "$(policy tlsa a.example.test 4 0)" \
    "$(policy tlsa a.example.test 4 0)" \
    "$(policy sts b.example.test 0 1 "$(detail sts-policy-fetch-error 1 mx1.example.test),$(detail sts-policy-fetch-error 1 mx2.example.test)")" \
    "$(policy sts c.example.test 0 5 "$(detail starttls-not-supported 2 mx1.example.test)")" >"$T/r2.json"
for r in r1 r2; do
	ok "$r is valid JSON" jq -e . "$T/$r.json" >/dev/null
	rp_mail application/tlsrpt+json - "$T/$r.json" >"$T/$r.eml"
	rp_put "$T/$r.eml" >/dev/null
done
ok "both reports are stored" wait_output 60 2 rp_nstored
id() { rp_json list | jq --arg r "$1" '.reports[] | select(."report-id" == $r) | .id'; }

is "$(rp_json show "$(id r1)" | jq -c '[.policies[] | [.policy."policy-domain", .counted]]')" \
    '[["example.test",false],["example.test",true],[null,true],["mail.example.test",true],["mail.example.test",false]]' \
    "r1: the larger tlsa policy of a domain counts, and the sts one beside a larger tlsa"
is "$(rp_json show "$(id r2)" | jq -c '[.policies[].counted]')" '[true,false,true,true]' \
    "r2: of two equal policies the first counts"
is "$(rp_json show "$(id r1)" | jq -c '.sessions')" '{"failed":1,"successful":14}' \
    "r1 adds 5 + 1 + 2 + 7 (no domain) sessions"

sum=$(rp_json summary example.test --days 7)
is "$(jq -c '[.reports, .successful, .failed, .sessions]' <<<"$sum")" "[2,11,8,19]" \
    "example.test: 5+2+4 successful; 1 + 2 (details over the summary) + 5 failed"
is "$(jq -c '."by-result-type"' <<<"$sum")" \
    '[{"result-type":null,"sessions":3},{"result-type":"starttls-not-supported","sessions":2},{"result-type":"sts-policy-fetch-error","sessions":2},{"result-type":"validation-failure","sessions":1}]' \
    "by result type (most first, then by name), the 3 sessions in no detail as null"
is "$(jq '[."by-result-type"[].sessions] | add' <<<"$sum")" "$(jq .failed <<<"$sum")" \
    "the result types add up to the failed sessions"
is "$(jq '[."by-mx-host"[].sessions] | add' <<<"$sum")" "$(jq .failed <<<"$sum")" \
    "and the MX hosts"
is "$(jq -c '[."by-organization"[] | [.successful, .failed]]' <<<"$sum")" '[[11,8]]' \
    "and the organizations"
is "$(rp_json list --domain example.test | jq -c '[([.reports[]."total-successful-session-count"] | add),
    ([.reports[]."total-failure-session-count"] | add)]')" \
    "[11,8]" "report list --domain counts example.test's policies only"
like "$($STSCTL report summary example.test --days 7)" "\\(not in the failure details\\) +3" \
    "the text summary names the sessions in no detail"
done_testing
