#!/bin/bash
# tests/stsd/reload.t - a value that a daemon would refuse never reaches
# a running instance.  A whole instance (stsd init) serves a policy by
# HTTPS and takes reports by SMTP; for each bad value of issue 15
# (default_policy_max_age = 400d, mail_owner = nosuchuser and root,
# alert_failure_rate = 200%, report_recipients = not an address,
# sts_zone empty or a URL) stsconf -e refuses it and leaves main.cf
# alone; written into main.cf by hand, stsd check and stsd reload
# refuse it (exit 1, naming file, parameter, value and what is
# allowed), master refuses a plain SIGHUP too, and the instance keeps
# its processes and its old configuration: HTTPS serves the policy and
# SMTP offers the old SIZE.  The same for a bad master.cf line.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"
source "$SRCDIR/tests/pki.sh"

inst_need stsd stsctl stsconf
t_need curl
t_stsd_user

t=$(t_tmpdir)
inst_init "$t/i" || { fail "stsd init"; done_testing; }
inst_only policyd httpd rptrecv rptparse
inst_set domain_verification=none acme_enabled=no message_size_limit=5m ||
	fail "stsconf -e"
Q=$(inst_param queue_directory)
D=$(inst_param data_directory)
LOG=$(inst_param maillog_file)
OWNER=$(inst_param mail_owner)
MAIN=$I/etc/main.cf
MASTER_CF=$I/etc/master.cf

# stsd_fails COMMAND WHAT: stsd COMMAND exits 1 (one case); its output
# is in $out.
stsd_fails() {
	out=$($STSD "$1" 2>&1)
	is "$?" 1 "$2: stsd $1 exits 1"
}

# The certificate of mta-sts.a.example, from a test CA.
pki_ca "$t/ca" && pki_cert "$t/ca" mta-sts.a.example 30 || fail "test CA"
mkdir -p "$D/certs/mta-sts.a.example"
cp "$t/ca/mta-sts.a.example/fullchain.pem" "$t/ca/mta-sts.a.example/privkey.pem" \
    "$D/certs/mta-sts.a.example/"
chmod 700 "$D/certs/mta-sts.a.example"
chmod 600 "$D/certs/mta-sts.a.example/privkey.pem"
[ "$(id -u)" = 0 ] && chown -R "$OWNER:" "$D/certs/mta-sts.a.example"

# Sanitizer reports of every process (master's reload paths above all).
mkdir -p "$t/san" && chmod 1777 "$t/san"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$t/san/asan
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$t/san/ubsan
inst_start || { fail "instance starts"; done_testing; }
MASTER=$(cat "$Q/pid/master.pid")
procs() { awk '$4 == "running" { print $1, $3 }' "$Q/pid/services" | sort; }
NSERVICES=$(grep -c '^[^#[:space:]]' "$MASTER_CF")
all_up() { [ "$(procs | awk '{ print $1 }' | sort -u | wc -l)" = "$NSERVICES" ]; }
ok "every service runs" wait_until 10 all_up
ok "policyd answers" wait_until 10 quiet $STSCTL domain list
$STSCTL domain add a.example --mx mx.a.example --mode enforce --force >/dev/null ||
	fail "stsctl domain add"

serving() {
	curl -sf --max-time 5 --cacert "$t/ca/ca.pem" \
	    --resolve "mta-sts.a.example:$HTTPS_PORT:127.0.0.1" \
	    "https://mta-sts.a.example:$HTTPS_PORT/.well-known/mta-sts.txt" |
	    tr -d '\r' | grep -qx 'mode: enforce'
}
ehlo() {
	printf 'EHLO client.example\r\nQUIT\r\n' |
	    perl "$SRCDIR/tests/rptrecv/smtpclient.pl" "$SMTP_PORT" raw 2
}
old_size() { ehlo | tr -d '\r' | grep -qx '250-SIZE 5242880'; }
ok "HTTPS serves the policy of a.example" wait_until 10 serving
ok "SMTP offers the SIZE of message_size_limit = 5m" wait_until 10 old_size
BEFORE=$(procs)
cp "$MAIN" "$t/main.cf.good"
cp "$MASTER_CF" "$t/master.cf.good"

# master's refusals of a plain SIGHUP, counted in the log.
refusals() { grep -c 'reload: .*; keeping the running configuration' "$LOG"; }
# hup PATTERN: kill -HUP, then master logs the refusal matching PATTERN.
hup() {
	local n
	n=$(refusals)
	kill -HUP "$MASTER"
	wait_until 10 sh -c "[ \$(grep -c 'reload: .*; keeping the running configuration' '$LOG') -gt $n ]" &&
	    tail -n 20 "$LOG" | grep 'keeping the running configuration' | tail -1 |
	    grep -qE -e "$1"
}

# still_serving WHAT: the instance as it was before.
still_serving() {
	sleep 0.5
	is "$(procs)" "$BEFORE" "$1: every process keeps running"
	is "$(cat "$Q/pid/master.pid")" "$MASTER" "$1: master is the same process"
	ok "$1: HTTPS still serves the policy" serving
	ok "$1: SMTP still answers with the old configuration (SIZE 5242880)" old_size
}

# refused NAME VALUE MESSAGE-REGEX: every way in refuses NAME = VALUE.
refused() {
	local name=$1 value=$2 want=$3 out rc line
	out=$($STSCONF -e "$name=$value" 2>&1)
	rc=$?
	is "$rc" 1 "$name = $value: stsconf -e exits 1"
	like "$out" "^stsconf: .*parameter $name: $want" \
	    "$name = $value: stsconf -e names parameter, value and what is allowed"
	ok "$name = $value: stsconf -e leaves main.cf alone" cmp -s "$MAIN" "$t/main.cf.good"

	echo "$name = $value" >>"$MAIN"
	line=$(wc -l <"$MAIN")
	stsd_fails check "$name = $value"
	like "$out" "stsd: error: $MAIN:$line: parameter $name: $want" \
	    "$name = $value: stsd check names file, line, parameter, value, rule"
	stsd_fails reload "$name = $value"
	like "$out" "stsd: error: $MAIN:$line: parameter $name: $want" \
	    "$name = $value: stsd reload says why"
	like "$out" "not reloading: .*the running configuration stays in effect" \
	    "$name = $value: stsd reload says that nothing changed"
	ok "$name = $value: master refuses a plain SIGHUP too" \
	    hup "main\\.cf:$line: parameter $name: $want"
	still_serving "$name = $value"
	cp "$t/main.cf.good" "$MAIN"
}

refused default_policy_max_age 400d \
    'bad time value "400d": expected from 0s to 8766h'
refused mail_owner nosuchuser \
    'bad value "nosuchuser": expected a user that exists and is not root \(no such user\)'
refused mail_owner root \
    'bad value "root": expected a user that exists and is not root \(it has uid 0\)'
refused alert_failure_rate 200% \
    'bad percentage value "200%": expected a number from 0% to 100%'
refused report_recipients 'not an address' \
    'bad value "not an address": expected addresses of the form local@domain or local\+\*@domain \("not" is not one\)'
refused sts_zone '' \
    'empty value: expected a domain name \(letters, digits and hyphens in labels separated by dots\); required'
refused sts_zone https://sts.example.net \
    'bad value "https://sts\.example\.net": expected a domain name'

# A bad master.cf line.
echo "broken unix y" >>"$MASTER_CF"
line=$(wc -l <"$MASTER_CF")
stsd_fails check "bad master.cf line"
like "$out" "stsd: error: $MASTER_CF:$line: " "bad master.cf line: stsd check names file and line"
stsd_fails reload "bad master.cf line"
like "$out" "stsd: error: $MASTER_CF:$line: " "bad master.cf line: stsd reload says why"
ok "bad master.cf line: master refuses a plain SIGHUP too" hup "master\\.cf:$line: "
still_serving "bad master.cf line"
cp "$t/master.cf.good" "$MASTER_CF"

# A master.cf -o that main.cf makes bad: checked against the new main.cf.
sed -i "s|^\(127\.0\.0\.1:$SMTP_PORT .*rptrecv\)\$|\1 -o rptrecv_command_timeout=\$smtp_hostname|" "$MASTER_CF"
echo "smtp_hostname = soon" >>"$MAIN"
stsd_fails reload "an -o that the new main.cf breaks"
like "$out" "master\\.cf:[0-9]+: service 127\\.0\\.0\\.1:$SMTP_PORT: -o rptrecv_command_timeout=\\\$smtp_hostname: parameter rptrecv_command_timeout: bad time value \"soon\"" \
    "an -o that the new main.cf breaks: named with its service"
ok "an -o that the new main.cf breaks: master refuses it too" \
    hup "-o rptrecv_command_timeout=.*bad time value \"soon\""
still_serving "an -o that the new main.cf breaks"
cp "$t/master.cf.good" "$MASTER_CF"
cp "$t/main.cf.good" "$MAIN"

# sts_zone left unset: main.cf reads, stsd check and reload say it is
# missing.
sed -i '/^sts_zone *=/d' "$MAIN"
stsd_fails check "sts_zone unset"
like "$out" "stsd: error: $MAIN: parameter sts_zone is not set: .*\\(fix: stsconf -e sts_zone=VALUE\\)" \
    "sts_zone unset: stsd check says so, with the fix"
stsd_fails reload "sts_zone unset"
still_serving "sts_zone unset"
cp "$t/main.cf.good" "$MAIN"

# A good change still reloads.
inst_set message_size_limit=6m || fail "stsconf -e message_size_limit=6m"
out=$($STSD reload 2>&1)
is "$?" 0 "a good main.cf: stsd reload exits 0"
new_size() { ehlo | tr -d '\r' | grep -qx '250-SIZE 6291456'; }
ok "a good main.cf: SMTP offers the new SIZE" wait_until 15 new_size
ok "a good main.cf: HTTPS serves the policy" wait_until 10 serving
unlike "$(cat "$LOG")" "throttling|exited too quickly" \
    "no service died or was throttled on the way"

inst_stop
ok "master stopped" wait_until 10 sh -c "! kill -0 $MASTER 2>/dev/null"
# LeakSanitizer cannot read /proc inside a chroot (httpd, rptrecv): that
# fatal error is no finding.
findings() {
	cat "$t"/san/* 2>/dev/null |
	    grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' |
	    grep -v 'LeakSanitizer has encountered a fatal error'
}
note "sanitizer logs: $(ls "$t/san" | wc -l) file(s)"
is "$(findings)" "" "no sanitizer report from master, the daemons or the commands"
done_testing
