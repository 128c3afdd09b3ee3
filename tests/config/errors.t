#!/bin/bash
# tests/config/errors.t - a bad main.cf, read by the real stsconf binary,
# gives one clear line naming the file, the line and the cause, and exit
# status 1 (never a crash signal or a sanitizer report).
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

STSCONF=$BUILDDIR/stsconf/stsconf
t_built "$STSCONF"
dir=$(t_tmpdir)

# bad CONTENT EXPECTED-ERROR-AFTER-"stsconf: $dir/main.cf:" DESC
# (warnings about names that are not parameters may come before it)
bad() {
	local out err rc
	printf '%b' "$1" >"$dir/main.cf"
	out=$("$STSCONF" -c "$dir" -n 2>"$dir/err")
	rc=$?
	err=$(grep -v ': warning: ' "$dir/err")
	is "$rc" 1 "$3: exit status 1"
	is "$err" "stsconf: $dir/main.cf:$2" "$3: message"
	is "$out" "" "$3: nothing on standard output"
}

bad 'ipc_timeout = 10x\n' \
    '1: parameter ipc_timeout: bad time value "10x": unknown unit x' \
    "bad time unit"
bad '# c\nservice_crash_time = -3s\n' \
    '2: parameter service_crash_time: bad time value "-3s": negative' \
    "negative time"
bad 'message_size_limit = 10q\n' \
    '1: parameter message_size_limit: bad size value "10q": unknown unit q' \
    "bad size unit"
bad 'message_size_limit = -1\n' \
    '1: parameter message_size_limit: bad size value "-1": negative' \
    "negative size"
bad 'ipc_message_size_limit = 123456789012345678901234567890\n' \
    '1: parameter ipc_message_size_limit: bad size value "123456789012345678901234567890": too large' \
    "size overflow"
bad 'message_size_limit = 99999999999g\n' \
    '1: parameter message_size_limit: bad size value "99999999999g": too large' \
    "size overflow through the unit"
bad 'sts_zone = example.net\npolicy_host = mta-sts.${sts_zone\n' \
    '2: parameter policy_host: unterminated "${" in "mta-sts.${sts_zone"' \
    "unterminated \${"
bad 'sts_zone = $sts_zone.x\n' \
    '1: parameter sts_zone: "$sts_zone" refers to itself' \
    "parameter that refers to itself"
bad 'a = $b\nb = ${a}\n' \
    '2: parameter b: expansion loop: $a -> $b -> $a' \
    "expansion loop"
bad 'sts_zone = $undefined_thing\n' \
    '1: parameter sts_zone: "$undefined_thing" refers to an unknown parameter' \
    "reference to an unknown parameter"
bad 'sts_zone = example.net\nthis line has no equals sign\n' \
    '2: bad line "this line has no equals sign": expected "name = value"' \
    "line without ="
bad '   sts_zone = example.net\n' \
    '1: continuation line (starting with white space) at the top of the file' \
    "continuation line at the top"
bad 'default_policy_mode = strict\n' \
    '1: parameter default_policy_mode: bad value "strict": expected one of enforce, testing, none' \
    "value outside its choices"
bad 'x = 5 days\nipc_timeout = $x\n' \
    '2: parameter ipc_timeout: bad time value "5 days": unknown unit " days" (from "$x")' \
    "type checked after expansion"

# Unknown names warn with file and line, and are not errors.
printf 'sts_zone = example.net\n\nmy_own = 1\n' >"$dir/main.cf"
out=$("$STSCONF" -c "$dir" -n 2>"$dir/err")
is "$?" 0 "unknown parameter: exit status 0"
like "$(cat "$dir/err")" "warning: $dir/main.cf:3: unknown parameter my_own\$" \
    "unknown parameter: warning with file and line"
like "$out" "^my_own = 1\$" "unknown parameter: still listed by -n"

# A file that cannot be read.
rm -f "$dir/main.cf"
err=$("$STSCONF" -c "$dir" 2>&1)
is "$?" 1 "missing main.cf: exit status 1"
is "$err" "stsconf: cannot open $dir/main.cf: No such file or directory" \
    "missing main.cf: message"

# Random bytes never crash the reader.
for i in 1 2 3 4 5; do
	head -c 2000 /dev/urandom >"$dir/main.cf"
	"$STSCONF" -c "$dir" -n >/dev/null 2>&1
	rc=$?
	if [ "$rc" -gt 1 ]; then
		cp "$dir/main.cf" "$BUILDDIR/tests/logs/config-random-$i.cf" 2>/dev/null
		fail "random main.cf $i: exit status $rc (input kept in tests/logs)"
	else
		pass "random main.cf $i: exit status $rc"
	fi
done

done_testing
