#!/bin/bash
# tests/metrics/promtool.t - what a Prometheus user relies on: promtool
# check metrics accepts /metrics and the file of every process (and the
# base of gone processes); a fresh instance shows every documented
# series of stsd-metrics(8) whose labels are fixed, at 0, before any event;
# with more domains than metrics_domain_series_limit, the per-domain
# metrics are summed over their domains.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"
source "$SRCDIR/tests/pki.sh"

inst_need metrics
t_need curl promtool openssl
t_stsd_user

t=$(t_tmpdir)
MP=$(free_port)
inst_init "$t/i" --metrics-port="$MP" || { fail "stsd init"; done_testing; }
inst_only policyd httpd rptrecv rptparse metrics
inst_set metrics_domain_series_limit=1
pki_ca "$t/ca" >/dev/null 2>&1
owner=$(inst_owner)
for h in mta-sts.a.example mta-sts.b.example; do
	pki_cert "$t/ca" "$h" 30 >/dev/null 2>&1
	mkdir -p "$I/data/certs/$h"
	cp "$t/ca/$h/fullchain.pem" "$t/ca/$h/privkey.pem" "$I/data/certs/$h/"
	chmod 600 "$I/data/certs/$h/privkey.pem"
done
chown -R "$owner:" "$I/data/certs"
inst_start || { fail "instance starts"; done_testing; }
M=http://127.0.0.1:$MP
scrape() { curl -s --max-time 5 "$M/metrics"; }
ok "metrics listener answers" wait_until 10 quiet curl -sf "$M/metrics"

# promtool FILE...: "ok" when promtool check metrics takes each one.
promcheck() {
	local f out rc=0
	for f in "$@"; do
		out=$(promtool check metrics <"$f" 2>&1) ||
			{ rc=$?; note "$f: exit $rc: $out"; }
	done
	return $rc
}

# The documented series: the .B lines of the Metrics section of stsd-metrics(8).
documented=$(sed -n '/^\.SS Metrics/,/^\.S[SH] /p' "$SRCDIR/man/stsd-metrics.8" |
    sed -n 's/^\.B \(stsd_.*\)$/\1/p' | sed 's/{[^}]*}//g; s/, /\n/g')
ok "stsd-metrics(8) documents metrics ($(wc -w <<<"$documented"))" \
    test "$(wc -w <<<"$documented")" -ge 20
fixed=$(sed -n '/^\.SS Metrics/,/^\.S[SH] /p' "$SRCDIR/man/stsd-metrics.8" |
    sed -n 's/^\.B \(stsd_.*\)$/\1/p' | sed 's/, /\n/g' |
    grep -v 'domain\|host[,}]\|pid}' | sed 's/{.*//')

scrape >"$t/fresh"
promcheck "$t/fresh"
is "$?" 0 "promtool check metrics: a fresh /metrics"
for m in $fixed; do
	grep -q "^# TYPE $m \(counter\|gauge\)\$" "$t/fresh" ||
		fail "fresh instance: no $m"
done
pass "fresh instance: every documented series with fixed labels is there"
is "$(grep -v '^#' "$t/fresh" | grep -vc '^stsd_certificate_expiry_')" 69 \
    "fresh instance: 69 series with fixed labels, as stsd-metrics(8) says"
nonzero=$(grep -v '^#' "$t/fresh" |
    grep -v '^stsd_metrics_processes \|^stsd_certificate_expiry_' |
    awk '$2 != 0')
is "$nonzero" "" "fresh instance: every counter and check result at 0"
for s in 'stsd_reports_corrupt_total' 'stsd_smtp_rejections_total{stage="data"}' \
    'stsd_https_reports_total' 'stsd_acme_orders_total{result="failed"}' \
    'stsd_dns_check_rounds_total' 'stsd_tls_handshake_failures_total{daemon="rptrecv"}' \
    'stsd_dns_checks{check="probe",status="fail"}' \
    'stsd_metrics_dropped_series_total'; do
	grep -qxF "$s 0" "$t/fresh" || fail "fresh instance: $s 0"
done
pass "fresh instance: series of daemons that never ran (acmed, dnsmon) at 0"
unlike "$(cat "$t/fresh")" 'days|_left' "no metric in days"
like "$(cat "$t/fresh")" '# HELP stsd_dns_check_rounds_total Complete check rounds' \
    "HELP of the DNS rounds says what it counts"

# Events: two domains fetched; a gone process makes the base.
for d in a.example b.example; do
	quiet $STSCTL domain add "$d" --mx "mx1.$d"
done
get_policy() {
	curl -sf --max-time 5 --cacert "$t/ca/ca.pem" \
	    --resolve "mta-sts.$1:$HTTPS_PORT:127.0.0.1" \
	    "https://mta-sts.$1:$HTTPS_PORT/.well-known/mta-sts.txt" >/dev/null
}
ok "policy of a.example fetched" wait_until 10 get_policy a.example
ok "policy of b.example fetched" wait_until 10 get_policy b.example
folded() {
	scrape | grep -qx 'stsd_policy_fetches_total{status="200"} [2-9]'
}
ok "two domains over a limit of 1: fetches summed without the domain label" \
    wait_until 5 folded
unlike "$(scrape)" 'stsd_policy_fetches_total\{domain=' \
    "no per-domain fetch series over the limit"
first=$(for h in mta-sts.a.example mta-sts.b.example; do
	date -d "$(openssl x509 -noout -enddate -in "$t/ca/$h/fullchain.pem" |
	    sed 's/^notAfter=//')" +%s
done | sort -n | head -1)
is "$(scrape | grep '^stsd_certificate_expiry_timestamp_seconds')" \
    "stsd_certificate_expiry_timestamp_seconds $first" \
    "two certificates over a limit of 1: one series, the earliest expiry"

# An httpd that counted something (each also has its policyd gauges).
pid=$(cd "$I/spool/metrics" && grep -l '_total' httpd.* 2>/dev/null |
    sed -n 's/^httpd\.\([0-9]*\)$/\1/p' | head -1)
ok "httpd writes its file" test -n "$pid"
kill "$pid"
base() { scrape >/dev/null; test -s "$I/spool/metrics/base"; }
ok "the file of a gone httpd is folded into the base" wait_until 10 base
again() { ls "$I/spool/metrics" | grep -q '^httpd\.[0-9]*$'; }
ok "the restarted httpd writes its file" wait_until 15 again
scrape >"$t/later"
files=$(ls "$I/spool/metrics" | grep -v '\.tmp$')
promcheck "$t/later"
is "$?" 0 "promtool check metrics: /metrics after events"
for f in $files; do
	promcheck "$I/spool/metrics/$f"
	is "$?" 0 "promtool check metrics: file $f"
done
like "$files" 'httpd\.[0-9]+' "httpd's file was checked"
done_testing
