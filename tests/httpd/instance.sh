# tests/httpd/instance.sh - an instance with policyd and httpd, for the
# httpd test scripts (source it after tests/lib.sh).
# SPDX-License-Identifier: ISC
#
#	httpd_instance DIR [name=value ...]	make and start an instance whose
#		master.cf has the HTTPS service (maxproc 2) on 127.0.0.1:$HTTPS
#		and the plain one on 127.0.0.1:$HTTP; main.cf parameters as
#		given; certificates of mta-sts.a.example and mta-sts.b.example
#		from a test CA in DIR/spool/certs; stopped at exit
#	fetch HOST [curl options...]	curl of https://HOST/.well-known/mta-sts.txt
#		through the instance, with the test CA
#	raw_plain TEXT		sends TEXT to the plain HTTP port, prints the answer
#		until the server closes; then raw_status says 0, or 124 when
#		it did not close within RAW_WAIT seconds (default 5)
#	raw_tls HOST TEXT	the same over TLS with SNI HOST
#	cert_install NAME	(re)issues NAME's certificate into the instance
#
# Uses tests/stsctl/instance.sh for the instance itself (stsd init when it
# exists, else by hand).

source "$SRCDIR/tests/stsctl/instance.sh"
source "$SRCDIR/tests/pki.sh"

POLICY_PATH=/.well-known/mta-sts.txt

cert_install() {
	local name=$1
	pki_cert "$I/ca" "$name" 30 || return 1
	mkdir -p "$I/spool/certs/$name.new"
	cp "$I/ca/$name/fullchain.pem" "$I/ca/$name/privkey.pem" "$I/spool/certs/$name.new/"
	chmod 600 "$I/spool/certs/$name.new/privkey.pem"
	[ "$(id -u)" = 0 ] && chown -R "$(owner_of "$I"):" "$I/spool/certs/$name.new"
	# Replace each file by rename, as certbot and acmed do.
	mkdir -p "$I/spool/certs/$name"
	[ "$(id -u)" = 0 ] && chown "$(owner_of "$I"):" "$I/spool/certs/$name"
	chmod 700 "$I/spool/certs/$name"
	mv -f "$I/spool/certs/$name.new/privkey.pem" "$I/spool/certs/$name/privkey.pem"
	mv -f "$I/spool/certs/$name.new/fullchain.pem" "$I/spool/certs/$name/fullchain.pem"
	rmdir "$I/spool/certs/$name.new"
}

owner_of() { sed -n 's/^mail_owner *= *//p' "$1/etc/main.cf" | tail -1; }

httpd_instance() {
	local dir=$1; shift
	HTTPS=$(free_port)
	HTTP=$(free_port)
	while [ "$HTTP" = "$HTTPS" ]; do HTTP=$(free_port); done
	# instance_start starts master: write the httpd lines first.
	INSTANCE_NOWAIT=1
	_httpd_lines() {
		# Only our inet services: others' ports may be taken by
		# tests running at the same time.
		sed -i -E '/ httpd/d; /^[^#[:space:]]+[[:space:]]+inet[[:space:]]/d' \
			"$dir/etc/master.cf"
		cat >>"$dir/etc/master.cf" <<EOM
127.0.0.1:$HTTPS inet n y y - 2 httpd
127.0.0.1:$HTTP inet n y y - 1 httpd -o httpd_tls=no
EOM
	}
	local by_hand=0
	if instance_have_init; then
		"$STSD" init "$dir" --daemon-directory "$LIBEXEC" --address 127.0.0.1 \
			--https-port "$HTTPS" --http-port "$HTTP" >"$dir.init.log" 2>&1 ||
			{ cat "$dir.init.log"; return 1; }
	else
		instance_by_hand "$dir"
		by_hand=1
	fi
	I=$dir
	local kv
	for kv in "$@"; do
		sed -i "/^${kv%%=*} *=/d" "$dir/etc/main.cf"
		echo "${kv%%=*} = ${kv#*=}" >>"$dir/etc/main.cf"
	done
	grep -q '^policyd ' "$dir/etc/master.cf" ||
		echo "policyd   unix  n  n  n  -  1  policyd" >>"$dir/etc/master.cf"
	_httpd_lines
	if [ "$by_hand" = 1 ]; then
		mkdir -p "$dir/data" "$dir/spool/certs"
		chmod 700 "$dir/data" "$dir/spool/certs"
		[ "$(id -u)" = 0 ] && chown "$(owner_of "$dir"):" "$dir/data" \
			"$dir/spool/certs" "$dir/spool/private" "$dir/spool/public"
	fi
	mkdir -p "$dir/data" "$dir/spool/certs"
	pki_ca "$dir/ca" || return 1
	cert_install mta-sts.a.example || return 1
	cert_install mta-sts.b.example || return 1
	_httpd_start "$dir" || return 1
	# Until master makes private/ and public/ sockets for a private=n
	# service, give policyd a private socket and stsctl a link to it.
	wait_until 5 sh -c "test -S $dir/spool/private/policyd || test -S $dir/spool/public/policyd"
	if ! test -S "$dir/spool/private/policyd"; then
		note "master made no private/policyd: using a private=y policyd"
		_httpd_stop "$dir"
		sed -i 's/^policyd .*/policyd   unix  y  n  n  -  1  policyd/' "$dir/etc/master.cf"
		_httpd_start "$dir" || return 1
		wait_until 5 test -S "$dir/spool/private/policyd" || return 1
		rm -f "$dir/spool/public/policyd"
		ln -s ../private/policyd "$dir/spool/public/policyd"
	fi
	STSCTL="$STSCTL_BIN -c $dir/etc"
	wait_until 10 $STSCTL domain list
}

_httpd_start() {
	local dir=$1
	if [ -x "$STSD" ] && "$STSD" 2>&1 | grep -q start; then
		"$STSD" -c "$dir/etc" start >"$dir.start.log" 2>&1 </dev/null ||
			{ cat "$dir.start.log"; return 1; }
	else
		# In the foreground: a daemonized master's parent waits for
		# the stderr of every worker started before it was ready.
		"$LIBEXEC/master" -f -c "$dir/etc" >"$dir.start.log" 2>&1 </dev/null &
		wait_until 5 test -s "$dir/spool/pid/master.pid" ||
			{ cat "$dir.start.log"; return 1; }
	fi
	at_exit "_httpd_stop $dir"
}

_httpd_stop() {
	local dir=$1 pid
	if [ -x "$STSD" ] && "$STSD" 2>&1 | grep -q stop; then
		"$STSD" -c "$dir/etc" stop >/dev/null 2>&1
	fi
	pid=$(head -1 "$dir/spool/pid/master.pid" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	[ -n "$pid" ] && wait_until 5 sh -c "! kill -0 $pid 2>/dev/null"
	rm -f "$dir/spool/pid/master.pid"
	return 0
}

fetch() {
	local host=$1; shift
	curl -sS --max-time 10 --cacert "$I/ca/ca.pem" \
		--resolve "$host:$HTTPS:127.0.0.1" "$@" "https://$host:$HTTPS$POLICY_PATH"
}

raw_plain() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$HTTP" || return 1
	printf '%b' "$1" >&$fd
	timeout "${RAW_WAIT:-5}" cat <&$fd
	echo $? >"$I.rawstatus"	# 124: the server did not close
	exec {fd}>&-
}

raw_status() { cat "$I.rawstatus"; }

raw_tls() {
	printf '%b' "$2" | timeout 5 openssl s_client -quiet \
		-connect "127.0.0.1:$HTTPS" -servername "$1" \
		-CAfile "$I/ca/ca.pem" 2>/dev/null
}
