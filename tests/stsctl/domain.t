# tests/stsctl/domain.t - stsctl domain add/set/list/show/records against a
# running instance (records with and without report_https_rua), and the
# errors of bad input (exit 1, nothing stored).
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/stsctl/instance.sh"

inst_need stsctl policyd master

dir=$(t_tmpdir)/i
instance_start "$dir" sts_zone=sts.test domain_verification=none \
	report_recipients=tlsrpt@sts.test default_policy_mode=testing \
	default_policy_max_age=7d ||
	{ fail "instance starts and policyd answers"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance starts and policyd answers"

out=$($STSCTL domain list 2>&1)
is "$out" "no domains" "list of an empty instance says so"

# id DOMAIN: its current policy id, from the JSON output.
id() {
	$STSCTL domain show "$1" --json | sed -n 's/^ *"policy_id": "\(.*\)",*$/\1/p'
}

# add
out=$($STSCTL domain add Example.COM --mx mx1.example.com --mx '*.example.net' 2>&1)
rc=$?
is "$rc" 0 "add exits 0"
like "$out" '^example\.com: added \(state active, policy id [0-9]{20}\)' \
	"add reports the state and the policy id"
like "$out" 'mta-sts\.example\.com\. +CNAME +mta-sts\.sts\.test\.' \
	"add prints the mta-sts CNAME to publish"
like "$out" '_mta-sts\.example\.com\. +CNAME +example\.com\.sts\.test\.' \
	"add prints the delegated _mta-sts CNAME"

out=$($STSCTL domain list)
like "$out" '^DOMAIN +STATE +MODE +MAX_AGE +POLICY_ID +MX$' "list has a header"
like "$out" '^example\.com +active +testing +604800 +[0-9]{20} +mx1\.example\.com,\*\.example\.net$' \
	"list shows the domain with the defaults of main.cf"

out=$($STSCTL domain show example.com)
like "$out" '^policy:$' "show prints the policy"
expected="    version: STSv1
    mode: testing
    mx: mx1.example.com
    mx: *.example.net
    max_age: 604800"
is "$(printf '%s\n' "$out" | sed -n '/^policy:$/,$p' | tail -n +2)" "$expected" \
	"show prints the exact policy lines"
like "$out" '^token: +[0-9a-f]{32}$' "show prints the ownership token"

json=$($STSCTL domain show example.com --json)
like "$json" '"policy": "version: STSv1\\r\\nmode: testing\\r\\nmx: mx1.example.com\\r\\nmx: \*.example.net\\r\\nmax_age: 604800\\r\\n"' \
	"show --json has the policy text with CRLF"
like "$json" '"state": "active"' "show --json has the state"
like "$json" '"retire_at": null' "show --json: not retiring"

# set: every change gives a greater id; no change keeps it
id1=$(id example.com)
out=$($STSCTL domain set example.com --mode enforce --force 2>&1)
is "$?" 0 "set --mode exits 0"
id2=$(id example.com)
ok "set --mode gives a new, greater id ($id1 -> $id2)" test "$id2" \> "$id1"
like "$($STSCTL domain show example.com)" '^mode: +enforce$' "set changed the mode"
like "$(cat "$dir/log/stsd.log")" "example\.com: policy id $id1 -> $id2, mode testing -> enforce" \
	"policyd logs the change with both ids"

$STSCTL domain set example.com --max-age 1d >/dev/null
id3=$(id example.com)
ok "set --max-age gives a greater id" test "$id3" \> "$id2"
like "$($STSCTL domain show example.com)" '^max_age: +86400$' "--max-age takes a unit"

$STSCTL domain set example.com --mx mx2.example.com >/dev/null
id4=$(id example.com)
ok "set --mx gives a greater id" test "$id4" \> "$id3"
like "$($STSCTL domain show example.com)" '^mx: +mx2\.example\.com$' \
	"set --mx replaces the list"

$STSCTL domain set example.com --mode enforce --force --max-age 86400 >/dev/null
is "$(id example.com)" "$id4" "set without a change keeps the id"

# records: the v=STSv1 ones once httpd said that it serves the policy
# with a valid certificate (here the private request it would send).
out=$($STSCTL domain records example.com)
unlike "$out" 'TXT +"v=STSv1' "records: no STS TXT before httpd serves the policy"
like "$out" '^; Not yet: the v=STSv1 TXT records .*wait for: a valid certificate served for mta-sts\.example\.com ' \
	"records: ... and what they wait for"
"$BUILDDIR/tests/policyd/ipcclient" "$dir/spool/private/policyd" \
	"{\"op\":\"cert-served\",\"host\":\"mta-sts.example.com\",\"not_after\":$(($(date +%s) + 86400))}" >/dev/null
out=$($STSCTL domain records example.com)
like "$out" "^_mta-sts\.example\.com\. +TXT +\"v=STSv1; id=$id4;\"$" \
	"records: direct STS TXT has the current id"
like "$out" '^_smtp\._tls\.example\.com\. +CNAME +example\.com\._report\.sts\.test\.$' \
	"records: delegated TLS-RPT CNAME"
like "$out" '^_smtp\._tls\.example\.com\. +TXT +"v=TLSRPTv1; rua=mailto:tlsrpt@sts\.test"$' \
	"records: direct TLS-RPT TXT with the rua of main.cf"
like "$out" "^example\.com\.sts\.test\. +TXT +\"v=STSv1; id=$id4;\"$" \
	"records: service zone STS TXT"
json=$($STSCTL domain records example.com --json)
like "$json" '"delegated"' "records --json has the delegated form"
like "$json" '"service_zone"' "records --json has the service zone records"

# report_https_rua = yes for policyd (master.cf -o, then reload): the
# TLS-RPT TXT lists the https URI of the domain after the mailto: rua.
rua_on() { $STSCTL domain records example.com | grep -q 'https://'; }
sed -i 's/^\(policyd .*policyd\)$/\1 -o report_https_rua=yes/' "$dir/etc/master.cf"
$STSD reload >/dev/null 2>&1 ||
	kill -HUP "$(head -1 "$dir/spool/pid/master.pid")"
ok "records: policyd restarted with report_https_rua = yes" wait_until 10 rua_on
out=$($STSCTL domain records example.com)
like "$out" '^_smtp\._tls\.example\.com\. +TXT +"v=TLSRPTv1; rua=mailto:tlsrpt@sts\.test,https://mta-sts\.example\.com/tlsrpt"$' \
	"records: with report_https_rua, the direct TLS-RPT TXT ends with the https URI"
like "$out" '^example\.com\._report\.sts\.test\. +TXT +"v=TLSRPTv1; rua=mailto:tlsrpt@sts\.test,https://mta-sts\.example\.com/tlsrpt"$' \
	"records: ... and so does the service zone TLS-RPT TXT"
sed -i 's/ -o report_https_rua=yes$//' "$dir/etc/master.cf"
$STSD reload >/dev/null 2>&1 ||
	kill -HUP "$(head -1 "$dir/spool/pid/master.pid")"
ok "records: without report_https_rua, the mailto: rua alone again" \
	wait_until 10 sh -c "! $STSCTL domain records example.com | grep -q https://"

# bad input: one clear line, exit 1, nothing stored
before=$($STSCTL domain list)
stsctl_bad "bad mx pattern" \
	'stsctl: mx pattern "*.*.example.com": wildcard only allowed as the leftmost label' \
	domain add b.example --mx '*.*.example.com'
out=$($STSCTL domain add b.example --mx 'mx..b.example' 2>&1)
rc=$?
is "$rc" 1 "empty label in an mx pattern: exit 1"
like "$out" '^stsctl: mx pattern "mx\.\.b\.example": [a-z]' \
	"empty label in an mx pattern: the message names the pattern and the cause"
stsctl_bad "bad mode" 'stsctl: mode "strict": must be testing, enforce or none' \
	domain add b.example --mx mx.b.example --mode strict
stsctl_bad "max_age above the range" 'stsctl: max_age 31557601: out of range 0..31557600' \
	domain add b.example --mx mx.b.example --max-age 31557601
stsctl_bad "negative max_age" 'stsctl: max_age -1: out of range 0..31557600' \
	domain add b.example --mx mx.b.example --max-age -1
stsctl_bad "max_age that is not a number" \
	'stsctl: --max-age "10x": not a number of seconds (or a time with unit s, m, h, d or w)' \
	domain add b.example --mx mx.b.example --max-age 10x
stsctl_bad "add without mx" 'stsctl: b.example: at least one mx pattern is needed with mode testing' \
	domain add b.example
stsctl_bad "duplicate add" 'stsctl: example.com: domain already exists (state active)' \
	domain add example.com --mx mx1.example.com
stsctl_bad "bad domain name" 'stsctl: domain "-bad.example": label "-bad" starts with a hyphen' \
	domain add --mx mx.b.example -- -bad.example
stsctl_bad "show of an unknown domain" 'stsctl: nosuch.example: no such domain' \
	domain show nosuch.example
stsctl_bad "set of an unknown domain" 'stsctl: nosuch.example: no such domain' \
	domain set nosuch.example --mode enforce
stsctl_bad "del of an unknown domain" 'stsctl: nosuch.example: no such domain' \
	domain del nosuch.example
stsctl_bad "records of an unknown domain" 'stsctl: nosuch.example: no such domain' \
	domain records nosuch.example
stsctl_bad "set with a bad pattern" \
	'stsctl: mx pattern "*.*.example.com": wildcard only allowed as the leftmost label' \
	domain set example.com --mx ok.example.com --mx '*.*.example.com'
stsctl_bad "set to a bad max_age" 'stsctl: max_age 99999999: out of range 0..31557600' \
	domain set example.com --max-age 99999999
out=$($STSCTL domain frob 2>&1)
is "$?:$out" '2:stsctl: domain frob: unknown command (add, set, del, list, show, records, import, migrate)' \
    "unknown subcommand: a usage error"
stsctl_bad "option of another subcommand" 'stsctl: domain list: option --mx does not apply' \
	domain list --mx a.example
stsctl_bad "missing domain" 'stsctl: domain show: missing domain name' domain show
stsctl_bad "unknown option" 'stsctl: domain add: unknown option "--color"' \
	domain add b.example --color
out=$($STSCTL domain migrate 2>&1)
is "$?" 2 "migrate without a domain: a usage error"
like "$out" '^usage: stsctl \[-c config_dir\] domain migrate DOMAIN --add-mx PATTERN' \
	"... that prints the usage"
out=$($STSCTL domain migrate example.com --abort --add-mx mx9.example.com 2>&1)
is "$?:$out" '2:stsctl: domain migrate: --abort takes no --add-mx or --remove-mx' \
	"migrate --abort with hosts: a usage error"
out=$($STSCTL domain migrate example.com --add-mx 2>&1)
is "$?:$out" '2:stsctl: domain migrate: option --add-mx needs a value' \
	"migrate --add-mx without a value: a usage error"
stsctl_bad "migrate with a bad pattern, checked as --mx" \
	'stsctl: mx pattern "*.*.example.com": wildcard only allowed as the leftmost label' \
	domain migrate example.com --add-mx '*.*.example.com' --remove-mx mx1.example.com
stsctl_bad "migrate of an unknown domain" 'stsctl: nosuch.example: no such domain' \
	domain migrate nosuch.example --add-mx mx9.example.com --remove-mx mx1.example.com
stsctl_bad "migrate --abort without a plan" 'stsctl: example.com: no migration is running' \
	domain migrate example.com --abort
is "$($STSCTL domain list)" "$before" "refused requests stored nothing"
is "$(id example.com)" "$id4" "refused requests kept the policy id"

# no policyd: a clear error
mkdir -p "$dir/alt/etc"
sed "s|^queue_directory = .*|queue_directory = $dir/alt|" "$dir/etc/main.cf" >"$dir/alt/etc/main.cf"
out=$("$STSCTL_BIN" -c "$dir/alt/etc" domain list 2>&1)
rc=$?
is "$rc" 1 "without policyd stsctl exits 1"
like "$out" "^stsctl: cannot reach policyd: .*$dir/alt/public/policyd" \
	"without policyd stsctl names the socket"

done_testing
