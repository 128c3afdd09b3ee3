# tests/acmed/pebble.sh - pebble (a test ACME CA) and an acmed instance
# inside a private network namespace, for the acmed test scripts.
# Source after tests/lib.sh, tests/netns.sh and tests/pki.sh.
# SPDX-License-Identifier: ISC
#
#	acme_env DOMAIN...	namespace, DNS zones DOMAIN with mta-sts.DOMAIN
#				A 127.0.0.1, a CA for pebble's own HTTPS; sets W
#	pebble_start [VAR=VALUE...]	start pebble (env vars as given)
#	pebble_stop
#	pebble_root FILE	pebble's issuing root, from its management port
#	acmed_instance DIR [name=value...]	main.cf and master.cf with acmed
#	fake_start		the stand-in for policyd and httpd (fakepolicyd.py)
#	master_start / master_stop	the instance's master, in the namespace
#	acmed_call JSON		one request to public/acmed, prints the reply
#	log_has REGEX		the instance log matches
#	cert_serial HOST	serial of the installed certificate
#	pair_ok HOST		fullchain.pem and privkey.pem match

PEBBLE_PORT=14000
PEBBLE_MGMT=15000
LIBEXEC=$BUILDDIR/libexec

acme_env() {
	local d
	command -v pebble >/dev/null || skip_all "pebble is not installed (scripts/deps test)"
	command -v knotd >/dev/null || skip_all "knot is not installed"
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
		-dnsserver 127.0.0.1:53 >>"$W/pebble.log" 2>&1 &
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

acmed_instance() {
	local dir=$1 kv; shift
	I=$dir
	getent passwd stsd >/dev/null ||
		useradd --system --no-create-home --shell /usr/sbin/nologin stsd
	local q="incoming active deferred corrupt metrics" s
	mkdir -p "$dir/etc" "$dir/data" "$dir/spool/certs" "$dir/log" \
		"$dir/spool/private" "$dir/spool/public" "$dir/spool/pid"
	chmod 700 "$dir/data" "$dir/spool/certs"
	chown stsd "$dir/data" "$dir/spool/certs" "$dir/spool/private" \
		"$dir/spool/public"
	# The queue (stsd/dirs.c): the HTTPS httpd takes reports into it.
	for s in $q; do
		mkdir -p "$dir/spool/$s" && chmod 700 "$dir/spool/$s" &&
			chown stsd "$dir/spool/$s"
	done
	cat >"$dir/etc/main.cf" <<-EOF
	config_directory = $dir/etc
	data_directory = $dir/data
	queue_directory = $dir/spool
	daemon_directory = $LIBEXEC
	maillog_file = $dir/log/stsd.log
	mail_owner = stsd
	myhostname = localhost
	acme_directory_url = https://localhost:$PEBBLE_PORT/dir
	acme_ca_file = $W/ca/ca.pem
	acme_contact = hostmaster@example.net
	acmed_retry_min = 1s
	acmed_retry_max = 3s
	acmed_poll_timeout = 20s
	acmed_request_timeout = 5s
	EOF
	for kv in "$@"; do acmed_set "$kv"; done
	echo "acmed unix n y n 2 1 acmed" >"$dir/etc/master.cf"
}

acmed_set() {
	sed -i "/^${1%%=*} *=/d" "$I/etc/main.cf"
	echo "${1%%=*} = ${1#*=}" >>"$I/etc/main.cf"
}

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
		ns_exec "$LIBEXEC/master" -c "$I/etc" >>"$W/master.out" 2>&1 </dev/null || return 1
	at_exit master_stop
	wait_until 10 test -S "$I/spool/public/acmed"
}

master_stop() {
	local pid
	pid=$(head -1 "$I/spool/pid/master.pid" 2>/dev/null)
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait_until 10 sh -c "! kill -0 $pid 2>/dev/null"
	rm -f "$I/spool/pid/master.pid"
	return 0
}

acmed_call() {
	python3 - "$I/spool/public/acmed" "$1" <<-'EOF'
	import socket, sys
	s = socket.socket(socket.AF_UNIX)
	s.settimeout(120)
	s.connect(sys.argv[1])
	s.sendall(sys.argv[2].encode() + b"\n")
	data = b""
	while not data.endswith(b"\n"):
	    chunk = s.recv(65536)
	    if not chunk:
	        break
	    data += chunk
	sys.stdout.write(data.decode())
	EOF
}

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
