#!/bin/bash
# tests/httpd/reloadlog.t - a normal reload is quiet and the start-up
# lines speak plainly: after "stsd reload" (with a main.cf change, so
# that every daemon restarts) master, httpd and policyd log no warning
# and no error (httpd's "policyd: connection closed" is information);
# httpd says "serving HTTPS on 1 socket", not "socket(s)" nor the name
# of the libevent backend ("epoll"); master counts its services in the
# right number.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master stsd

T=$(t_tmpdir)
dir=$T/i
httpd_instance "$dir" || { fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
LOG=$dir/log/stsd.log
quiet $STSCTL domain add a.example --mx mx.a.example
wait_until 10 fetch mta-sts.a.example -f -o /dev/null || fail "policy served"

pids_of() {
	awk -v s="$1" '$1 == s && $4 == "running" && $3 > 0 { print $3 }' \
	    "$dir/spool/pid/services" | sort | tr '\n' ' '
}
https_svc=127.0.0.1:$HTTPS
restarted() { [ -n "$(pids_of "$https_svc")" ] && [ "$(pids_of "$https_svc")" != "$1" ]; }

for round in 1 2; do
	mark=$(wc -l <"$LOG")
	old=$(pids_of "$https_svc")
	inst_set "httpd_policyd_retry_time=$((2 + round))s"
	ok "stsd reload $round" quiet $STSD reload
	wait_until 20 restarted "$old" || fail "reload $round restarts httpd"
	wait_until 10 fetch mta-sts.a.example -f -o /dev/null ||
		fail "the policy is served after reload $round"
	# Give the restarted daemons time to say what they have to say.
	wait_until 10 sh -c "tail -n +$((mark + 1)) '$LOG' | grep -q 'serving HTTPS'"
	sleep 2
	after=$(tail -n +$((mark + 1)) "$LOG")
	# dnsmon and acmed have their own words about the test domain
	# (no DNS, no ACME server here); the daemons reloaded are quiet.
	is "$(printf '%s\n' "$after" | grep -E 'stsd/(master|httpd|policyd)\[' |
	    grep -Ei 'warning|error|fatal|panic')" "" \
		"no warning or error from master, httpd or policyd on reload $round"
	like "$after" "httpd\[[0-9]+\]: serving HTTPS on 1 socket(;|$)" \
		"httpd counts its socket in the singular (reload $round)"
	unlike "$after" '\(s\)|epoll|kqueue|changelist' \
		"no \"(s)\" and no libevent backend in the log (reload $round)"
	like "$after" "httpd\[[0-9]+\]: policyd: serving 1 policy \(" \
		"httpd counts its one policy in the singular (reload $round)"
done
like "$(cat "$LOG")" 'master\[[0-9]+\]: started, configuration .*, [0-9]+ services$' \
	"master counts its services in the plural"
done_testing
