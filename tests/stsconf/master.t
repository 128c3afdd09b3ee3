#!/bin/bash
# tests/stsconf/master.t - stsconf -F, -Fe, -Me, -M#, -M+ and -MX edit
# master.cf of an "stsd init" instance one service at a time: the SMTP
# listener moved with -Fe is where rptrecv answers (at start, and after
# stsd reload, which rebinds); every refused edit (a result that would
# not load, newlines, control characters, very long values, an unknown
# service or field) leaves master.cf byte for byte as it was.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"

t_built "$STSCONF_BIN"
t_need swaks

t=$(t_tmpdir)
inst_init "$t/i"
inst_only policyd rptrecv
inst_set domain_verification=none
M=$I/etc/master.cf
old=127.0.0.1:$SMTP_PORT
new_port=$(free_port)
new=127.0.0.1:$new_port

# -F: one field, by postconf(1)'s names.
is "$($STSCONF -F "$old/inet/service" "$old/inet/process_limit" \
    "$old/inet/command")" "$old/inet/service = $old
$old/inet/process_limit = 1
$old/inet/command = rptrecv" "-F prints the fields named"
is "$($STSCONF -F | grep -c '^policyd/unix/')" 8 "-F prints every field"

# Refusals: exit 1, the message, master.cf unchanged.
cp "$M" "$t/before"
refused() {	# DESC EXPECTED-MESSAGE-PATTERN ARGS...
	local desc=$1 want=$2 err rc
	shift 2
	err=$($STSCONF "$@" 2>&1 >/dev/null)
	rc=$?
	is "$rc" 1 "$desc: exit status 1"
	like "$err" "$want" "$desc: message"
	ok "$desc: master.cf byte-identical" cmp -s "$t/before" "$M"
}
refused "a port out of range" \
	"^stsconf: not changing $M: with the change, $M:[0-9]+: service 127.0.0.1:99999: bad port \"99999\"" \
	-Fe "$old/inet/service=127.0.0.1:99999"
refused "a duplicate service" "duplicate service policyd unix" \
	-Fe "$old/inet/service=policyd" "policyd/inet/type=unix"
refused "a bad process_limit" "bad maxproc \"0\"" \
	-Fe "$old/inet/process_limit=0"
refused "an unknown -o parameter" "-o no_such=1: unknown parameter no_such" \
	-Fe "$old/inet/command=rptrecv -o no_such=1"
refused "a newline in a value" "^stsconf: not changing $M: the value contains a line break$" \
	-Fe "$old/inet/command=rptrecv
127.0.0.1:1 inet n y n - 1 rptrecv"
refused "a control character" "the value contains a control character \(0x1b\)" \
	-Fe "$old/inet/command=rptrecv$(printf '\033')[2J"
refused "a newline in the name" "the service name contains a line break" \
	-Fe "$old/inet
x/inet/service=1"
long=$(head -c 100000 /dev/zero | tr '\0' a)
refused "a very long value" "the value is too long: 100013 bytes, at most 4096" \
	-Fe "$old/inet/command=rptrecv -o a=$long"
refused "a very long name" "the service name is too long" \
	-Fe "$long/inet/service=x"
refused "an unknown service" "^stsconf: not changing $M: no service 127.0.0.1:1/inet in $M$" \
	-Fe "127.0.0.1:1/inet/service=127.0.0.1:2"
refused "an unknown type" "type \"tcp\": expected inet or unix" \
	-Fe "$old/tcp/service=x"
refused "an unknown field" "bad field \"maxproc\": expected service, type, private, unpriv, chroot, wakeup, process_limit or command" \
	-Fe "$old/inet/maxproc=2"
refused "two words in a column" "expected one word" \
	-Fe "$old/inet/chroot=y n"
refused "-Me: an entry of another service" "entry of policyd/unix: expected \"policyd unix " \
	-Me "policyd/unix=rptparse unix y y n - 1 rptparse"
refused "-M#: an unknown service" "no service nope/unix in" -M# nope/unix
refused "-M+: a service that is not commented out" \
	"service policyd/unix is not commented out" -M+ policyd/unix
refused "-MX: an unknown service" "no service nosuch/unix in" -MX nosuch/unix
ok "no temporary file is left" test "$(ls "$I/etc" | grep -c stsconf)" = 0

# -Fe: the SMTP listener on a new port; comments and other lines stay.
$STSCONF -Fe "$old/inet/service=$new" 2>"$t/err"
is "$?" 0 "-Fe service: exit status 0"
is "$(cat "$t/err")" "" "-Fe service: no message"
is "$(diff "$t/before" "$M" | grep -c '^[<>]')" 2 "-Fe changes one line"
is "$(grep rptrecv "$M")" "$(grep rptrecv "$t/before" | sed "s/$old/$new/")" \
	"-Fe: the new address, the other columns as they were"
ok "the suite starts" inst_start
ok "policyd answers" wait_until 10 $STSCTL domain list
out=$(timeout 10 swaks --server 127.0.0.1 --port "$new_port" --quit-after EHLO 2>&1)
like "$out" "<- +220 " "rptrecv answers on the port set with -Fe"
nok "nothing listens on the old port" \
	bash -c "exec 3<>/dev/tcp/127.0.0.1/$SMTP_PORT" 2>/dev/null

# While it runs: back to the old port, then stsd reload rebinds.
$STSCONF -Fe "$new/inet/service=$old" && $STSD reload >/dev/null 2>&1
is "$?" 0 "-Fe and stsd reload: exit status 0"
smtp_on() { timeout 10 swaks --server 127.0.0.1 --port "$1" --quit-after EHLO 2>&1 | grep -q '<- *220 '; }
ok "after reload rptrecv answers on the port set again" wait_until 10 smtp_on "$SMTP_PORT"
closed() { ! bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
ok "after reload the port it left is closed" wait_until 10 closed "$new_port"

# -M# comments a service out, -M+ gives it back as it was.
cp "$M" "$t/before"
$STSCONF -M# "$old/inet"
is "$?" 0 "-M#: exit status 0"
like "$(grep rptrecv "$M")" "^#$old +inet " "-M# comments the entry out"
nok "-M: the service is gone" sh -c "$STSCONF -M | grep -q rptrecv"
$STSCONF -M+ "$old/inet"
is "$?" 0 "-M+: exit status 0"
ok "-M+ gives master.cf back byte for byte" cmp -s "$t/before" "$M"

# -MX removes, -Me adds (and replaces).
$STSCONF -MX "$old/inet"
nok "-MX removes the entry" grep -q rptrecv "$M"
$STSCONF -Me "$old/inet=$old inet n y y - 2 rptrecv"
like "$(grep rptrecv "$M")" "^$old inet n y y - 2 rptrecv$" "-Me appends an entry"
$STSCONF -Me "$old/inet=$old inet n y y - 1 rptrecv -o a=b" "$old/inet=$old   inet n y y - 1 rptrecv"
like "$(grep rptrecv "$M")" "^$old inet n y y - 1 rptrecv$" \
	"-Me replaces the entry in place; of several, the last wins"
is "$($STSCONF -M | grep -c .)" 2 "-M: two services"

done_testing
