# tests/acmed/pebble.sh - pebble (a test ACME CA) and an acmed instance
# inside a private network namespace, for the acmed test scripts.
# Source after tests/lib.sh and tests/netns.sh.
# SPDX-License-Identifier: ISC
#
#	acme_env DOMAIN...	namespace, DNS zones DOMAIN with mta-sts.DOMAIN
#				A 127.0.0.1, a CA for pebble's own HTTPS; sets W
#	pebble_start [VAR=VALUE...]	start pebble (env vars as given), asking
#				PEBBLE_DNS (default knot, 127.0.0.1:53)
#	pebble_stop
#	pebble_root FILE	pebble's issuing root, from its management port
#	acme_host NAME		acme_env r.example, NAME.r.example A 127.0.0.1,
#				pebble started, its root in $W/root.pem;
#				sets H=NAME.r.example
#	acmed_instance DIR [name=value...]	tests/instance.sh's instance
#				in DIR with acmed alone (on pebble), HTTPS
#				and HTTP ports 443 and 80, main.cf
#				parameters as given (ACMED_WITH="policyd
#				httpd": with these services of stsd init
#				too); acmed_set NAME=VALUE
#	fake_start		the stand-in for policyd and httpd (fakepolicyd.py)
#	master_start / master_stop	start (in the namespace, NS set) and
#				stop the instance
#	acmed_call JSON		one request to public/acmed, prints the reply
#	log_has REGEX		the instance log matches
#	cert_serial HOST	serial of the installed certificate
#	pair_ok HOST		fullchain.pem and privkey.pem match

source "$SRCDIR/tests/instance.sh"

PEBBLE_PORT=14000
PEBBLE_MGMT=15000

acme_env() {
	local d
	t_need pebble knotd
	[ "$(id -u)" = 0 ] || skip_all "needs root (network namespace)"
	W=$(t_tmpdir)
	ns_create || skip_all "cannot make a network namespace"
	local args=()
	for d in "$@"; do
		cat >"$W/$d.zone" <<-EOF
		\$ORIGIN $d.
		\$TTL 5
		@ SOA ns.$d. h.$d. 1 3600 600 86400 5
		@ NS ns.$d.
		ns A 127.0.0.1
		mta-sts A 127.0.0.1
		EOF
		args+=("$d" "$W/$d.zone")
	done
	ns_dns_start "${args[@]}" || return 1
	pki_ca "$W/ca" && pki_cert "$W/ca" localhost 30 || return 1
}

pebble_start() {
	cat >"$W/pebble.json" <<-EOF
	{ "pebble": {
	    "listenAddress": ":$PEBBLE_PORT",
	    "managementListenAddress": ":$PEBBLE_MGMT",
	    "certificate": "$W/ca/localhost/fullchain.pem",
	    "privateKey": "$W/ca/localhost/privkey.pem",
	    "httpPort": 80, "tlsPort": 443,
	    "ocspResponderURL": "", "externalAccountBindingRequired": false } }
	EOF
	env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 "$@" \
		ip netns exec "$NS" pebble -config "$W/pebble.json" \
		-dnsserver "${PEBBLE_DNS:-127.0.0.1:53}" >>"$W/pebble.log" 2>&1 &
	PEBBLE_PID=$!
	at_exit "kill $PEBBLE_PID"
	wait_until 10 ns_exec curl -sf --cacert "$W/ca/ca.pem" \
		"https://localhost:$PEBBLE_PORT/dir"
}

pebble_stop() {
	kill "$PEBBLE_PID" 2>/dev/null
	wait "$PEBBLE_PID" 2>/dev/null
	return 0
}

pebble_root() {
	ns_exec curl -sf --cacert "$W/ca/ca.pem" \
		"https://localhost:$PEBBLE_MGMT/roots/0" >"$1"
}

acme_host() {
	acme_env r.example || { fail "test network"; done_testing; }
	ns_dns_set r.example "$1" 5 A 127.0.0.1 || fail "A $1.r.example"
	pebble_start || fail "pebble starts"
	pebble_root "$W/root.pem" || fail "pebble root"
	H=$1.r.example
}

acmed_instance() {
	local dir=$1; shift
	inst_init "$dir" --https-port=443 --http-port=80 || return 1
	inst_only acmed ${ACMED_WITH:-}
	# acmed wakes up every 2 s (init writes 60), so that tests do not wait.
	inst_field acmed/unix/wakeup=2
	inst_set "acme_directory_url=https://localhost:$PEBBLE_PORT/dir" \
		"acme_ca_file=$W/ca/ca.pem" acme_contact=hostmaster@example.net \
		acmed_retry_min=1s acmed_retry_max=3s acmed_poll_timeout=20s \
		acmed_request_timeout=5s "$@"
}

acmed_set() { inst_set "$1"; }

fake_start() {
	[ -f "$W/domains.json" ] || echo '[]' >"$W/domains.json"
	: >"$W/events.log"
	ip netns exec "$NS" python3 "$SRCDIR/tests/acmed/fakepolicyd.py" \
		"$I/spool/private/policyd" "$W/domains.json" "$W/events.log" \
		80 443 >>"$W/fake.log" 2>&1 &
	FAKE_PID=$!
	at_exit "kill $FAKE_PID"
	wait_until 10 test -S "$I/spool/private/policyd"
}

master_start() {
	# Sanitizer reports of the daemons (whose stderr is /dev/null) go
	# to files, for sanitizer_reports.
	mkdir -p "$W/san" && chmod 1777 "$W/san"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$W/san/asan \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$W/san/ubsan \
		inst_start || return 1
	wait_until 10 test -S "$I/spool/public/acmed"
}

master_stop() { inst_stop; }

acmed_call() { unix_call "$I/spool/public/acmed" "$1" 120; }

acmed_pid() {
	pgrep -P "$(head -1 "$I/spool/pid/master.pid" 2>/dev/null)" -x stsd/acmed
}

sanitizer_reports() { cat "$W"/san/* 2>/dev/null; }

log_has() { grep -Eq -- "$1" "$I/log/stsd.log"; }

cert_file() { echo "$I/spool/certs/$1/fullchain.pem"; }

cert_serial() {
	openssl x509 -in "$(cert_file "$1")" -noout -serial 2>/dev/null
}

pair_ok() {
	local c=$I/spool/certs/$1
	[ -s "$c/fullchain.pem" ] && [ -s "$c/privkey.pem" ] || return 1
	[ "$(openssl x509 -in "$c/fullchain.pem" -noout -pubkey 2>/dev/null | sha256sum)" = \
	  "$(openssl pkey -in "$c/privkey.pem" -pubout 2>/dev/null | sha256sum)" ]
}

state_of() {
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])).get(sys.argv[2],{}); print(s.get(sys.argv[3]))' \
		"$I/data/acme/state.json" "$1" "$2" 2>/dev/null
}
