#!/bin/bash
# slow (about 35 s: 30 s of sending while rptrecv is killed)
# rptrecv: no acknowledged message is ever lost.  smtp-source sends
# messages while rptrecv is killed with SIGKILL several times (master
# starts it again).  Every message that got "250 ... queued as ID" must be
# in incoming/ complete, each message at most once, and no partial
# message may be visible under a name that is not *.tmp.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptrecv/instance.sh"

t_need smtp-source

rr_started
pid0=$(rr_pid)

# smtp-source gives up on a lost connection: run it again until enough
# messages were tried.  -v prints each reply; its Message-Id header is
# unique per message (pid and counter).
log=$RR_DIR/source.log
(
	end=$((SECONDS + 30))
	while [ $SECONDS -lt $end ]; do
		smtp-source -v -m 200 -s 4 -l 3000 -f a@b.example -t tlsrpt@sts.test \
			"127.0.0.1:$RR_PORT" >>"$log" 2>&1
		[ "$(grep -c 'queued as' "$log")" -ge 1000 ] && break
	done
) &
sender=$!
at_exit "kill $sender"

kills=0
for i in 1 2 3 4 5; do
	sleep 1.5
	pid=$(rr_pid)
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
	wait_until 10 rr_answers
done
wait "$sender"
acked=$(grep -o 'queued as [0-9.]*' "$log" | awk '{print $3}' | sort)
nacked=$(echo "$acked" | grep -c .)
note "killed rptrecv $kills times; $nacked messages acknowledged; $(rr_spooled) in incoming/"
ok "rptrecv was killed and restarted" test "$kills" -ge 3 -a "$(rr_pid)" != "$pid0"
ok "at least 500 messages were acknowledged" test "$nacked" -ge 500

missing=0
for id in $acked; do
	[ -f "$RR_SPOOL/incoming/$id" ] || missing=$((missing + 1))
done
is "$missing" 0 "every acknowledged message is in incoming/"

# Complete: every visible message ends with the last line smtp-source
# writes and has one Message-Id; none is there twice.
partial=0
for f in $(find "$RR_SPOOL/incoming" -type f ! -name '*.tmp'); do
	[ "$(tail -c 2 "$f" | od -An -c | tr -d ' ')" = '\r\n' ] &&
	[ "$(grep -c '^Message-Id: ' "$f")" = 1 ] &&
	[ "$(wc -c <"$f")" -gt 3000 ] || partial=$((partial + 1))
done
is "$partial" 0 "no partial message is visible in incoming/"
dups=$(cat "$RR_SPOOL"/incoming/* 2>/dev/null | grep '^Message-Id: ' | sort | uniq -d | wc -l)
is "$dups" 0 "no message is in the spool twice"
unlike "$(cat "$RR_LOG")" "runtime error|Sanitizer" "no sanitizer report in the log"
done_testing
