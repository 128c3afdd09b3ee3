#!/bin/bash
# tests/acmed/badca.t - a CA that answers in the wrong way: a redirect,
# the wrong content type, malformed or oversized JSON, a directory
# without newAccount, a problem document with Retry-After.  acmed says
# what is wrong, installs nothing, and keeps running.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/netns.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/acmed/pebble.sh"

acme_env a.example || { fail "test network"; done_testing; }
acmed_instance "$W/inst"
echo '["a.example"]' >"$W/domains.json"
fake_start || fail "fake policyd starts"
ns_exec python3 "$SRCDIR/tests/acmed/badca.py" "$PEBBLE_PORT" \
	"$W/ca/localhost/fullchain.pem" "$W/ca/localhost/privkey.pem" >"$W/badca.log" 2>&1 &
at_exit "kill $!"
wait_until 10 ns_exec curl -s --cacert "$W/ca/ca.pem" "https://localhost:$PEBBLE_PORT/html/dir" ||
	fail "bad CA starts"

renew_with() {
	master_stop
	acmed_set "acme_directory_url=https://localhost:$PEBBLE_PORT/$1/dir"
	master_start || { fail "master starts ($1)"; return; }
	acmed_call '{"op":"cert-renew","host":"mta-sts.a.example"}'
}

url=https://localhost:$PEBBLE_PORT
like "$(renew_with redirect)" "GET $url/redirect/dir: redirect \\(HTTP 301 to https://elsewhere.example/dir\\) not followed|directory: redirect \\(HTTP 301 to https://elsewhere.example/dir\\) not followed" \
	"a redirect is not followed, and said so"
like "$(renew_with html)" "directory $url/html/dir: content type text/html, expected application/json" \
	"the wrong content type is an error naming both types"
like "$(renew_with malformed)" "not valid JSON: .*\\(directory $url/malformed/dir\\)" \
	"malformed JSON is an error naming the document"
like "$(renew_with big)" "GET $url/big/dir: answer body longer than 1048576 bytes" \
	"an oversized answer is cut off at acmed_response_size_limit"
like "$(renew_with missing)" "member \\\\\"newAccount\\\\\" is missing \\(directory $url/missing/dir\\)" \
	"a directory without newAccount says which member is missing"
like "$(renew_with problem)" "HTTP 503: urn:ietf:params:acme:error:serverInternal: down for maintenance" \
	"a problem document gives its type and detail"
# Retry-After: 30 s, beyond acmed_retry_max (3 s in these tests), so
# only an acmed that honours it waits longer than 3 s.  The answer comes
# some time after the attempt started, and the wait is counted from the
# start: 30 s or a few more.
ok "Retry-After is honoured for the next attempt" \
	log_has 'mta-sts.a.example: certificate request failed \(attempt [0-9]+, next in (30|3[1-5]) s\): directory: HTTP 503'
ok "no certificate was installed" test ! -e "$(cert_file mta-sts.a.example)"
ok "acmed is still running" test -n "$(acmed_pid)"

# A corrupt account key: acmed refuses to start, the file is kept.
master_stop
echo "garbage" >"$I/data/acme/account.key"
master_start
ok "a corrupt account key stops acmed with a clear message" \
	wait_until 10 log_has 'ACME account key: .*/acme/account.key: not a PEM private key: .*refusing to make a new account'
is "$(cat "$I/data/acme/account.key")" garbage "the corrupt key file is left as it was"

# acme_enabled = no: nothing is touched, renew is refused.
master_stop
rm -rf "$I/data/acme"
acmed_set acme_enabled=no
master_start || fail "master starts"
like "$(acmed_call '{"op":"cert-renew","host":"mta-sts.a.example"}')" \
	'acme_enabled = no: acmed does not manage certificates' \
	"with acme_enabled = no, cert-renew is refused"
# stsd start (its check) makes data/acme again, empty: acmed writes nothing.
ok "with acme_enabled = no, acmed makes no account" \
	test -z "$(ls -A "$I/data/acme" 2>/dev/null)"
master_stop
is "$(sanitizer_reports | head -20)" "" "no sanitizer report (leaks included)"
done_testing
