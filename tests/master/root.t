#!/bin/bash
# As root: master binds a port below 1024 itself and the worker that
# answers on it runs as mail_owner; unix sockets get mail_owner and
# setgid_group; a chrooted worker still answers.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/master/master.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root"
t_need ss

low_port() {
	local p
	for p in $(seq 1000 -1 600); do
		if ! ss -Htlna | awk '{print $4}' | grep -q ":$p\$"; then
			echo "$p"
			return
		fi
	done
}

m_instance
LOW=$(low_port)
[ -n "$LOW" ] || skip_all "no free port below 1024"
cat >"$D/etc/master.cf" <<EOF
127.0.0.1:$LOW inet n - - - - testworker
jailed unix - - y - - testworker
EOF
m_start
stsd_uid=$(id -u stsd)

reply=$(m_ask "$LOW")
like "$reply" "^127\.0\.0\.1:$LOW [0-9]+ $stsd_uid$" \
    "the worker on port $LOW answers as mail_owner (uid $stsd_uid)"
like "$(ss -Hltnp "sport = :$LOW")" "users:.*\"stsd/master\",pid=$M_PID," \
    "master holds the listening socket of port $LOW"
pid=$(m_pids "127.0.0.1:$LOW")
is "$(ps -o uid= -p "$pid" | tr -d ' ')" "$stsd_uid" "the worker process runs with mail_owner's uid"
is "$(ps -o uid= -p "$M_PID" | tr -d ' ')" 0 "master stays root"

sock=$D/queue/private/jailed
is "$(stat -c '%U %G %a' "$sock")" "stsd $(id -gn stsd) 600" \
    "private socket: owner mail_owner, mode 0600"
like "$(m_ask_unix "$sock")" "^jailed [0-9]+ $stsd_uid$" \
    "a chrooted worker answers as mail_owner"
jpid=$(m_pids jailed)
is "$(readlink "/proc/$jpid/root")" "$D/queue" \
    "the chrooted worker's root is queue_directory"

m_stop
ok "no sanitizer report from master or workers" m_sanitizer_clean "$jpid"
done_testing
