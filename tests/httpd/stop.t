#!/bin/bash
# tests/httpd/stop.t - httpd stops gracefully on SIGTERM ("stsd stop",
# or a reload that restarts it): an idle keep-alive connection is
# closed at once; a report POST whose body is still arriving completes,
# is spooled and answered 200 with Connection: close; then the process
# exits, long before master's deadline.  Over the plain HTTP service
# (httpd_plain_reports = yes), so that bash can be the client.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master stsctl

GRACE=3			# SERVER_STOP_GRACE (lib/server.h)
FIX=$SRCDIR/tests/rptparse/fixtures
T=$(t_tmpdir)
dir=$T/i
httpd_instance "$dir" httpd_plain_reports=yes acme_enabled=no report_https_rua=yes ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
# Reports are taken for a hosted domain whose policy httpd has.
quiet $STSCTL domain add a.example --mx mx.a.example
wait_until 5 fetch mta-sts.a.example -f -o /dev/null || fail "policy served"
LOG=$dir/log/stsd.log
trap '' PIPE

plain_pid() {
	awk -v s="127.0.0.1:$HTTP" '$1 == s && $4 == "running" { print $3 }' \
	    "$dir/spool/pid/services"
}
# head FD: the status line and fields of one answer; then its body.
answer() {
	local fd=$1 line len=0 body
	while IFS= read -r -t 5 line <&"$fd"; do
		line=${line%$'\r'}
		echo "$line"
		case $line in
		[Cc]ontent-[Ll]ength:*) len=${line#*: } ;;
		"") break ;;
		esac
	done
	[ "$len" -gt 0 ] && read -r -t 5 -N "$len" body <&"$fd" && printf '%s\n' "$body"
}
# rest FD: whatever comes until the server closes (at most 5 s).
rest() { timeout 5 cat <&"$1"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.2f\n", a - b }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

pid=$(plain_pid)
ok "the plain HTTP httpd runs" test -n "$pid"

# An idle keep-alive connection, after one answer.
exec 5<>"/dev/tcp/127.0.0.1/$HTTP"
printf 'GET /nothing HTTP/1.1\r\nHost: mta-sts.a.example\r\n\r\n' >&5
like "$(answer 5 | head -1)" '^HTTP/1\.1 404 ' "a keep-alive connection gets its answer"

# A report POST whose body is half sent.
body=$(cat "$FIX/mailru.json")
len=${#body}
half=$((len / 2))
exec 6<>"/dev/tcp/127.0.0.1/$HTTP"
printf 'POST /tlsrpt HTTP/1.1\r\nHost: mta-sts.a.example\r\nContent-Type: application/tlsrpt+json\r\nContent-Length: %d\r\n\r\n%s' \
    "$len" "${body:0:$half}" >&6
sleep 0.3

t0=$(now)
kill -TERM "$pid"
out=$(rest 5)
took=$(elapsed "$t0")
is "$out" "" "SIGTERM: the idle keep-alive connection is closed without a word"
ok "at once" lt "$took" 1
exec 5>&-
ok "httpd still runs while a report is arriving" kill -0 "$pid"

printf '%s' "${body:$half}" >&6
out=$(rest 6 | tr -d '\r')
exec 6>&-
like "$(head -1 <<<"$out")" '^HTTP/1\.1 200 ' "the report whose body was arriving gets its 200"
ok "with Connection: close" grep -qx 'Connection: close' <<<"$out"
id=$(sed -n 's/^200 OK: report accepted as //p' <<<"$out")
like "$(grep "httpd\[$pid\]" "$LOG")" "report of $len bytes spooled as ${id:-none}" \
    "it was spooled before the 200"
gone() { ! kill -0 "$pid" 2>/dev/null; }
ok "httpd exits then" wait_until "$GRACE" gone
took=$(elapsed "$t0")
note "httpd exited $took s after SIGTERM"
unlike "$(grep "httpd\[$pid\]" "$LOG")" 'still busy|last replies not sent' \
    "httpd did not need the deadline"
new_httpd() { local p; p=$(plain_pid); [ -n "$p" ] && [ "$p" != "$pid" ]; }
ok "master starts a new httpd" wait_until 10 new_httpd
unlike "$(cat "$LOG")" "runtime error|Sanitizer|panic" "no sanitizer report or panic in the log"
done_testing
