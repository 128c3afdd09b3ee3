# tests/webd/session.t - a signed-in session ends portal_session_time
# after the sign-in (60 s here, the least the parameter takes): before
# then the account's pages answer, after it the same cookie gets the
# sign-in form on / and 303 to it from the other pages and forms (the
# session and its CSRF token are gone: nothing is changed).
# slow
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl
t_need curl

LIFE=60			# portal_session_time, seconds

t=$(t_tmpdir)
portal_start "$t/i" portal_session_time=${LIFE}s

start=$(date +%s)
is "$(signin "$t/a" alice "$PW_A")" 303 "alice signs in"
web -b "$t/a" -o "$t/page" / >/dev/null
like "$(cat "$t/page")" '<h1>Your domains</h1>' "at once: her domains"
token=$(csrf "$t/page")
sleep $((LIFE / 2))
web -b "$t/a" -o "$t/page" / >/dev/null
like "$(cat "$t/page")" '<h1>Your domains</h1>' "after $((LIFE / 2)) s: still signed in"
now=$(date +%s)
sleep $((start + LIFE + 2 - now))
web -b "$t/a" -o "$t/page" / >/dev/null
like "$(cat "$t/page")" 'action="/signin"' "after $((LIFE + 2)) s: the sign-in form"
unlike "$(cat "$t/page")" 'Your domains' "... not her domains"
is "$(web -b "$t/a" -o /dev/null -w '%{http_code}' /domains/a.example/manage)" 303 \
	"... a domain's page: 303 to the sign-in"
is "$(web -b "$t/a" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$token" \
	-d mx0=mx.a.example -d mode=none /domains/a.example/policy)" 303 \
	"... a form with the old session's token: not taken (303 to the sign-in)"
is "$($STSCTL domain show a.example --json | sed -n 's/.*"mode": "\([a-z]*\)".*/\1/p' | head -1)" testing \
	"... nothing changed"
portal_sanitizers
done_testing
