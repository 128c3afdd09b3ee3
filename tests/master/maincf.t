#!/bin/bash
# tests/master/maincf.t - "stsd reload" applies main.cf, as "postfix
# reload" does.  A whole instance (stsd init): a reload with main.cf
# unchanged (or changed in comments only) restarts nothing; a changed
# parameter restarts every service, on the same sockets, with the new
# value in effect (rptrecv's SIZE, policyd's report_https_rua in stsctl
# domain records) and master still the same process; a bad main.cf is
# refused and the old processes and values stay; an SMTP session open
# across the reload gets its 250 with the message stored, or a 421 with
# nothing stored, never a bare close; no connection is refused while
# services restart.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"

inst_need stsd stsctl stsconf
t_stsd_user

t=$(t_tmpdir)
inst_init "$t/i" || { fail "stsd init"; done_testing; }
inst_only policyd httpd rptrecv rptparse dnsmon
inst_set domain_verification=none || fail "stsconf -e"
Q=$(inst_param queue_directory)
LOG=$(inst_param maillog_file)
RCPT=$(inst_param report_recipients | cut -d, -f1)
inst_start || { fail "instance starts"; done_testing; }
MASTER=$(cat "$Q/pid/master.pid")

# "SERVICE PID" per running process, sorted.
procs() { awk '$4 == "running" { print $1, $3 }' "$Q/pid/services" | sort; }
services() { procs | awk '{ print $1 }' | sort; }
pids() { procs | awk '{ print $2 }' | sort -n; }
NSERVICES=$(grep -c '^[^#[:space:]]' "$I/etc/master.cf")
all_up() { [ "$(services | sort -u | wc -l)" = "$NSERVICES" ]; }
ok "every service runs" wait_until 10 all_up
ok "policyd answers" wait_until 10 quiet $STSCTL domain list
$STSCTL domain add a.example --mx mx.a.example >/dev/null ||
	fail "stsctl domain add"

# reload N: stsd reload, then wait for master's N-th "reloaded" line.
reloads=0
reloaded() { [ "$(grep -c 'reload: configuration .* reloaded' "$LOG")" -ge "$reloads" ]; }
reload() {
	reloads=$((reloads + 1))
	$STSD reload >/dev/null 2>&1 || return 1
	wait_until 10 reloaded
}
# ehlo: rptrecv's EHLO reply
ehlo() {
	printf 'EHLO client.example\r\nQUIT\r\n' |
	    perl "$SRCDIR/tests/rptrecv/smtpclient.pl" "$SMTP_PORT" raw 2
}
size_is() { ehlo | tr -d '\r' | grep -qx "250-SIZE $1"; }
https_rua() {
	$STSCTL domain records a.example |
	    grep -q '^_smtp\._tls\.a\.example\. .*rua=mailto:[^,]*,https://mta-sts\.a\.example/tlsrpt"$'
}
ok "before: SIZE is the default message_size_limit" wait_until 10 size_is 10485760
nok "before: the rua has no https URI" https_rua

# (1) main.cf unchanged, or changed in comments only: nothing restarts.
before=$(procs)
ok "stsd reload, main.cf unchanged" reload
sleep 0.5
is "$(procs)" "$before" "every service keeps its processes"
echo "# a comment that changes no parameter" >>"$I/etc/main.cf"
ok "stsd reload, main.cf changed in a comment only" reload
sleep 0.5
is "$(procs)" "$before" "still the same processes"
is "$(grep -c 'main.cf changed: restarting' "$LOG")" 0 \
    "no service was restarted for main.cf"

# (2) A changed parameter restarts every service with its new value.
old_pids=$(pids)
inst_set message_size_limit=5m report_https_rua=yes || fail "stsconf -e"
ok "stsd reload, two parameters changed" reload
ok "rptrecv offers the new message_size_limit" wait_until 10 size_is 5242880
ok "policyd prints the https rua of report_https_rua" wait_until 10 https_rua
ok "every service runs again" wait_until 10 all_up
is "$(cat "$Q/pid/master.pid")" "$MASTER" "master is the same process (no stop/start)"
ok "master is running" kill -0 "$MASTER"
common=$(comm -12 <(echo "$old_pids") <(pids) | grep -c .)
is "$common" 0 "every process was replaced"
for s in policyd rptparse dnsmon "127.0.0.1:$HTTPS_PORT" "127.0.0.1:$SMTP_PORT"; do
	is "$(grep -c "service $s: main.cf changed: restarting" "$LOG")" 1 \
	    "one log line for service $s"
done
unlike "$(cat "$LOG")" "another dnsmon is running|exited too quickly|fatal" \
    "no daemon was refused at start or throttled"

# (3) A bad main.cf: logged, refused, the old processes and values stay.
cp "$I/etc/main.cf" "$t/main.cf.good"
before=$(procs)
echo "message_size_limit = 7x" >>"$I/etc/main.cf"
out=$($STSD reload 2>&1)
is "$?" 1 "stsd reload refuses a bad main.cf (exit 1)"
like "$out" 'main\.cf:[0-9]+: parameter message_size_limit: bad size value "7x": unknown unit x' \
    "it names file, line, parameter and cause"
# SIGHUP without stsd (kill -HUP, as stsd-master(8) shows): master refuses it.
kill -HUP "$MASTER"
refused() { grep -q 'reload: .*main\.cf:[0-9]*: parameter message_size_limit: bad size value "7x": unknown unit x; keeping the running configuration' "$LOG"; }
ok "master refuses it too, logging file, line and cause" wait_until 10 refused
sleep 0.5
is "$(procs)" "$before" "the old processes keep running"
ok "the old message_size_limit is still in effect" size_is 5242880
cp "$t/main.cf.good" "$I/etc/main.cf"
ok "stsd reload with the good main.cf again" reload
sleep 0.5
is "$(procs)" "$before" "the good main.cf is the running one: nothing restarts"

# (4) An SMTP session in the middle of DATA across a reload, and (5)
# clients that connect meanwhile: every connect succeeds.
refused_file=$t/refused
: >"$refused_file"
(
	end=$((SECONDS + 8))
	while [ $SECONDS -lt $end ]; do
		if ! (exec 6<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null; then
			echo refused >>"$refused_file"
		fi
		sleep 0.05
	done
) &
prober=$!
at_exit "kill $prober"

smtp_pid=$(procs | awk -v s="127.0.0.1:$SMTP_PORT" '$1 == s { print $2 }')
exec 5<>"/dev/tcp/127.0.0.1/$SMTP_PORT"
trap '' PIPE
reply() {
	local line
	while IFS= read -r -t 5 line <&5; do
		line=${line%$'\r'}
		echo "$line"
		case $line in [0-9][0-9][0-9]" "*) return 0 ;; esac
	done
	return 1
}
last() { reply | tail -1; }
like "$(last)" '^220 ' "a session: greeting"
printf 'EHLO client.example\r\n' >&5
like "$(last)" '^250 ' "EHLO"
printf 'MAIL FROM:<reporter@sender.example>\r\n' >&5
like "$(last)" '^250 ' "MAIL"
printf 'RCPT TO:<%s>\r\n' "$RCPT" >&5
like "$(last)" '^250 ' "RCPT"
printf 'DATA\r\n' >&5
like "$(last)" '^354 ' "DATA"
printf 'Subject: across a reload\r\nMessage-ID: <reload@sender.example>\r\n\r\nfirst half\r\n' >&5
inst_set message_size_limit=6m || fail "stsconf -e"
ok "stsd reload in the middle of the message" reload
restarted() { ! kill -0 "$smtp_pid" 2>/dev/null; }
wait_until 10 restarted
printf 'second half\r\n.\r\n' >&5 2>/dev/null
answer=$(last)
exec 5>&-
note "the end of the message got: ${answer:-no reply, the connection was closed}"
# rptrecv stops gracefully: the message ends with 250 within its grace,
# or the session gets 421 (never a bare close).
case $answer in
250*)
	id=$(sed -n 's/.*queued as \([^ ]*\).*/\1/p' <<<"$answer")
	spooled() {
		[ -e "$Q/incoming/$id" ] || [ -e "$Q/active/$id" ] || [ -e "$Q/corrupt/$id" ]
	}
	ok "a 250 means the message $id is in the spool" spooled
	;;
"421 "*)
	pass "the session is told that the service shuts down (421)"
	like "$answer" '^421 4\.3\.2 [^ ]+ Service shutting down, try again later$' \
	    "the 421 says why"
	nok "nothing of the message cut off is in the spool" \
	    grep -rlq 'Message-ID: <reload@sender\.example>' "$Q/incoming" "$Q/active" "$Q/corrupt"
	;;
"") fail "the connection was closed without a reply" ;;
*) fail "unexpected reply to the end of the message: $answer" ;;
esac
ok "the new rptrecv offers the new message_size_limit" wait_until 10 size_is 6291456
inst_set message_size_limit=5m || fail "stsconf -e"
ok "a second reload while clients connect" reload
ok "rptrecv restarted with it" wait_until 10 size_is 5242880
wait "$prober"
is "$(wc -l <"$refused_file")" 0 "no connection was refused during the reloads"

inst_stop
done_testing
