#!/bin/bash
# tests/dnsmon/ratebounds.t - dnsmon_query_rate: its default, and the
# values that stsconf -e and stsd check refuse (zero, negative, beyond
# 1,000,000, too large for an integer, units, control characters), each
# with a message naming the parameter and the allowed range, main.cf
# left as it was.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/stsconf/stsconf.sh"

touch "$dir/main.cf"
is "$("$STSCONF" -c "$dir" -d dnsmon_query_rate 2>&1)" \
	"dnsmon_query_rate = 500" "the default is 500 queries a second"

refused() {	# VALUE EXPECTED-MESSAGE-PATTERN
	local err
	err=$("$STSCONF" -c "$dir" -e "dnsmon_query_rate=$1" 2>&1 >/dev/null)
	is "$?" 1 "$(printf '%q' "$1"): refused"
	like "$err" "$2" "... saying why"
	is "$(cat "$dir/main.cf")" "" "... main.cf unchanged"
}
range='expected from 1 to 1000000'
refused 0 "dnsmon_query_rate: bad integer value \"0\": $range"
refused -5 "dnsmon_query_rate: bad integer value \"-5\": $range"
refused 1000001 "dnsmon_query_rate: bad integer value \"1000001\": $range"
refused 99999999999999999999999 'dnsmon_query_rate: bad integer value "99999999999999999999999": too large'
refused 10qps 'dnsmon_query_rate: bad integer value "10qps": unknown unit'
refused 1e3 'dnsmon_query_rate: bad integer value "1e3": unknown unit'
refused '' 'dnsmon_query_rate: bad integer value "": empty'
refused "$(printf '5\001')" 'dnsmon_query_rate: bad integer value'

for v in 1 1000000; do
	"$STSCONF" -c "$dir" -e "dnsmon_query_rate=$v" >/dev/null 2>&1
	is "$?" 0 "$v is accepted"
	is "$("$STSCONF" -c "$dir" -x dnsmon_query_rate 2>&1)" "dnsmon_query_rate = $v" "... and read back"
done

# A hand-edited main.cf: stsd check refuses what dnsmon would not run
# with, naming the file and line.
t_stsd_setup
t_true "$daemons/master"
d=$t/inst
"$STSD" init "$d" --daemon-directory "$daemons" >/dev/null 2>&1 || fail "init"
echo "dnsmon_query_rate = 2000000" >>"$d/etc/main.cf"
line=$(wc -l <"$d/etc/main.cf")
out=$("$STSD" -c "$d/etc" check 2>&1)
is "$?" 1 "stsd check: a rate beyond the bound fails"
like "$out" "main\\.cf(:$line)?.*dnsmon_query_rate.*$range" \
	"... naming main.cf, the parameter and the range"
sed -i '$d' "$d/etc/main.cf"
echo "dnsmon_query_rate = 50" >>"$d/etc/main.cf"
out=$("$STSD" -c "$d/etc" check 2>&1)
is "$?" 0 "stsd check: a rate within the bounds passes"
done_testing
