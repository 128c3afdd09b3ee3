# tests/webd/portal.t - the portal through the real httpd, webd and
# policyd: sign-in (right, wrong password, unknown account: one answer),
# the cookie's flags, no session fixation, CSRF, sign-out, the security
# fields of every answer, tenant isolation of the pages, hostile input
# (a 1 MB form, 10,000 or 100 KB header fields, control characters,
# a 100 KB path), throttling of sign-ins per account and per client,
# webd stopped (504), killed (answered by its restart) and absent (503)
# while httpd stays up.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl
t_need curl python3

t=$(t_tmpdir)
portal_start "$t/i" portal_signin_limit=12 portal_timeout=3s

# The sign-in form, and the visitor's session that carries its token.
head=$(web -D - -o "$t/form" -c "$t/pre" /)
like "$head" '^HTTP/1.1 200 ' "GET / without a session: 200"
like "$(cat "$t/form")" '<form method="post" action="/signin">' "... the sign-in form"
like "$(cat "$t/form")" 'name="csrf" value="[0-9a-f]{64}"' "... with a CSRF token"
like "$head" $'Set-Cookie: stsd_session=[0-9a-f]{64}; Secure; HttpOnly; SameSite=Strict; Path=/\r' \
	"the session cookie: Secure, HttpOnly, SameSite=Strict, Path=/"
like "$head" "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'" \
	"Content-Security-Policy"
like "$head" $'X-Content-Type-Options: nosniff\r' "X-Content-Type-Options: nosniff"
like "$head" $'Referrer-Policy: no-referrer\r' "Referrer-Policy: no-referrer"
like "$head" $'Cache-Control: no-store\r' "Cache-Control: no-store"
pre=$(awk '$6 == "stsd_session" { print $7 }' "$t/pre")

# Wrong password and unknown account: the same answer.
is "$(signin "$t/w" alice 'not the password')" 403 "wrong password: 403"
wrong=$(sed 's/value="[0-9a-f]*"/value=X/' "$t/w.out")
is "$(signin "$t/u" nobody 'not the password')" 403 "unknown account: 403"
is "$(sed 's/value="[0-9a-f]*"/value=X/' "$t/u.out")" "$wrong" \
	"unknown account and wrong password: the same page"
like "$wrong" 'The account name or the password is wrong' "... which says so"

# Sign-in: a new session, not the visitor's (no fixation).
cp "$t/pre" "$t/a"
web -c "$t/a" -b "$t/a" -o "$t/a.page" / >/dev/null
code=$(web -b "$t/a" -c "$t/a" -D "$t/a.head" -o /dev/null -w '%{http_code}' \
	--data-urlencode "csrf=$(csrf "$t/form")" --data-urlencode name=alice \
	--data-urlencode "password=$PW_A" /signin)
is "$code" 303 "right password: 303 to /"
like "$(cat "$t/a.head")" $'Location: /\r' "... Location: /"
post=$(awk '$6 == "stsd_session" { print $7 }' "$t/a")
like "$post" '^[0-9a-f]{64}$' "a session cookie after sign-in"
nok "the session after sign-in is not the one set before it" test "$post" = "$pre"
page=$(web -b "pre_session_cookie_is_dead=1; stsd_session=$pre" /)
like "$page" 'action="/signin"' "the id set before sign-in is signed out now"

# The account's domains, and only them.
page=$(web -b "$t/a" -D "$t/list.head" /)
like "$page" '<a href="/domains/a.example">a.example</a></td><td>testing</td>' \
	"alice's list: a.example, its mode"
like "$page" 'a2.example' "alice's list: a2.example"
unlike "$page" 'b\.example|c\.example' "alice's list shows neither bob's domain nor one of nobody's"
like "$(cat "$t/list.head")" $'Cache-Control: no-store\r' "the list: Cache-Control: no-store"
like "$(web -b "$t/a" /domains/a.example)" '<h1>a.example</h1>' "alice's domain page"

# Tenant isolation: bob's session gets 404 for every page naming alice's
# domains, the same as for a domain nobody hosts.
is "$(signin "$t/b" bob "$PW_B")" 303 "bob signs in"
for d in a.example A.Example a2.example c.example nosuch.example; do
	is "$(web -b "$t/b" -o /dev/null -w '%{http_code}' "/domains/$d")" 404 \
		"bob: /domains/$d: 404"
done
is "$(web -b "$t/b" /domains/a.example)" "$(web -b "$t/b" /domains/nosuch.example)" \
	"the 404 of alice's domain is that of one not hosted"
page=$(web -b "$t/b" /)
like "$page" 'b\.example' "bob's list: b.example"
unlike "$page" 'a\.example|a2\.example' "bob's list shows none of alice's"

# CSRF: a sign-out without the token, or with another session's, is refused.
is "$(web -b "$t/a" -o /dev/null -w '%{http_code}' -d x=1 /signout)" 403 \
	"sign-out without a CSRF token: 403"
web -b "$t/b" -o "$t/b.page" / >/dev/null
is "$(web -b "$t/a" -o /dev/null -w '%{http_code}' --data-urlencode \
	"csrf=$(csrf "$t/b.page")" /signout)" 403 "sign-out with bob's token in alice's session: 403"
is "$(web -o /dev/null -w '%{http_code}' --data-urlencode csrf=0 \
	--data-urlencode name=alice --data-urlencode "password=$PW_A" /signin)" 403 \
	"sign-in without a session's CSRF token: 403, even with the right password"
like "$(web -b "$t/a" /)" 'a2\.example' "alice is still signed in"

# Sign-out ends the session.
web -b "$t/a" -o "$t/a.page" / >/dev/null
head=$(web -b "$t/a" -D - -o /dev/null --data-urlencode "csrf=$(csrf "$t/a.page")" /signout)
like "$head" '^HTTP/1.1 303 ' "sign-out: 303"
like "$head" 'Set-Cookie: stsd_session=; .*Max-Age=0' "... the cookie is cleared"
like "$(web -b "$t/a" /)" 'action="/signin"' "the signed-out session shows the sign-in form"
is "$(web -b "$t/a" -o /dev/null -w '%{http_code}' /domains/a.example)" 303 \
	"... and no domain page"

# Every answer carries the security fields: errors, 405, the style sheet.
for args in "/nosuch" "-X DELETE /" "/style.css" "-X GET /signin" "/api/v1/domains"; do
	# shellcheck disable=SC2086
	h=$(web -D - -o /dev/null $args)
	ok "security fields on the answer to $args" sh -c \
		"printf '%s' \"\$1\" | grep -q \"frame-ancestors 'none'\" &&
		 printf '%s' \"\$1\" | grep -q 'X-Content-Type-Options: nosniff' &&
		 printf '%s' \"\$1\" | grep -q 'Referrer-Policy: no-referrer'" _ "$h"
done

# Hostile input.
head -c 1048576 /dev/zero | tr '\0' a >"$t/big"
is "$(web -o /dev/null -w '%{http_code}' --data-binary "@$t/big" /signin)" 413 \
	"a 1 MB form: 413"
python3 -c 'import sys; [print("-H\nX-%d: v" % i) for i in range(10000)]' >"$t/hdrs"
code=$(xargs -d '\n' -a "$t/hdrs" sh -c 'curl -sS --max-time 20 --cacert "$0" \
	--resolve "'$PORTAL:$HTTPS_PORT':127.0.0.1" -o /dev/null -w "%{http_code}" "$@" \
	"https://'$PORTAL:$HTTPS_PORT'/"' "$I/ca/ca.pem")
is "$code" 431 "10,000 header fields: 431"
long=$(head -c 102400 /dev/zero | tr '\0' b)
is "$(web -o /dev/null -w '%{http_code}' -H "X-Long: $long" /)" 431 "a 100 KB header field: 431"
is "$(web -o /dev/null -w '%{http_code}' "/$long")" 414 "a 100 KB path: 414"
web -c "$t/h" -o "$t/h.page" / >/dev/null
for v in $'al\nice' $'al\rice' $'a\x01b' ; do
	is "$(web -b "$t/h" -o "$t/h.out" -w '%{http_code}' --data-urlencode "csrf=$(csrf "$t/h.page")" \
		--data-urlencode "name=$v" --data-urlencode "password=x" /signin)" 400 \
		"a control character in the account name: 400"
	is "$(web -b "$t/h" -o "$t/h.out" -w '%{http_code}' --data-urlencode "csrf=$(csrf "$t/h.page")" \
		--data-urlencode "name=alice" --data-urlencode "password=p${v}w" /signin)" 400 \
		"a control character in the password: 400"
done
like "$(cat "$t/h.out")" 'form field password: a bad %-escape or a control character' \
	"... the answer names the field"

# Throttling, per account: carol's attempts from many addresses.
for n in $(seq 2 14); do
	code=$(signin "$t/c$n" carol wrong --interface "127.0.0.$n")
done
is "$(web --interface 127.0.0.30 -c "$t/cx" -b "$t/cx" -o "$t/cx.page" / >/dev/null;
	web --interface 127.0.0.30 -b "$t/cx" -D - -o /dev/null \
	--data-urlencode "csrf=$(csrf "$t/cx.page")" --data-urlencode name=carol \
	--data-urlencode password=x /signin | head -1 | tr -d '\r')" \
	"HTTP/1.1 429 Too Many Requests" "the 13th attempt for one account, from a new address: 429"
ok "... logged with the account" grep -q 'sign-in as carol refused: more than 12 attempts' "$I/log/stsd.log"

# ... and per client: a flood of sign-ins from one address.
web --interface 127.0.0.40 -c "$t/f" -o "$t/f.page" / >/dev/null
codes=""
for n in $(seq 1 20); do
	codes="$codes $(web --interface 127.0.0.40 -b "$t/f" -o /dev/null -w '%{http_code}' \
		--data-urlencode "csrf=$(csrf "$t/f.page")" --data-urlencode "name=u$n" \
		--data-urlencode password=x /signin)"
done
like "$codes" '^( 403){12}( 429){8}$' "a flood of 20 sign-ins from one address: 12 answered, then 429"
is "$(signin "$t/ok" alice "$PW_A")" 303 "another client still signs in"

# webd stopped: httpd answers 504 in portal_timeout and stays up.
pid=$(inst_pid webd)
kill -STOP "$pid"
start=$SECONDS
is "$(web -o /dev/null -w '%{http_code}' /)" 504 "webd stopped: 504"
ok "... within portal_timeout and a margin" test $((SECONDS - start)) -le 10
kill -CONT "$pid"
is "$(curl -s --cacert "$I/ca/ca.pem" --resolve "mta-sts.a.example:$HTTPS_PORT:127.0.0.1" \
	-o /dev/null -w '%{http_code}' "https://mta-sts.a.example:$HTTPS_PORT/.well-known/mta-sts.txt")" \
	200 "the policy host is served meanwhile"

# webd killed: master keeps its socket and starts it again; the request
# waits in the socket's queue and is answered, httpd is the same process.
httpd0=$(inst_pid httpd | sort | tr '\n' ' ')
kill -KILL "$(inst_pid webd)"
is "$(web -o /dev/null -w '%{http_code}' /)" 200 "webd killed: the next request is answered by its restart"
is "$(inst_pid httpd | sort | tr '\n' ' ')" "$httpd0" "httpd stays up (the same processes)"

# webd gone (no socket): 503, logged once a minute, httpd stays up.
inst_only policyd httpd
$STSD reload >/dev/null 2>&1
wait_until 10 sh -c "! test -S '$(inst_param queue_directory)/private/webd'"
for n in 1 2 3 4 5 6; do
	codes="$(web -D - -o /dev/null /)"
done
like "$codes" '^HTTP/1.1 503 ' "webd not running: 503"
like "$codes" $'Retry-After: [0-9]+\r' "... with Retry-After"
ok "six refusals, at most one log line per httpd process (maxproc 2)" \
	test "$(grep -c 'webd is not answering' "$I/log/stsd.log")" -le 2
like "$(grep 'webd is not answering' "$I/log/stsd.log" | head -1)" \
	'stsd/httpd\[[0-9]+\]: (warning: )?portal portal.example: webd is not answering \(private/webd: No such file or directory\); 1 request refused with 503' \
	"... naming the portal host and the cause"
is "$(curl -s --cacert "$I/ca/ca.pem" --resolve "mta-sts.a.example:$HTTPS_PORT:127.0.0.1" \
	-o /dev/null -w '%{http_code}' "https://mta-sts.a.example:$HTTPS_PORT/.well-known/mta-sts.txt")" \
	200 "httpd still serves the policy host"
portal_sanitizers
done_testing
