#!/bin/bash
# tests/metrics/auth.t - metrics_auth_file: HTTP basic authentication on
# every path of the metrics listener, with crypt(3) and SHA-256 hashes.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"

inst_need metrics
t_need curl
t_stsd_user

t=$(t_tmpdir)
MP=$(free_port)
inst_init "$t/i" --metrics-port="$MP" || { fail "stsd init"; done_testing; }
inst_only policyd metrics
{
	echo "# users of the metrics listener"
	echo "prom:$(printf %s 's3cret' | sha256sum | cut -d' ' -f1)"
	echo "ops:$(openssl passwd -6 -salt abcdefgh 'other pass')"
} >"$t/users"
chmod 600 "$t/users"
inst_set metrics_auth_file="$t/users"
inst_start || { fail "instance starts"; done_testing; }
M=http://127.0.0.1:$MP
ok "listener up" wait_until 10 quiet curl -s "$M/metrics"

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
is "$(code "$M/metrics")" 401 "no credentials: 401"
like "$(curl -s -D - -o /dev/null "$M/metrics")" 'WWW-Authenticate: Basic realm="stsd"' \
    "401 asks for basic authentication"
is "$(code "$M/")" 401 "the pages need it too"
is "$(code -u prom:wrong "$M/metrics")" 401 "wrong password: 401"
is "$(code -u nobody:s3cret "$M/metrics")" 401 "unknown user: 401"
is "$(code -u prom:s3cret "$M/metrics")" 200 "SHA-256 user: 200"
is "$(code -u 'ops:other pass' "$M/metrics")" 200 "crypt(3) user: 200"
is "$(code -u 'ops:s3cret' "$M/metrics")" 401 "another user's password: 401"
like "$(curl -s -u prom:s3cret "$M/metrics")" "# TYPE stsd_spool_messages gauge" \
    "authenticated scrape has the metrics"
done_testing
