#!/bin/bash
# tests/stsctl/queue.t - "stsctl queue list|show|requeue|delete" on the
# spool of a running instance: messages spooled as rptrecv and httpd
# spool them (and through rptrecv over SMTP), reports that rptparse
# refuses (corrupt/), requeued once rptparse takes them, deleted; the
# errors a user sees.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq

# rptparse wakes up once an hour: a message it handles within seconds
# was announced to it (by spoolput, rptrecv or stsctl queue requeue).
RP_WAKEUP=3600
# The fixtures come unsigned: they count with report_require_dkim = no.
rp_start "report_require_dkim = no" || { fail "instance starts"; done_testing; }
$STSCTL queue 2>&1 | grep -q 'usage: stsctl queue' ||
	skip_all "$RP_STSCTL has no queue command"
T=$(t_tmpdir)
MC=$RP_DIR/etc/master.cf
quiet $STSCTL domain add example.com --mx '*.mail.example.com'

q() { $STSCTL queue "$@"; }
qj() { $STSCTL queue "$@" --json; }
# put FILE: spooled without telling rptparse (stays in incoming/).
put_quiet() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$RP_OWNER" -- "$RP_SPOOLPUT" -n "$RP_SPOOL" "$@"
	else
		"$RP_SPOOLPUT" -n "$RP_SPOOL" "$@"
	fi
}
# in_corrupt ID: wait until rptparse moved it to corrupt/.
in_corrupt() { wait_until 20 test -e "$RP_SPOOL/corrupt/$1"; }
# arrival ID: the time in the id, as RFC 3339.
arrival() {
	local i=$1
	echo "${i:0:4}-${i:4:2}-${i:6:2}T${i:8:2}:${i:10:2}:${i:12:2}Z"
}
count_reports() { $STSCTL report list --json | jq '.reports | length'; }

# 1. An empty queue.
is "$(q list)" "queue is empty" "list: empty queue"
is "$(qj list | jq -c .)" '{"messages":[]}' "list --json: no messages"

# 2. A message in incoming/ that rptparse was not told about.
rp_mail application/tlsrpt+gzip r.json.gz "$FIX/rfc8460.json" gzip >"$T/good.eml"
inc=$(put_quiet "$T/good.eml")
j=$(qj list)
is "$(jq -r '.messages[0].id + " " + .messages[0].queue' <<<"$j")" "$inc incoming" \
	"list: the message, in incoming/"
is "$(jq -r '.messages[0].size' <<<"$j")" "$(wc -c <"$T/good.eml")" "list: its size"
is "$(jq -r '.messages[0].arrival' <<<"$j")" "$(arrival "$inc")" "list: arrival time from the id"
is "$(jq -r '.messages[0].sender + " " + .messages[0].recipient' <<<"$j")" \
	"reports@sender.example tlsrpt@demo.test" "list: sender and recipient from the headers"
is "$(jq -r '.messages[0].reason' <<<"$j")" null "list: no reason for incoming/"
like "$(q list)" "^$inc +incoming +$(wc -c <"$T/good.eml") +${inc:0:4}-${inc:4:2}-${inc:6:2} " \
	"list: readable line"
like "$(q list | tail -1)" "^-- 1 message, $(wc -c <"$T/good.eml") bytes$" "list: total"

out=$(q requeue "$inc" 2>&1); rc=$?
is "$rc:$out" "1:stsctl: queue id $inc: in incoming/, not in deferred/ or corrupt/: nothing to requeue" \
	"requeue: refused for a message in incoming/"
is "$(q delete "$inc")" "$inc: deleted" "delete: a message in incoming/"
nok "delete: the file is gone" test -e "$RP_SPOOL/incoming/$inc"
is "$(q list)" "queue is empty" "delete: list is empty again"

# 3. Reports that rptparse refuses: larger than rptparse_gunzip_limit
# (set for rptparse alone in master.cf), a mail without any report.
# reload_rptparse: reload, and wait until rptparse runs anew.
reload_rptparse() {
	local old
	old=$(rp_pid)
	"$RP_STSD" -c "$RP_DIR/etc" reload >/dev/null 2>&1
	restarted() { local p; p=$(rp_pid); [ -n "$p" ] && [ "$p" != "$old" ]; }
	wait_until 10 restarted && wait_until 10 test -S "$RP_SPOOL/private/rptparse"
}
sed -i -E 's/^(rptparse .*) rptparse$/\1 rptparse -o rptparse_gunzip_limit=1k/' "$MC"
ok "rptparse restarted with a smaller rptparse_gunzip_limit" reload_rptparse
big1=$(rp_put "$T/good.eml")
jq -c '."report-id" = "second"' "$FIX/rfc8460.json" >"$T/second.json"
rp_mail application/tlsrpt+gzip s.json.gz "$T/second.json" gzip >"$T/second.eml"
big2=$(rp_put "$T/second.eml")
bad=$(rp_put "$FIX/no-report.eml")
ok "a report over the limit goes to corrupt/" in_corrupt "$big1"
in_corrupt "$big2"
ok "a mail without a report goes to corrupt/" in_corrupt "$bad"

j=$(qj list)
is "$(jq -r '[.messages[] | .queue] | unique | join(",")' <<<"$j")" corrupt "list: all three in corrupt/"
is "$(jq -r --arg i "$bad" '.messages[] | select(.id == $i) | .reason' <<<"$j")" "$(rp_reason "$bad")" \
	"list: the reason of a corrupt message"
is "$(jq -r --arg i "$bad" '.messages[] | select(.id == $i) | .sender' <<<"$j")" "postmaster@example.net" \
	"list: sender of the corrupt message"
like "$(q list)" "$bad +corrupt .*postmaster@example\.net +tlsrpt@demo\.test +no TLS report" \
	"list: readable line with the reason"

# 4. show.
q show "$bad" >"$T/show.out"
is "$(head -1 "$T/show.out")" "*** corrupt: $(rp_reason "$bad")" "show: the reason first"
tail -n +2 "$T/show.out" >"$T/show.msg"
ok "show: then the message, byte for byte" cmp -s "$T/show.msg" "$FIX/no-report.eml"
j=$(qj show "$bad")
is "$(jq -r .message <<<"$j")" "$(cat "$FIX/no-report.eml")" "show --json: the message"
is "$(jq -r '.queue + " " + .id' <<<"$j")" "corrupt $bad" "show --json: queue and id"
like "$(jq -r .reason <<<"$j")" "no (TLS )?report" "show --json: the reason"

# 5. requeue ID once the cause is gone: rptparse without the limit, then
# requeue tells it (it would wait an hour otherwise).
sed -i -E 's/ -o rptparse_gunzip_limit=1k$//' "$MC"
ok "rptparse restarted without the limit" reload_rptparse
is "$(q requeue "$big1")" "$big1: requeued" "requeue ID"
stored() { [ "$(count_reports)" = "$1" ]; }
ok "requeue: rptparse is told and stores the report" wait_until 15 stored 1
nok "requeue: the reason file is gone" test -e "$RP_SPOOL/corrupt/$big1.reason"

# 6. requeue ALL: the other two; the mail without a report is refused again.
j=$(qj requeue ALL)
is "$(jq -r '.requeued | sort | join(" ")' <<<"$j")" "$(printf '%s\n' "$big2" "$bad" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"requeue ALL --json: every corrupt message"
ok "requeue ALL: the second report is stored" wait_until 15 stored 2
ok "requeue ALL: the bad mail is refused again" in_corrupt "$bad"
is "$(qj list | jq -r '[.messages[].id] | join(" ")')" "$bad" "list: only the bad mail is left"

# 7. A deferred message (rptparse defers none today: made by hand).
cp "$FIX/no-report.eml" "$RP_SPOOL/deferred/20261120100000.000001.0000000001.000001"
echo "reports.db is busy" >"$RP_SPOOL/deferred/20261120100000.000001.0000000001.000001.reason"
d=20261120100000.000001.0000000001.000001
is "$(qj list | jq -r --arg i $d '.messages[] | select(.id == $i) | .queue + ": " + .reason')" \
	"deferred: reports.db is busy" "list: a deferred message and its reason"
is "$(head -1 < <(q show $d))" "*** deferred: reports.db is busy" "show: a deferred message's reason"

# A message with control characters (a sender that clears the screen,
# a body that sets the terminal's title): list escapes its sender, show
# escapes each line on a terminal and copies the bytes elsewhere.
e=20261120100000.000002.0000000001.000001
printf 'From: evil\033[2J@sender.example\r\nTo: tlsrpt@demo.test\r\n\r\nbody \033]0;owned\007\r\nlast line' \
    >"$RP_SPOOL/deferred/$e"
printf 'held\033[2J\n' >"$RP_SPOOL/deferred/$e.reason"
q list >"$T/list.out"
like "$(cat "$T/list.out")" "$e +deferred .*held\\\\x1b\\[2J" "list: the reason escaped"
nok "list: no escape character of the sender either" grep -q $'\033' "$T/list.out"
script -qec "$STSCTL queue show $e" /dev/null >"$T/tty.out" 2>&1
like "$(cat "$T/tty.out")" 'From: evil\\x1b\[2J@sender\.example' "show on a terminal: a header line escaped"
like "$(cat "$T/tty.out")" 'body \\x1b\]0;owned\\x07' "and a body line"
like "$(cat "$T/tty.out")" 'last line' "and the last line without its line end"
nok "no escape character reaches the terminal" grep -q $'\033' "$T/tty.out"
q show $e | tail -n +2 >"$T/raw.out"
ok "show elsewhere: the bytes as spooled" cmp -s "$T/raw.out" "$RP_SPOOL/deferred/$e"
quiet q delete $e

# 8. delete.
is "$(qj delete "$bad" | jq -c .)" "{\"deleted\":[\"$bad\"]}" "delete --json"
nok "delete: the message is gone" test -e "$RP_SPOOL/corrupt/$bad"
nok "delete: its reason is gone" test -e "$RP_SPOOL/corrupt/$bad.reason"
is "$(q delete $d)" "$d: deleted" "delete: a deferred message"
nok "delete: the deferred reason is gone" test -e "$RP_SPOOL/deferred/$d.reason"

# 9. Through rptrecv over SMTP: a mail without a report.
if command -v swaks >/dev/null; then
	ok "swaks delivers to rptrecv" quiet swaks --server 127.0.0.1 --port "$RP_SMTP" \
	    --from bounce@sender.example --to tlsrpt@demo.test --data "$FIX/no-report.eml"
	smtp_corrupt() { [ "$(qj list | jq '[.messages[] | select(.queue == "corrupt")] | length')" = 1 ]; }
	ok "SMTP: the mail ends in corrupt/" wait_until 20 smtp_corrupt
	j=$(qj list)
	is "$(jq -r '.messages[0].sender + " " + .messages[0].recipient' <<<"$j")" \
		"postmaster@example.net tlsrpt@demo.test" "SMTP: sender and recipient (Received: for <...>)"
	id=$(jq -r '.messages[0].id' <<<"$j")
	like "$(q show "$id" | sed -n 2p)" "^Received: from " "SMTP: show prints rptrecv's Received: header"
	quiet q delete "$id"
else
	note "swaks not installed: no SMTP case"
fi

# 10. Errors.
out=$(q show nonsense 2>&1); rc=$?
is "$rc:$out" '1:stsctl: queue id "nonsense": bad syntax (expected YYYYMMDDHHMMSS.uuuuuu.PPPPPPPPPP.SSSSSS)' \
	"show: bad id syntax"
out=$(q delete ../../etc/passwd 2>&1); rc=$?
like "$rc:$out" '^1:stsctl: queue id "\.\./\.\./etc/passwd": bad syntax' "delete: a path is not an id"
out=$(q requeue 20261120100000.000001.0000000001.000009 2>&1); rc=$?
is "$rc:$out" "1:stsctl: queue id 20261120100000.000001.0000000001.000009: no such message" \
	"requeue: no such message"
out=$(q show 20261120100000.000001.0000000001.000009 2>&1); rc=$?
is "$rc:$out" "1:stsctl: queue id 20261120100000.000001.0000000001.000009: no such message" \
	"show: no such message"
out=$(q frob 2>&1); rc=$?
is "$rc:$out" "2:stsctl: queue frob: unknown command (list, show, requeue, delete)" "unknown subcommand: a usage error"
out=$(q show 2>&1); rc=$?
like "$rc:$out" "^2:usage: stsctl queue list" "show without an id: usage"
is "$(q requeue ALL)" "0 messages requeued" "requeue ALL with nothing to requeue"

if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
	out=$(runuser -u nobody -- $STSCTL queue list 2>&1); rc=$?
	like "$rc:$out" "^1:stsctl: .*: Permission denied \(stsctl queue must run as root or as mail_owner $RP_OWNER\)$" \
		"not root nor mail_owner: permission denied, says who may"
	out=$(runuser -u "$RP_OWNER" -- $STSCTL queue list 2>&1); rc=$?
	is "$rc:$out" "0:queue is empty" "mail_owner may list the queue"
fi

done_testing
