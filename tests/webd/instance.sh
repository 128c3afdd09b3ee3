# tests/webd/instance.sh - an instance with policyd, httpd and webd and
# two accounts, for the portal's test scripts (source after tests/lib.sh).
# SPDX-License-Identifier: ISC
#
#	portal_instance DIR [name=value ...]	tests/instance.sh's instance
#		in DIR with policyd, httpd (HTTPS) and webd, portal_enabled
#		for portal.example (a certificate from the test CA), the
#		domains a.example and a2.example of account alice, b.example
#		of bob, c.example of none; main.cf parameters as given;
#		PORTAL_MORE (before): more services to run (rptparse);
#		PORTAL_FIELD: a master.cf field to set (stsconf -F);
#		master started in the foreground (inst_start_fg), stopped
#		at exit
#	portal_start DIR [name=value ...]	portal_instance, or the test
#		ends there (a failed case and the log); skipped without
#		tests/rptparse/spoolput when PORTAL_MORE has rptparse; one
#		case
#	portal_sanitizers	stops the instance; one case: no sanitizer
#		report of any worker (its stderr, I/log/master.out)
#	web [curl options...] PATH	curl of https://portal.example/PATH
#	csrf FILE		the CSRF token of the form in the page FILE
#	signin JAR NAME PASSWORD [curl options...]	a visitor's session
#		in JAR, then the sign-in form; prints the status of the POST
#	PW_A, PW_B		the passwords of alice and bob
#	TOK_A, TOK_B		an API token of each
#	api TOKEN [curl options...] PATH	web with the bearer TOKEN
#	send TOKEN METHOD PATH [BODY]	the status of an API request (a
#		JSON BODY), its answer in $t/out ($t: the test's directory)
#	browser_need		skips the test without chromium,
#		chromium-driver or python3-selenium; PY: the python3 to run
#		selenium with
#	browser_run SCRIPT [ARG ...]	runs tests/webd/SCRIPT in headless
#		Chromium with the portal's URL, host name, the test CA's
#		key hash, $shots (BUILDDIR/tests/logs/webd-browser, for
#		screenshots), $t/dl (downloads), a profile, then the ARGs; its
#		"ok"/"not ok" lines become cases; the test is skipped when
#		Chromium cannot start
#	portal_report FILE	(PORTAL_MORE=rptparse) FILE, a report's JSON,
#		stored by rptparse as if POSTed over HTTPS (so it counts);
#		portal_idle waits until rptparse has stored what it was given
#	portal_dated FILE DOMAIN DAYS [ID]	prints the report FILE made
#		DOMAIN's, for the UTC day DAYS days ago, with report-id ID
#		when given
#	portal_fixture FILE DOMAIN DAYS [ID]	portal_dated's report,
#		given to portal_report
#	portal_ns_instance DIR KEY [name=value ...]	in the network
#		namespace NS (tests/netns.sh), whose knot serves sts.test
#		and takes updates signed with KEY (a file for
#		dns_update_key_file): tests/instance.sh's instance in DIR
#		with policyd, httpd (HTTPS on port 443, HTTP on 80), webd and
#		dnsmon; domain_verification dns, policyd publishing sts.test
#		by DNS UPDATE to 127.0.0.1:53, the portal enabled for
#		portal.example; certificates from the test CA of
#		portal.example and of the hosts of PORTAL_CERTS; main.cf
#		parameters as given; no account, no domain; master started
#		in the foreground in the namespace, stopped at exit
#	browser_in_ns	browser_run's python, chromium-driver and Chromium
#		run in the namespace NS from then on (after browser_need)

source "$SRCDIR/tests/instance.sh"

PORTAL=portal.example
PW_A='alice password 1' PW_B='bob password 22'

portal_start() {
	case " ${PORTAL_MORE:-} " in
	*" rptparse "*) [ -x "$BUILDDIR/tests/rptparse/spoolput" ] ||
		skip_all "no spoolput in $BUILDDIR" ;;
	esac
	portal_instance "$@" || {
		fail "instance starts"; cat "$1/log/stsd.log" 2>/dev/null; done_testing; }
	shift
	pass "instance with httpd, webd, policyd${PORTAL_MORE:+ and $PORTAL_MORE} starts${*:+ ($*)}"
}

portal_instance() {
	local dir=$1; shift
	inst_init "$dir" || return 1
	T_PORTAL_SPOOL=$dir.report
	inst_only policyd httpd webd ${PORTAL_MORE:-}
	inst_set portal_enabled=yes portal_hostname=$PORTAL "$@" || return 1
	[ -z "${PORTAL_FIELD:-}" ] || inst_field "$PORTAL_FIELD" || return 1
	inst_cert $PORTAL mta-sts.a.example || return 1
	inst_start_fg || return 1
	inst_wait_policyd || return 1
	local d
	for d in a.example a2.example b.example c.example; do
		$STSCTL domain add $d --mx mx.$d >/dev/null || return 1
	done
	printf '%s\n' "$PW_A" >"$dir.pwa"
	printf '%s\n' "$PW_B" >"$dir.pwb"
	$STSCTL account add alice --email a@a.example --domain a.example \
		--domain a2.example --password-file "$dir.pwa" >/dev/null &&
	$STSCTL account add bob --email b@b.example --domain b.example \
		--password-file "$dir.pwb" >/dev/null || return 1
	TOK_A=$($STSCTL account token alice) && TOK_B=$($STSCTL account token bob)
}

web() {
	local path=${!#}
	curl -sS --max-time 20 --cacert "$I/ca/ca.pem" \
		--resolve "$PORTAL:$HTTPS_PORT:127.0.0.1" "${@:1:$#-1}" \
		"https://$PORTAL:$HTTPS_PORT$path"
}

portal_report() {
	local f=$T_PORTAL_SPOOL.$RANDOM
	{ printf 'X-Stsd-Via: https\r\nContent-Type: application/tlsrpt+json\r\n\r\n'
	  cat "$1"; } >"$f"
	if [ "$(id -u)" = 0 ]; then
		chmod a+r "$f"
		runuser -u "$(inst_owner)" -- "$BUILDDIR/tests/rptparse/spoolput" \
			"$I/spool" "$f" >/dev/null
	else
		"$BUILDDIR/tests/rptparse/spoolput" "$I/spool" "$f" >/dev/null
	fi
}

portal_spool_empty() {
	[ -z "$(ls -A "$I/spool/incoming" "$I/spool/active" 2>/dev/null |
	    grep -v -e '^$' -e ':$')" ]
}
portal_dated() {
	local day
	day=$(date -u -d "-$3 days" +%Y-%m-%d)
	jq -c --arg d "$2" --arg day "$day" --arg id "${4:-}" '
	    ."date-range" = {"start-datetime": ($day + "T00:00:00Z"),
	        "end-datetime": ($day + "T23:59:59Z")} |
	    (if $id == "" then . else ."report-id" = $id end) |
	    .policies |= map(.policy."policy-domain" = $d)' "$1"
}
portal_fixture() {
	local f=$T_PORTAL_SPOOL.json.$RANDOM
	portal_dated "$@" >"$f" && portal_report "$f"
}
portal_idle() { wait_until 30 portal_spool_empty; }

csrf() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -1; }

signin() {
	local jar=$1 name=$2 pw=$3; shift 3
	web "$@" -c "$jar" -b "$jar" -o "$jar.page" / || return 1
	web "$@" -c "$jar" -b "$jar" -o "$jar.out" -w '%{http_code}' \
		--data-urlencode "csrf=$(csrf "$jar.page")" \
		--data-urlencode "name=$name" --data-urlencode "password=$pw" /signin
}

portal_sanitizers() {
	inst_stop_fg
	unlike "$(cat "$I/log/master.out" 2>/dev/null)" \
		'AddressSanitizer|LeakSanitizer|runtime error' \
		"no sanitizer report from any worker (leaks included)"
}

# browser_need: skip the test unless Debian's chromium, chromium-driver
# and python3-selenium are there; PY is the python3 that has selenium
# (Debian's is /usr/bin/python3's, whatever PATH says).
browser_need() {
	local p
	command -v chromium >/dev/null && command -v chromedriver >/dev/null ||
		skip_all "chromium or chromium-driver is not installed (scripts/deps test)"
	PY=
	for p in python3 /usr/bin/python3; do
		"$p" -c 'import selenium' 2>/dev/null && { PY=$p; break; }
	done
	[ -n "$PY" ] || skip_all "python3-selenium is not installed (scripts/deps test)"
}

api() { web -H "Authorization: Bearer $1" "${@:2}"; }

send() {
	local tok=$1 m=$2 path=$3
	if [ $# -ge 4 ]; then
		api "$tok" -X "$m" -H 'Content-Type: application/json' \
			--data-binary "$4" -o "$t/out" -w '%{http_code}' "$path"
	else
		api "$tok" -X "$m" -o "$t/out" -w '%{http_code}' "$path"
	fi
}

browser_run() {
	local script=$1 spki rc line; shift
	shots=$BUILDDIR/tests/logs/webd-browser
	mkdir -p "$shots" "$t/dl" "$t/home"
	spki=$(openssl x509 -in "$I/ca/ca.pem" -pubkey -noout |
		openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
	HOME=$t/home PYTHONPATH=$SRCDIR/tests/webd timeout 300 "$PY" \
		"$SRCDIR/tests/webd/$script" "https://$PORTAL:$HTTPS_PORT" "$PORTAL" \
		"$spki" "$shots" "$t/dl" "$t/profile" "$@" >"$t/tap" 2>"$t/browser.err"
	rc=$?
	if grep -q '^CANNOT-START' "$t/tap"; then
		sed 's/^/# /' "$t/tap" "$t/browser.err" | head -20
		portal_sanitizers
		skip_all "chromium cannot start here: $(sed -n 's/^CANNOT-START //p' "$t/tap" | head -1)"
	fi
	while IFS= read -r line; do
		case $line in
		"ok - "*) pass "${line#ok - }" ;;
		"not ok - "*) fail "${line#not ok - }" ;;
		"#"*) echo "$line" ;;
		esac
	done <"$t/tap"
	is "$rc" 0 "the browser's run ends well"
	[ "$rc" = 0 ] || sed 's/^/# /' "$t/browser.err" | tail -20
}

portal_ns_instance() {
	local dir=$1 key=$2; shift 2
	inst_init "$dir" --https-port=443 --http-port=80 || return 1
	T_PORTAL_SPOOL=$dir.report
	inst_only policyd httpd webd dnsmon
	inst_set portal_enabled=yes portal_hostname=$PORTAL sts_zone=sts.test \
		domain_verification=dns report_recipients=tlsrpt@sts.test \
		dns_update_server=127.0.0.1:53 dns_update_key_file="$key" \
		"$@" || return 1
	# shellcheck disable=SC2086
	inst_cert $PORTAL ${PORTAL_CERTS:-} || return 1
	inst_start_fg || return 1
	inst_wait_policyd
}

browser_in_ns() {
	local py=$PY
	PY=$t/py-in-$NS
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$NS" "$(command -v "$py")" >"$PY"
	chmod 755 "$PY"
}
