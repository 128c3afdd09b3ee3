# tests/httpd/instance.sh - an instance with policyd and httpd, for the
# httpd test scripts (source it after tests/lib.sh).
# SPDX-License-Identifier: ISC
#
#	httpd_instance DIR [name=value ...]	tests/instance.sh's instance
#		in DIR with policyd, rptparse, acmed, dnsmon and the HTTPS
#		(maxproc 2) and plain httpd services, on 127.0.0.1:$HTTPS and
#		127.0.0.1:$HTTP; main.cf parameters as given; certificates of
#		mta-sts.a.example and mta-sts.b.example from a test CA in
#		DIR/ca; started, stopped at exit; waits until policyd answers
#	fetch HOST [curl options...]	curl of https://HOST/.well-known/mta-sts.txt
#		through the instance, with the test CA
#	raw_plain TEXT		sends TEXT to the plain HTTP port, prints the answer
#		until the server closes; then raw_status says 0, or 124 when
#		it did not close within RAW_WAIT seconds (default 5)
#	raw_tls HOST TEXT	the same over TLS with SNI HOST

source "$SRCDIR/tests/instance.sh"

POLICY_PATH=/.well-known/mta-sts.txt

httpd_instance() {
	local dir=$1; shift
	inst_init "$dir" || return 1
	HTTPS=$HTTPS_PORT HTTP=$HTTP_PORT
	inst_only policyd httpd rptparse acmed dnsmon
	inst_set "$@" || return 1
	inst_cert mta-sts.a.example mta-sts.b.example || return 1
	inst_start || return 1
	inst_wait_policyd
}

# httpd_ns_instance DIR PARAM...: knot serves sts.test (ns_sts_zone DIR)
# and httpd_instance DIR/i publishes to it by DNS UPDATE, with PARAMs
# too; one case, "instance starts in the namespace"; on failure the
# script ends, with the instance's log.
httpd_ns_instance() {
	local dir=$1; shift
	ns_sts_zone "$dir" || { fail "knot starts"; done_testing; }
	httpd_instance "$dir/i" sts_zone=sts.test domain_verification=none \
		report_recipients=tlsrpt@sts.test dns_update_server=127.0.0.1:53 \
		dns_update_key_file="$dir/tsig.key" policyd_dns_retry_min=1s \
		policyd_dns_retry_max=2s "$@" || {
		fail "instance starts"
		cat "$dir/i/log/stsd.log" 2>/dev/null
		done_testing
	}
	pass "instance starts in the namespace"
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
