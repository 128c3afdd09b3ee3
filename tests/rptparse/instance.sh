# tests/rptparse/instance.sh - a running instance with policyd, rptparse
# and rptrecv, for the rptparse tests.  Source after tests/lib.sh.
# SPDX-License-Identifier: ISC
#
#	rp_start [main.cf line ...]	make and start an instance in a fresh
#		directory (stopped at exit); sets RP_DIR, RP_SPOOL, RP_LOG,
#		RP_SMTP (rptrecv's port), STSCTL
#	rp_begin [main.cf line ...]	rp_start; a failure is one, and ends
#		the test.  Sets T, a fresh directory, unless it is set
#	rp_put FILE...		spool each FILE as a message (tests/rptparse/
#		spoolput) and notify rptparse; prints the ids
#	rp_idle			wait until incoming/ and active/ are empty
#	rp_mail TYPE NAME FILE [gzip]	a report mail with FILE attached as
#		TYPE named NAME (NAME "-": no name), gzipped first if asked
#	rp_https TYPE FILE [gzip]	the spool form of an HTTPS POST
#	rp_reason ID		the reason of corrupt/ID
#	rp_pid			pid of the running rptparse
#	rp_json ARGS...		stsctl report ARGS --json
#	rp_nstored		the number of reports report list shows
#	rp_metric NAME		NAME's value in rptparse's newest metrics file
#	rp_silent_restart [SECONDS]	rptparse anew (its silent-reporter
#		job runs at start): waits 20 s for the new rptparse, then up
#		to SECONDS (20) for the job's next run to be logged
#	rp_gauge_is VALUE	stsd_rptparse_silent_reporters is VALUE
#	rp_webhook DIR		tests/dnsmon/webhook.py on 127.0.0.1:$HOOK,
#		writing DIR/hook.log, stopped at exit; the script fails and
#		ends when it does not answer within 10 s.  Sets RP_WEBHOOK_CF,
#		the main.cf line that sends the alerts there
#	RP_WAKEUP=N		(set before rp_start) rptparse's wakeup time
#	RP_HTTPD=1		(set before rp_start) keep httpd as well, with a
#		certificate of mta-sts.a.example from a test CA in RP_DIR/ca;
#		sets RP_HTTPS (its port); rp_post FILE TYPE POSTs a report
#
# Made and started by tests/instance.sh; the script is skipped when the
# build has no stsd, master, rptparse or a stsctl with "report".  Set
# RPTPARSE_STSCTL to try another stsctl binary, RP_LIBEXEC (before
# rp_start) for another daemon directory.

source "$SRCDIR/tests/instance.sh"

RP_LIBEXEC=$LIBEXEC
RP_STSD=$STSD_BIN
RP_STSCTL=${RPTPARSE_STSCTL:-$STSCTL_BIN}
RP_SPOOLPUT=$BUILDDIR/tests/rptparse/spoolput
FIX=$SRCDIR/tests/rptparse/fixtures

rp_start() {
	local LIBEXEC=$RP_LIBEXEC
	inst_need master rptparse stsd stsconf
	[ -x "$RP_SPOOLPUT" ] || skip_all "no spoolput in $BUILDDIR"
	RP_DIR=$(t_tmpdir)/i
	inst_init "$RP_DIR" || return 1
	RP_SMTP=$SMTP_PORT
	RP_HTTPS=$HTTPS_PORT
	# Only what the tests need: policyd, rptparse, rptrecv (and httpd).
	if [ -n "${RP_HTTPD:-}" ]; then
		inst_only policyd rptparse rptrecv httpd
	else
		inst_only policyd rptparse rptrecv
	fi
	# RP_WAKEUP: rptparse's wakeup time, in place of the one init wrote.
	[ -z "${RP_WAKEUP:-}" ] || inst_field "rptparse/unix/wakeup=$RP_WAKEUP"
	inst_lines "$@" || return 1
	RP_SPOOL=$RP_DIR/spool
	RP_OWNER=$(inst_owner)
	[ -z "${RP_HTTPD:-}" ] || inst_cert mta-sts.a.example || return 1
	RP_LOG=$(sed -n 's/^maillog_file *= *//p' "$RP_DIR/etc/main.cf")
	STSCTL="$RP_STSCTL -c $RP_DIR/etc"
	$STSCTL report 2>&1 | grep -q 'usage: stsctl report' ||
		skip_all "$RP_STSCTL has no report command"
	inst_start || return 1
	wait_until 10 test -S "$RP_SPOOL/private/rptparse" &&
		inst_wait_policyd
}

# rp_post FILE TYPE: POSTs FILE to httpd (RP_HTTPD=1) as a report over
# HTTPS; prints the answer's body, then its status.
rp_begin() {
	rp_start "$@" || { fail "instance starts"; done_testing; }
	[ -n "${T:-}" ] || T=$(t_tmpdir)
}

rp_post() {
	curl -sS --max-time 10 --cacert "$RP_DIR/ca/ca.pem" \
	    --resolve "mta-sts.a.example:$RP_HTTPS:127.0.0.1" \
	    -H "Content-Type: $2" --data-binary "@$1" -w '\n%{http_code}\n' \
	    "https://mta-sts.a.example:$RP_HTTPS/tlsrpt"
}

# As mail_owner, the owner of what rptrecv and httpd spool.
rp_put() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$RP_OWNER" -- "$RP_SPOOLPUT" "$RP_SPOOL" "$@"
	else
		"$RP_SPOOLPUT" "$RP_SPOOL" "$@"
	fi
}

rp_empty() {
	[ -z "$(ls -A "$RP_SPOOL/incoming" "$RP_SPOOL/active" 2>/dev/null |
	    grep -v -e '^$' -e ':$')" ]
}
rp_idle() { wait_until "${1:-20}" rp_empty; }

rp_pid() {
	"$RP_STSD" -c "$RP_DIR/etc" status 2>/dev/null |
	    awk '$1 == "rptparse" && $4 == "running" { print $3; exit }'
}

rp_metric() {
	local f
	f=$(ls -t "$RP_SPOOL"/metrics/rptparse.* 2>/dev/null | head -1)
	[ -n "$f" ] && awk -v s="$1" '$1 == s { print $2 + 0 }' "$f"
}

# The runs of the silent-reporter job that rptparse logged.
rp_silent_runs() { grep -c 'rptparse.*silent reporters: [0-9]*, ' "$RP_LOG"; }

rp_silent_restart() {
	local pid n
	pid=$(rp_pid)
	n=$(rp_silent_runs)
	kill "$pid"
	rp_respawned() { local p; p=$(rp_pid); [ -n "$p" ] && [ "$p" != "$pid" ]; }
	wait_until 20 rp_respawned || return 1
	wait_until "${1:-20}" sh -c "[ \$(grep -c 'rptparse.*silent reporters: [0-9]*, ' '$RP_LOG') -gt $n ]"
}

rp_gauge_is() { [ "$(rp_metric stsd_rptparse_silent_reporters)" = "$1" ]; }

rp_webhook() {
	HOOK=$(free_port)
	RP_WEBHOOK_CF="alert_webhook_url = http://127.0.0.1:$HOOK/alert"
	python3 "$SRCDIR/tests/dnsmon/webhook.py" 127.0.0.1 "$HOOK" \
	    "$1/hook.log" >/dev/null 2>&1 &
	at_exit "kill $!"
	wait_until 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $HOOK), 1)" ||
		{ fail "webhook receiver starts"; done_testing; }
}

rp_reason() { cat "$RP_SPOOL/corrupt/$1.reason" 2>/dev/null; }

rp_json() { $STSCTL report "$@" --json; }
# rp_nstored: the number of reports that report list shows.
rp_nstored() { rp_json list | jq '.reports | length'; }

rp_attach() {	# file gzip: base64 of the file, gzipped first if asked
	if [ "$2" = gzip ]; then gzip -9nc "$1"; else cat "$1"; fi |
	    base64 -w 76
}

rp_mail() {
	local type=$1 name=$2 file=$3 how=${4:-plain} n=""
	[ "$name" != - ] && n="; name=\"$name\""
	printf 'From: TLS Reports <reports@sender.example>\r\n'
	printf 'To: tlsrpt@demo.test\r\nSubject: Report\r\n'
	printf 'Date: Fri, 20 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/report; report-type=tlsrpt;'
	printf ' boundary="rpb"\r\n\r\n--rpb\r\n'
	printf 'Content-Type: text/plain\r\n\r\nA TLS report.\r\n--rpb\r\n'
	printf 'Content-Type: %s%s\r\n' "$type" "$n"
	[ "$name" != - ] &&
		printf 'Content-Disposition: attachment; filename="%s"\r\n' "$name"
	printf 'Content-Transfer-Encoding: base64\r\n\r\n'
	rp_attach "$file" "$how" | sed 's/$/\r/'
	printf -- '--rpb--\r\n'
}

rp_https() {
	printf 'X-Stsd-Via: https\r\nContent-Type: %s\r\n\r\n' "$1"
	if [ "${3:-}" = gzip ]; then gzip -9nc "$2"; else cat "$2"; fi
}
