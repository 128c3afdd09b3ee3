#!/bin/bash
# tests/webd/signup.t - self sign-up in the portal: off by default (no
# link, /signup 404 for GET and POST); on, the form makes an account
# through policyd with the operator's checks (name syntax, e-mail
# address, portal_password_min_length) and signs it in, with a new
# session, no domains and portal_default_quota; an existing name gets
# the answer of a name that cannot be used; stsctl audit shows the
# sign-up with the client's address; the new account adds a domain that
# waits for its TXT proof.  Hostile input: no CSRF token (403), fields
# too long, control characters and newlines in every field (400 naming
# the field), a 1 MB form (413), a flood of sign-ups from one address
# (429 with Retry-After after portal_signup_limit).
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/webd/instance.sh"

inst_need httpd policyd webd master stsctl stsd
t_need curl jq

t=$(t_tmpdir)
portal_start "$t/i" portal_default_quota=3 portal_password_min_length=12

# form ADDR JAR: the sign-up form into JAR.page, the session into JAR.
form() { web --interface "$1" -c "$2" -b "$2" -o "$2.page" -w '%{http_code}' /signup; }
# post ADDR JAR [curl options]: the status of POST /signup with JAR's
# CSRF token from ADDR; the page in JAR.out, the head in JAR.head.
post() {
	local a=$1 j=$2; shift 2
	web --interface "$a" -c "$j" -b "$j" -D "$j.head" -o "$j.out" -w '%{http_code}' \
		--data-urlencode "csrf=$(csrf "$j.page")" "$@" /signup
}
# good NAME PASSWORD: the fields of a good form into the array G.
good() { G=(--data-urlencode "name=$1" --data-urlencode "email=$1@d.example"
	--data-urlencode "password=$2" --data-urlencode "password2=$2"); }

# Off (portal_signup = no, the default).
web -c "$t/v0" -o "$t/v0.page" / >/dev/null
unlike "$(cat "$t/v0.page")" 'signup' "portal_signup = no: no sign-up link on the sign-in page"
is "$(web -o /dev/null -w '%{http_code}' /signup)" 404 "... GET /signup: 404"
good dan 'dan password 4444'
is "$(web -b "$t/v0" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$(csrf "$t/v0.page")" \
	"${G[@]}" /signup)" 404 "... POST /signup with a valid form: 404"
ok "... no account made" sh -c "! $STSCTL account show dan >/dev/null 2>&1"

# On.
$STSCONF -e portal_signup=yes portal_signup_limit=6 >/dev/null
$STSD reload >/dev/null 2>&1
wait_until 30 sh -c "test \"\$(curl -s --cacert '$I/ca/ca.pem' --resolve \
	'$PORTAL:$HTTPS_PORT:127.0.0.1' -o /dev/null -w '%{http_code}' \
	'https://$PORTAL:$HTTPS_PORT/signup')\" = 200"
inst_wait_policyd
like "$(web /)" '<a href="/signup">Create an account</a>' "portal_signup = yes: the sign-in page links the form"
is "$(form 127.0.0.1 "$t/s")" 200 "GET /signup: 200"
like "$(cat "$t/s.page")" '<form method="post" action="/signup">' "... the form"
like "$(cat "$t/s.page")" 'name="csrf" value="[0-9a-f]{64}"' "... with a CSRF token"
like "$(cat "$t/s.page")" 'name="password2"' "... the password twice"
like "$(cat "$t/s.page")" 'may manage 3 domains' "... which tells the quota"
pre=$(awk '$6 == "stsd_session" { print $7 }' "$t/s")

good dan 'dan password 4444'
is "$(web -o /dev/null -w '%{http_code}' "${G[@]}" /signup)" 403 \
	"no CSRF token: 403"
good alice 'another password 1'
is "$(post 127.0.0.1 "$t/s" "${G[@]}")" 400 "the name of an existing account: 400"
like "$(cat "$t/s.out")" 'this name cannot be used; choose another' "... this name cannot be used"
unlike "$(cat "$t/s.out")" 'exist' "... and nothing says that it exists"
good dan 'short'
is "$(post 127.0.0.1 "$t/s" "${G[@]}")" 400 "a short password: 400"
like "$(cat "$t/s.out")" 'portal_password_min_length' "... with policyd's reason"
is "$(post 127.0.0.1 "$t/s" --data-urlencode name=dan --data-urlencode email=dan@d.example \
	--data-urlencode 'password=dan password 4444' --data-urlencode 'password2=dan password 4445')" 400 \
	"the passwords differ: 400"
like "$(cat "$t/s.out")" 'The two passwords differ' "... says so"
like "$(cat "$t/s.out")" 'value="dan@d.example"' "... the form keeps the address"
is "$(post 127.0.0.1 "$t/s" --data-urlencode name=dan --data-urlencode 'email=<b>x' \
	--data-urlencode 'password=dan password 4444' --data-urlencode 'password2=dan password 4444')" 400 \
	"a bad e-mail address: 400"
like "$(cat "$t/s.out")" 'e-mail address &quot;&lt;b&gt;x&quot;' "... the reason, escaped"
ok "four refused sign-ups made no account" sh -c "! $STSCTL account show dan >/dev/null 2>&1"

# Hostile fields, from another address (the limit counts per address).
form 127.0.0.2 "$t/h" >/dev/null
fine=(--data-urlencode "name=dan" --data-urlencode "email=dan@d.example"
	--data-urlencode "password=dan password 4444" --data-urlencode "password2=dan password 4444")
for f in name email password password2; do
	for v in $'da\nn' $'da\rn' $'d\x01an' $'d\x7fan'; do
		# The first field of a name counts: the bad one, then the others.
		is "$(post 127.0.0.2 "$t/h" --data-urlencode "$f=$v" "${fine[@]}")" 400 \
			"a control character $(printf '%q' "$v") in $f: 400"
	done
	like "$(cat "$t/h.out")" "form field $f: a bad %-escape or a control character" "... naming $f"
	is "$(post 127.0.0.2 "$t/h" --data-urlencode "$f=$(head -c 2000 /dev/zero | tr '\0' x)" \
		"${fine[@]}")" 400 "2000 bytes of $f: 400"
	like "$(cat "$t/h.out")" "form field $f: too long" "... too long"
done
is "$(post 127.0.0.2 "$t/h" --data-urlencode "name=$(head -c 100 /dev/zero | tr '\0' d)" \
	--data-urlencode email=dan@d.example --data-urlencode 'password=dan password 4444' \
	--data-urlencode 'password2=dan password 4444')" 400 "a name of 100 characters: 400"
like "$(cat "$t/h.out")" 'account name' "... policyd's reason"
is "$(post 127.0.0.2 "$t/h" --data-urlencode name=Dan/.. --data-urlencode email=dan@d.example \
	--data-urlencode 'password=dan password 4444' --data-urlencode 'password2=dan password 4444')" 400 \
	"a name out of the syntax: 400"
head -c 1048576 /dev/zero | tr '\0' a >"$t/big"
is "$(web -b "$t/h" -o /dev/null -w '%{http_code}' --data-binary "@$t/big" /signup)" 413 \
	"a 1 MB form: 413"
ok "no account made by any of them" sh -c "! $STSCTL account show dan >/dev/null 2>&1"

# A sign-up that works: a new session, signed in, no domains.
form 127.0.0.3 "$t/d" >/dev/null
pre=$(awk '$6 == "stsd_session" { print $7 }' "$t/d")
good dan 'dan password 4444'
is "$(post 127.0.0.3 "$t/d" "${G[@]}")" 303 "dan signs up: 303"
like "$(cat "$t/d.head")" $'Location: /\r' "... to /"
post_id=$(awk '$6 == "stsd_session" { print $7 }' "$t/d")
like "$post_id" '^[0-9a-f]{64}$' "... with a session cookie"
nok "... a new session, not the visitor's" test "$post_id" = "$pre"
page=$(web -b "$t/d" /)
like "$page" 'Signed in as dan' "dan is signed in"
like "$page" 'No domains yet' "... with no domains"
like "$(web -b "stsd_session=$pre" /)" 'action="/signin"' "the visitor's id signs nobody in"
show=$($STSCTL account show dan --json)
is "$(printf '%s' "$show" | jq -c '.account | [.quota, .domains, .email, .password]')" \
	'[3,[],"dan@d.example",true]' "stsctl account show: quota portal_default_quota, no domains, a password"
like "$($STSCTL audit --account dan)" 'dan +127\.0\.0\.3 +account-signup +- +dan ' \
	"stsctl audit: account dan created by sign-up from 127.0.0.3"
ok "logged: created by sign-up from the address" \
	grep -q 'account dan: created by sign-up from 127.0.0.3' "$I/log/stsd.log"
is "$(signin "$t/d2" dan 'dan password 4444')" 303 "dan signs in with his password"

# His first domain waits for the TXT proof.
web -b "$t/d" -o "$t/add.page" /add >/dev/null
is "$(web -b "$t/d" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$(csrf "$t/add.page")" \
	--data-urlencode domain=dan.example --data-urlencode mx=mx.dan.example /add)" 303 "dan adds dan.example"
like "$(web -b "$t/d" /domains/dan.example/manage)" '_stsd-verify\.dan\.example\.' \
	"... which waits for its TXT proof"
is "$($STSCTL domain show dan.example --json | jq -r .domain.state)" pending "... pending"

# A flood from one address: portal_signup_limit (6) answered, then 429.
form 127.0.0.4 "$t/f" >/dev/null
codes=""
for n in $(seq 1 10); do
	good "f$n" 'short'
	codes="$codes $(post 127.0.0.4 "$t/f" "${G[@]}")"
done
like "$codes" '^( 400){6}( 429){4}$' "a flood of 10 sign-ups from one address: 6 answered, then 429"
like "$(cat "$t/f.head")" $'Retry-After: [0-9]+\r' "... with Retry-After"
ok "... logged" grep -q 'sign-up refused: more than 6 from this address in 3600 s (portal_signup_limit)' \
	"$I/log/stsd.log"
good erin 'erin password 55'
is "$(form 127.0.0.5 "$t/e" >/dev/null; post 127.0.0.5 "$t/e" "${G[@]}")" 303 \
	"another address still signs up"
portal_sanitizers
done_testing
