# tests/master/master.sh - helpers for the stsd-master(8) tests; sourced by
# tests/master/*.t after tests/lib.sh.
# SPDX-License-Identifier: ISC
#
# m_instance	makes an instance in a fresh directory $D: etc/main.cf
#		with every path under $D, libexec/testworker, queue/private,
#		queue/public, queue/pid.  mail_owner is stsd when run as root
#		(the user is created when missing), else the current user.
# m_start [args]	starts "master -f" in the background (pid $M_PID);
#		waits until its services file exists
# m_stop	SIGTERM to master, waits for it to exit
# m_pids SERVICE	pids of the running processes of SERVICE
# m_ask PORT	the line a test worker answers on 127.0.0.1:PORT
# m_ask_unix PATH	the same, on a unix socket

M_MASTER=$BUILDDIR/master/master
M_WORKER=$BUILDDIR/tests/master/testworker
[ -x "$M_MASTER" ] && [ -x "$M_WORKER" ] ||
	skip_all "master or testworker not built in $BUILDDIR"

m_owner() {
	t_stsd_user
	if [ "$(id -u)" = 0 ]; then echo stsd; else id -un; fi
}

m_instance() {
	D=$(t_tmpdir)
	mkdir -p "$D/etc" "$D/data" "$D/libexec" \
	    "$D/queue/private" "$D/queue/public" "$D/queue/pid"
	ln -s "$M_WORKER" "$D/libexec/testworker"
	M_OWNER=$(m_owner)
	cat >"$D/etc/main.cf" <<EOT
queue_directory = $D/queue
data_directory = $D/data
daemon_directory = $D/libexec
maillog_file = $D/maillog
mail_owner = $M_OWNER
setgid_group = $(id -gn "$M_OWNER")
EOT
	touch "$D/maillog"
	chmod 666 "$D/maillog"
}

m_start() {
	"$M_MASTER" -c "$D/etc" -f "$@" >>"$D/master.out" 2>&1 &
	M_PID=$!
	at_exit "kill -KILL $M_PID"
	wait_until 5 test -s "$D/queue/pid/services"
}

m_stop() {
	kill -TERM "$M_PID" 2>/dev/null
	wait "$M_PID" 2>/dev/null
}

m_pids() {
	awk -v s="$1" '$1 == s && $4 == "running" { print $3 }' \
	    "$D/queue/pid/services" 2>/dev/null | sort -n | tr '\n' ' ' |
	    sed 's/ $//'
}

m_ask() {
	timeout 3 bash -c "exec 5<>/dev/tcp/127.0.0.1/$1 && head -1 <&5" \
	    2>/dev/null
}

m_ask_unix() {
	timeout 3 perl -MIO::Socket::UNIX -e '
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 1;
		print scalar <$s>;' "$1" 2>/dev/null
}

# m_sanitizer_clean [PID...]: no sanitizer report from master or the
# workers.  LeakSanitizer cannot read /proc inside a chroot: its fatal
# error from the given (chrooted) pids is no finding.
m_sanitizer_clean() {
	local skip='^$' p
	for p in "$@"; do skip="$skip|==$p==|/proc/$p/"; done
	! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|Sanitizer has encountered' \
	    "$D/master.out" 2>/dev/null | grep -Ev "$skip" | grep -q .
}
