#!/bin/bash
# tests/stsconf/edit.t - stsconf -e changes main.cf and keeps everything
# else: comments, blank lines, order; refuses unknown names and bad
# values without touching the file.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/stsconf/stsconf.sh"

cat >"$dir/main.cf" <<'CF'
# Test instance.

# The zone.
sts_zone = example.net
ipc_timeout = 5m   
report_recipients = a@$sts_zone,
    # inner comment
    b@$sts_zone
my_own = kept
# last comment
CF
chmod 640 "$dir/main.cf"

"$STSCONF" -c "$dir" -e ipc_timeout=1m 'report_recipients = c@$sts_zone' \
    message_size_limit=2m 2>"$dir/err"
is "$?" 0 "-e: exit status 0"
is "$(cat "$dir/main.cf")" '# Test instance.

# The zone.
sts_zone = example.net
ipc_timeout = 1m
report_recipients = c@$sts_zone
    # inner comment
my_own = kept
# last comment
message_size_limit = 2m' "-e: lines replaced in place, new ones appended, comments kept"
is "$(stat -c %a "$dir/main.cf")" 640 "-e keeps the file mode"
is "$(ls -A "$dir")" "err
main.cf" "-e leaves no temporary file"
is "$("$STSCONF" -c "$dir" -n 2>/dev/null)" 'ipc_timeout = 1m
message_size_limit = 2m
my_own = kept
report_recipients = c@$sts_zone
sts_zone = example.net' "-n shows the change"
is "$("$STSCONF" -c "$dir" -x report_recipients 2>/dev/null)" \
    "report_recipients = c@example.net" "-x expands the new value"

# Refusals leave the file as it was.
cp "$dir/main.cf" "$dir/before"
check_refused() {	# DESC EXPECTED-MESSAGE ARGS...
	local desc=$1 want=$2 err
	shift 2
	err=$("$STSCONF" -c "$dir" -e "$@" 2>&1 >/dev/null | grep -v 'warning: ')
	"$STSCONF" -c "$dir" -e "$@" >/dev/null 2>&1
	is "$?" 1 "$desc: exit status 1"
	is "$err" "$want" "$desc: message"
	ok "$desc: main.cf unchanged" cmp -s "$dir/before" "$dir/main.cf"
}
check_refused "unknown name" "stsconf: unknown parameter: no_such_thing" \
    no_such_thing=1
check_refused "bad time value" \
    'stsconf: parameter ipc_timeout: bad time value "10x": unknown unit x' \
    ipc_timeout=2m ipc_timeout=10x
check_refused "bad size value" \
    'stsconf: parameter message_size_limit: bad size value "-4k": negative' \
    message_size_limit=-4k
check_refused "value outside its choices" \
    'stsconf: parameter domain_verification: bad value "maybe": expected one of dns, none' \
    domain_verification=maybe
check_refused "loop through \$name" \
    "stsconf: not changing $dir/main.cf: $dir/main.cf:4: parameter sts_zone: expansion loop: \$sts_zone -> \$policy_host -> \$sts_zone" \
    'sts_zone=$policy_host'
check_refused "bad type after expansion" \
    "stsconf: not changing $dir/main.cf: $dir/main.cf:5: parameter ipc_timeout: bad time value \"kept\": not a number (from \"\$my_own\")" \
    'ipc_timeout=$my_own'
check_refused "no =" "stsconf: -e ipc_timeout: expected name=value" ipc_timeout
# The rules of the parameter table: bounds, syntaxes, users.
check_refused "max_age beyond RFC 8461" \
    'stsconf: parameter default_policy_max_age: bad time value "400d": expected from 0s to 8766h' \
    default_policy_max_age=400d
check_refused "percentage above 100" \
    'stsconf: parameter alert_failure_rate: bad percentage value "200%": expected a number from 0% to 100%, such as 1% or 0.5%' \
    alert_failure_rate=200%
check_refused "not an address" \
    'stsconf: parameter report_recipients: bad value "not an address": expected addresses of the form local@domain or local+*@domain ("not" is not one)' \
    'report_recipients=not an address'
check_refused "empty sts_zone" \
    'stsconf: parameter sts_zone: empty value: expected a domain name (letters, digits and hyphens in labels separated by dots); required' \
    sts_zone=
check_refused "a URL for sts_zone" \
    'stsconf: parameter sts_zone: bad value "https://sts.example.net": expected a domain name (letters, digits and hyphens in labels separated by dots); required' \
    sts_zone=https://sts.example.net
check_refused "a user that does not exist" \
    "stsconf: not changing $dir/main.cf: parameter mail_owner: bad value \"nosuchuser\": expected a user that exists and is not root (no such user)" \
    mail_owner=nosuchuser
check_refused "root as mail_owner" \
    "stsconf: not changing $dir/main.cf: parameter mail_owner: bad value \"root\": expected a user that exists and is not root (it has uid 0)" \
    mail_owner=root
# master.cf's -o overrides are checked against the new main.cf.
printf 'svc unix - - n - 1 prog -o ipc_timeout=$smtp_hostname\n' >"$dir/master.cf"
check_refused "an edit that master.cf's -o would refuse" \
    "stsconf: not changing $dir/main.cf: with it, $dir/master.cf:1: service svc: -o ipc_timeout=\$smtp_hostname: parameter ipc_timeout: bad time value \"soon\": not a number (from \"\$smtp_hostname\")" \
    smtp_hostname=soon
rm "$dir/master.cf" "$dir/before"

# A new main.cf.
new=$(t_tmpdir)
"$STSCONF" -c "$new" -e sts_zone=new.example 'smtp_hostname=smtp.$sts_zone'
is "$?" 0 "-e creates a missing main.cf"
is "$(cat "$new/main.cf")" 'sts_zone = new.example
smtp_hostname = smtp.$sts_zone' "new main.cf content"
is "$("$STSCONF" -c "$new" -x smtp_hostname)" "smtp_hostname = smtp.new.example" \
    "the new main.cf reads"

# The last of several edits of a name wins; an empty value is written.
"$STSCONF" -c "$new" -e sts_zone=a.example sts_zone=b.example maillog_file=
is "$(cat "$new/main.cf")" 'sts_zone = b.example
smtp_hostname = smtp.$sts_zone
maillog_file =' "last edit wins; empty value"

# A file without a final newline.
printf 'sts_zone = x.example' >"$new/main.cf"
"$STSCONF" -c "$new" -e ipc_timeout=9s
is "$(cat "$new/main.cf")" 'sts_zone = x.example
ipc_timeout = 9s' "appending after a last line without newline"

done_testing
