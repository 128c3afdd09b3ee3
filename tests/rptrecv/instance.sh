# tests/rptrecv/instance.sh - a running stsd instance with rptrecv, for the
# rptrecv tests.  Source after tests/lib.sh.
# SPDX-License-Identifier: ISC
#
#	rr_start [main.cf lines...]	make an instance in a fresh directory
#		with rptrecv on 127.0.0.1:$RR_PORT, start it, wait until it
#		answers; sets RR_DIR, RR_PORT, RR_SPOOL, RR_LOG; calls the
#		function rr_prepare_hook, when the script has one, just
#		before the start
#	RR_CHROOT=n			before rr_start: run rptrecv without
#					chroot (LeakSanitizer needs /proc)
#	rr_leaks			the sanitizer reports of the processes
#					that have exited, from master's stderr
#	rr_pid				pid of the running rptrecv
#	rr_stop				stop the instance (registered at_exit)
#	rr_spooled			number of messages in incoming/
#	rr_smtp MODE ARGS		tests/rptrecv/smtpclient.pl against it
#
# Uses "stsd init" when the build has it (and appends the rptrecv line to
# master.cf when init does not write one); otherwise lays out the same
# directories by hand.  Skips the script when the build has no master.

RR_LIBEXEC=$BUILDDIR/libexec
RR_ZONE=sts.test

rr_user() {
	if [ "$(id -u)" = 0 ]; then
		id stsd >/dev/null 2>&1 || useradd --system --no-create-home \
			--shell /usr/sbin/nologin stsd >/dev/null 2>&1
		echo stsd
	else
		id -un
	fi
}

rr_layout() {
	local d=$1 owner=$2 sub
	mkdir -p "$d/etc" "$d/data" "$d/spool/certs" "$d/log" "$d/spool/pid"
	for sub in incoming active deferred corrupt private public; do
		mkdir -p "$d/spool/$sub"
		chmod 700 "$d/spool/$sub"
		chown "$owner:" "$d/spool/$sub"
	done
	chmod 700 "$d/data" "$d/spool/certs"
	chown -R "$owner:" "$d/data" "$d/log" "$d/spool/certs"
	cat >"$d/etc/main.cf" <<EOC
config_directory = $d/etc
data_directory = $d/data
queue_directory = $d/spool
daemon_directory = $RR_LIBEXEC
maillog_file = $d/log/stsd.log
mail_owner = $owner
myhostname = localhost
sts_zone = $RR_ZONE
domain_verification = none
EOC
	: >"$d/etc/master.cf"
}

rr_start() {
	local owner line
	[ -x "$RR_LIBEXEC/master" ] && [ -x "$RR_LIBEXEC/rptrecv" ] ||
		skip_all "no master or rptrecv in $RR_LIBEXEC"
	RR_DIR=$(t_tmpdir)
	RR_PORT=$(free_port)
	RR_SPOOL=$RR_DIR/spool
	RR_LOG=$RR_DIR/log/stsd.log
	owner=$(rr_user)
	if [ -x "$BUILDDIR/stsd/stsd" ] && "$BUILDDIR/stsd/stsd" init "$RR_DIR" \
	    --daemon-directory "$RR_LIBEXEC" --smtp-port "$RR_PORT" \
	    --force >/dev/null 2>&1; then
		# Only rptrecv: the other services would take the messages
		# (rptparse) or ports that other tests use.
		grep -E '^[[:space:]]*(#|$)| rptrecv' "$RR_DIR/etc/master.cf" \
			>"$RR_DIR/etc/master.cf.new"
		mv "$RR_DIR/etc/master.cf.new" "$RR_DIR/etc/master.cf"
		if [ "${RR_CHROOT:-y}" = n ]; then
			sed -i '/ rptrecv/s/ inet  *\([^ ]*\)  *\([^ ]*\)  *y / inet \1 \2 n /' \
				"$RR_DIR/etc/master.cf"
		fi
		grep -q ' rptrecv' "$RR_DIR/etc/master.cf" ||
			echo "127.0.0.1:$RR_PORT inet n y ${RR_CHROOT:-y} - 1 rptrecv" \
				>>"$RR_DIR/etc/master.cf"
		sed -i -e "s|^sts_zone = .*|sts_zone = $RR_ZONE|" \
			-e "s|^maillog_file = .*|maillog_file = $RR_LOG|" "$RR_DIR/etc/main.cf"
		"$BUILDDIR/stsd/stsd" -c "$RR_DIR/etc" check >/dev/null 2>&1
	else
		rr_layout "$RR_DIR" "$owner"
		echo "127.0.0.1:$RR_PORT inet n y ${RR_CHROOT:-y} - 1 rptrecv" \
			>>"$RR_DIR/etc/master.cf"
	fi
	for line in "$@"; do
		echo "$line" >>"$RR_DIR/etc/main.cf"
	done
	if declare -F rr_prepare_hook >/dev/null; then
		rr_prepare_hook
	fi
	mkdir -p "$RR_DIR/log"
	at_exit rr_stop
	# In the foreground (-f) and in the background of this script: the
	# test holds master's pid itself and sees its stderr in the log.
	"$RR_LIBEXEC/master" -c "$RR_DIR/etc" -f >>"$RR_DIR/log/master.out" 2>&1 &
	RR_MASTER=$!
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

rr_master_pid() {
	echo "${RR_MASTER:-}"
}

rr_pid() {
	awk '$1 ~ /:/ && $3 != 0 { print $3 }' "$RR_SPOOL/pid/services" \
		2>/dev/null | head -1
}

rr_stop() {
	local pid
	pid=$(rr_master_pid)
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
}

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
