# tests/rptrecv/instance.sh - a running stsd instance with rptrecv, for the
# rptrecv tests.  Source after tests/lib.sh.
# SPDX-License-Identifier: ISC
#
#	rr_start [main.cf lines...]	tests/instance.sh's instance in a
#		fresh directory with rptrecv alone on 127.0.0.1:$RR_PORT,
#		its master in the foreground (inst_start_fg); waits until
#		rptrecv answers; sets RR_DIR, RR_PORT, RR_SPOOL, RR_LOG; calls
#		the function rr_prepare_hook, when the script has one, just
#		before the start
#	rr_started [main.cf lines...]	rr_start, or the script fails
#		("the instance starts") and ends
#	RR_CHROOT=n			before rr_start: run rptrecv without
#					chroot (LeakSanitizer needs /proc)
#	RR_CERT=HOST			before rr_start: rptrecv has a
#					certificate of HOST (inst_cert), from
#					the CA RR_DIR/ca/ca.pem
#	rr_leaks			the sanitizer reports of the processes
#					that have exited, from master's stderr
#	rr_pid				pid of the running rptrecv
#	rr_stop				stop the instance (done at exit)
#	rr_spooled			number of messages in incoming/
#	rr_smtp MODE ARGS		tests/rptrecv/smtpclient.pl against it
#	rr_clients MODE ARGS		tests/rptrecv/clients.py against it
#	rr_swaks ARGS			swaks from a@b.example to
#					tlsrpt@sts.test through it, stderr too
#	rr_swaks_tls ARGS		the same with STARTTLS, verifying the
#					RR_CERT certificate of localhost

source "$SRCDIR/tests/instance.sh"

RR_ZONE=sts.test

rr_started() {
	rr_start "$@" || { fail "the instance starts"; done_testing; }
}

rr_start() {
	inst_need master rptrecv stsd stsconf
	RR_DIR=$(t_tmpdir)
	inst_init "$RR_DIR" --force || return 1
	RR_PORT=$SMTP_PORT
	RR_SPOOL=$RR_DIR/spool
	RR_LOG=$RR_DIR/log/stsd.log
	# Only rptrecv: rptparse would take the messages.
	inst_only rptrecv
	[ "${RR_CHROOT:-y}" = y ] || inst_field "127.0.0.1:$RR_PORT/inet/chroot=n"
	inst_set "sts_zone=$RR_ZONE" "maillog_file=$RR_LOG" || return 1
	inst_lines "$@" || return 1
	[ -z "${RR_CERT:-}" ] || inst_cert "$RR_CERT" || return 1
	if declare -F rr_prepare_hook >/dev/null; then
		rr_prepare_hook
	fi
	inst_start_fg || return 1
	wait_until 10 rr_answers
}

rr_answers() {
	exec 9<>"/dev/tcp/127.0.0.1/$RR_PORT" || return 1
	local greeting
	read -r -t 5 greeting <&9
	exec 9>&-
	case $greeting in 220*) return 0 ;; esac
	return 1
}

rr_pid() {
	awk '$1 ~ /:/ && $3 != 0 { print $3 }' "$RR_SPOOL/pid/services" \
		2>/dev/null | head -1
}

rr_stop() { inst_stop_fg; }

rr_leaks() {
	grep -E 'ERROR: (Leak|Address)Sanitizer|runtime error' \
		"$RR_DIR/log/master.out" 2>/dev/null
}

rr_spooled() {
	find "$RR_SPOOL/incoming" -type f ! -name '*.tmp' | wc -l
}

# rr_smtp MODE ARGS: smtpclient.pl against the instance (see there).
rr_smtp() {
	perl "$SRCDIR/tests/rptrecv/smtpclient.pl" "$RR_PORT" "$@"
}

# rr_clients MODE ARGS: clients.py against the instance (see there).
rr_clients() {
	python3 "$SRCDIR/tests/rptrecv/clients.py" "$RR_PORT" "$@"
}

rr_swaks() {
	swaks --server "127.0.0.1:$RR_PORT" --from a@b.example \
		--to "tlsrpt@$RR_ZONE" "$@" 2>&1
}

rr_swaks_tls() {
	rr_swaks --tls --tls-verify --tls-ca-path "$RR_DIR/ca/ca.pem" \
		--tls-sni localhost "$@"
}
