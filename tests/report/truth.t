#!/bin/bash
# tests/report/truth.t - the report commands say only what the reports
# show: an unknown domain is an error, no sessions is no success rate
# ("-" in text, null in JSON), mode enforce is refused with the
# readiness evidence while the verdict is "not yet" (unless --force;
# import is exempt), and a permission error names the file, its group
# and who may read it.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq

# The reports below come unsigned: they count with report_require_dkim = no.
rp_start "report_require_dkim = no" || { fail "instance starts"; done_testing; }
T=$(t_tmpdir)
for d in good.test bad.test empty.test; do
	quiet $STSCTL domain add $d --mx mx1.$d
done
day=$(date -u -d '-1 days' +%Y-%m-%d)
# report ORG ID DOMAIN OK FAILED: one sts policy, its failures
# starttls-not-supported.
report() {
	local det=
	[ "$5" -gt 0 ] && det="{\"result-type\": \"starttls-not-supported\",
	  \"receiving-mx-hostname\": \"mx1.$3\", \"failed-session-count\": $5}"
	printf '{"organization-name": "%s", "report-id": "%s",
	  "date-range": {"start-datetime": "%sT00:00:00Z",
	  "end-datetime": "%sT23:59:59Z"}, "contact-info": "r@sender.example",
	  "policies": [{"policy": {"policy-type": "sts", "policy-domain": "%s",
	  "policy-string": [], "mx-host": ["mx1.%s"]},
	  "summary": {"total-successful-session-count": %s,
	  "total-failure-session-count": %s}, "failure-details": [%s]}]}' \
	    "$1" "$2" "$day" "$day" "$3" "$3" "$4" "$5" "$det"
}
report "Big Sender" g1 good.test 900 0 >"$T/g1.json"
report "Big Sender" b1 bad.test 600 40 >"$T/b1.json"
report "Small Sender" b2 bad.test 10 0 >"$T/b2.json"
for r in g1 b1 b2; do
	rp_mail application/tlsrpt+json - "$T/$r.json" >"$T/$r.eml"
	rp_put "$T/$r.eml" >/dev/null
done
ok "three reports stored" wait_output 60 3 rp_nstored

# An unknown domain is an error, not a domain without failures.
out=$($STSCTL report summary nosuch.example 2>&1); rc=$?
is "$rc" 1 "report summary of an unknown domain: exit 1"
is "$out" "stsctl: report summary nosuch.example: no report stored for this domain, and policyd says: nosuch.example: no such domain" \
    "and says why"
out=$($STSCTL report summary nosuch.example --json 2>/dev/null); rc=$?
is "$rc:$out" "1:" "--json: exit 1, nothing on stdout"

# No sessions: no rate.
out=$($STSCTL report summary empty.test); rc=$?
is "$rc" 0 "a hosted domain without reports: exit 0"
like "$out" '^domain empty\.test, last 7 days: 0 reports, 0 sessions, 0 failed, - successful$' \
    "zero sessions: the rate is -, not 100%"
unlike "$out" '100' "no 100 anywhere for a domain without sessions"
is "$(rp_json summary empty.test | jq -c '[.sessions, ."success-rate"]')" '[0,null]' \
    "JSON: success-rate is null without sessions"
is "$(rp_json summary bad.test | jq -c '[.sessions, ."success-rate"]')" \
    "[650,$(jq -n '610 * 100 / 650')]" "JSON: the rate of bad.test (610 of 650)"
out=$($STSCTL report summary bad.test)
like "$out" ', 650 sessions, 40 failed, 93\.85% successful$' "text: the rate of bad.test"
like "$out" 'Big Sender +640 +40 +93\.75%' "text: the rate of a sender"
like "$out" "$day +650 +93\\.85% " "text: the rate of a day"
out=$($STSCTL report summary good.test)
like "$out" ', 900 sessions, 0 failed, 100\.00% successful$' "100.00% when every session succeeded"

# Mode enforce while the verdict is "not yet": refused with the evidence.
out=$($STSCTL domain set bad.test --mode enforce 2>&1); rc=$?
is "$rc" 1 "domain set --mode enforce of a domain that is not ready: exit 1"
like "$out" '^stsctl: domain set bad\.test --mode enforce: refused, the reports do not show it is safe yet$' \
    "it says it refused"
like "$out" '^readiness: not yet' "with the verdict"
like "$out" '^    Big Sender: 640 sessions, 40 failed, 98\.5% \(major\), last failure ' \
    "and the evidence per sender"
like "$out" 'use --mode testing, or --force to enforce anyway' "and the way out"
is "$(rp_json summary bad.test >/dev/null; $STSCTL domain show bad.test --json | jq -r .domain.mode)" \
    testing "the refused domain stays in mode testing"
out=$($STSCTL domain set bad.test --mode enforce --force 2>&1); rc=$?
is "$rc" 0 "--force: accepted"
is "$($STSCTL domain show bad.test --json | jq -r .domain.mode)" enforce "and enforced"
out=$($STSCTL domain set bad.test --mode enforce --max-age 1d 2>&1); rc=$?
is "$rc" 0 "a domain already in mode enforce may be changed without --force"
out=$($STSCTL domain set good.test --mode enforce 2>&1); rc=$?
is "$rc" 0 "a ready domain moves to enforce without --force"
is "$($STSCTL domain show good.test --json | jq -r .domain.mode)" enforce "good.test enforced"
out=$($STSCTL domain add new.test --mx mx1.new.test --mode enforce 2>&1); rc=$?
is "$rc" 1 "domain add --mode enforce without reports: exit 1"
like "$out" 'readiness: not yet: no reports' "with the reason"
out=$($STSCTL domain show new.test 2>&1); rc=$?
is "$rc" 1 "the refused domain was not added"
out=$($STSCTL domain add new.test --mx mx1.new.test --mode enforce --force 2>&1); rc=$?
is "$rc" 0 "domain add --mode enforce --force: accepted"
out=$($STSCTL domain set empty.test --mode testing 2>&1); rc=$?
is "$rc" 0 "modes other than enforce need no verdict"
echo "imported.test mx1.imported.test" >"$T/import.txt"
out=$($STSCTL domain import "$T/import.txt" --mode enforce 2>&1); rc=$?
is "$rc" 0 "domain import --mode enforce is exempt"
is "$($STSCTL domain show imported.test --json | jq -r .domain.mode)" enforce "imported in mode enforce"

# Permission errors: the file, its mode, owner and group, who may.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	gid=$(stat -c %g "$RP_SPOOL/public/policyd")
	group=$(stat -c %G "$RP_SPOOL/public/policyd")
	as() {	# GROUPS CMD...: as user nobody with those groups
		local g=$1; shift
		setpriv --reuid=65534 --regid=65534 --groups="$g" "$@"
	}
	db=$RP_DIR/data/reports.db
	chmod 640 "$db"
	chgrp "$group" "$db"
	chmod 755 "$RP_DIR/data"
	out=$(as 65534 $STSCTL report summary good.test 2>&1); rc=$?
	is "$rc" 1 "not in group $group: report summary fails"
	is "$out" "stsctl: $db: permission denied (mode 0640, owner $(stat -c %U "$db"), group $group): run stsctl as root or as a member of group $group" \
	    "and names the file, its group and who may read it"
	out=$(as "$gid" $STSCTL report summary good.test 2>&1); rc=$?
	is "$rc" 0 "a member of group $group reads the summary"
	out=$(as 65534 $STSCTL report html good.test 2>&1); rc=$?
	like "$rc:$out" "^1:stsctl: $RP_SPOOL/public/policyd: permission denied .*: run stsctl as root or as a member of group $group\$" \
	    "report html, not in group $group: the socket named"
	out=$(as "$gid" $STSCTL report html good.test 2>&1); rc=$?
	is "$rc" 0 "report html as a member of group $group"
	chmod 750 "$RP_DIR/data"
	out=$(as 65534 $STSCTL domain show good.test 2>&1); rc=$?
	like "$out" "^stsctl: $RP_SPOOL/public/policyd: permission denied .*group $group\\): run stsctl as root or as a member of group $group\$" \
	    "not in group $group: the policyd socket named, not \"is the instance running?\""
	mkdir -p "$RP_DIR/data/acme"
	echo '{}' >"$RP_DIR/data/acme/state.json"
	chmod 700 "$RP_DIR/data/acme"
	chgrp "$group" "$RP_DIR/data" "$RP_DIR/data/acme"
	chmod 750 "$RP_DIR/data"
	out=$(as "$gid" $STSCTL cert list 2>&1); rc=$?
	is "$rc:$out" "1:stsctl: $RP_DIR/data/acme/state.json: permission denied at $RP_DIR/data/acme (mode 0700, owner $(stat -c %U "$RP_DIR/data/acme"), group $group): only root and user $(stat -c %U "$RP_DIR/data/acme") may enter it" \
	    "cert list as a member of $group: the directory that stops it, not \"no state.json yet\""
	rm -r "$RP_DIR/data/acme"
	# (stderr says that the certificates installed by hand, in the
	# queue directory that only mail_owner enters, are not listed.)
	out=$(as "$gid" $STSCTL cert list 2>/dev/null); rc=$?
	like "$rc:$out" '^0:no certificates \(none in the store, none managed by acmed\)' "without state.json: none yet"
else
	note "not root or no setpriv: permission cases not run"
fi
done_testing
