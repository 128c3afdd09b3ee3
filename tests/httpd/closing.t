# tests/httpd/closing.t - how httpd closes a TLS connection after its
# last answer: a client that ended its side with close_notify is let go
# at once (no half-close held for the linger time); one that sent more
# after its "Connection: close" request still gets the whole answer,
# and a clean end rather than a reset.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master stsctl
t_need python3 ss

CL=$SRCDIR/tests/httpd/closing.py
dir=$(t_tmpdir)/i
httpd_instance "$dir" ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance with httpd starts"
$STSCTL domain add a.example --mx mx.a.example >/dev/null
wait_until 2 fetch mta-sts.a.example -f -o /dev/null || fail "policy served"

# close_notify after the answer: httpd closes its socket at once.  The
# linger time (2 s, conn.c) is what it would wait otherwise, for a
# client that keeps its socket open.
for i in 1 2 3; do
	out=$(python3 "$CL" "$HTTPS" mta-sts.a.example "$I/ca/ca.pem" notify)
	like "$out" "HTTP/1.1 200 OK" "close_notify client $i: 200"
	like "$out" "body ok" "close_notify client $i: the whole body"
	s=$(echo "$out" | awk '$1 == "released" { print $2 }')
	ok "close_notify client $i: httpd let go of it in $s s (< 1 s)" \
		[ -n "$s" ] && [ "$(awk -v s="$s" 'BEGIN { print (s < 1.0) }')" = 1 ]
done

# Data after the closing request: the answer whole, then a clean end.
for i in 1 2 3; do
	out=$(python3 "$CL" "$HTTPS" mta-sts.a.example "$I/ca/ca.pem" more)
	like "$out" "HTTP/1.1 200 OK" "more data after the request $i: 200"
	like "$out" "body ok" "more data after the request $i: the whole body"
	like "$out" "eof" "more data after the request $i: no reset"
done

done_testing
