# slow
# tests/package/deb.t - the Debian package, for real on this machine:
# dpkg-buildpackage builds it from a copy of the source tree, lintian
# finds no error, it installs (user, directories, conffiles, unit, man
# pages), the suite starts as the unit starts it (inside the unit's
# sandbox, emulated: systemd is not PID 1 here), hosts a domain whose
# policy curl fetches over HTTPS, stores a report mailed over SMTP, and
# "apt-get purge" leaves no process and none of what it must remove.
# SPDX-License-Identifier: ISC
#
# It installs a package system-wide, so it runs only when asked:
# CI=true or STSD_TEST_PACKAGE=1.  It refuses to run where stsd is
# installed already or where /etc/stsd, /var/lib/stsd or /var/spool/stsd
# exist (an operator's instance), and purges what it installed at exit
# (tests/package/pkg.sh, shared with walkthrough.t).
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/package/pkg.sh"
source "$SRCDIR/tests/rptparse/instance.sh"	# rp_mail

pkg_require curl swaks jq unshare setpriv
t=$(t_tmpdir)
D=example.net
UNIT=/lib/systemd/system/stsd.service

# 1, 2. Build from a copy of the source tree with its debian/ directory
# (the unit tests run elsewhere in the suite: nocheck).
pkg_built "$t" "dpkg-buildpackage -us -uc -b builds the package"
deb=$PKG_DEB
ok "it makes stsd_VERSION_ARCH.deb" test -f "$deb"
note "built in ${SECONDS}s"
contents=$(dpkg-deb -c "$deb")
for f in usr/sbin/stsd usr/sbin/stsctl usr/sbin/stsconf \
    usr/libexec/stsd/master usr/libexec/stsd/policyd usr/libexec/stsd/httpd \
    usr/libexec/stsd/rptrecv usr/libexec/stsd/rptparse \
    etc/stsd/main.cf etc/stsd/master.cf lib/systemd/system/stsd.service \
    usr/share/man/man1/stsctl.1.gz usr/share/man/man5/stsd.conf.5.gz \
    usr/share/bash-completion/completions/stsd; do
	like "$contents" " \./$f\$" "the package holds /$f"
done
for f in stsctl stsconf; do
	like "$contents" " \./usr/share/bash-completion/completions/$f -> stsd\$" \
	    "the package links the bash completion of $f to stsd's"
done

if command -v lintian >/dev/null; then
	lintian "$PKG_CHANGES" >"$t/lintian.log" 2>&1
	errors=$(grep '^E: ' "$t/lintian.log")
	is "$errors" "" "lintian reports no error"
	grep '^W: ' "$t/lintian.log" | sed 's/^/# lintian: /'
	note "lintian done at ${SECONDS}s"
fi

# 3. Install.
pkg_installed
ok "the stsd user exists" quiet getent passwd stsd
ok "the stsd group exists" quiet getent group stsd
conffiles=$(dpkg-query -W -f='${Conffiles}\n' stsd)
like "$conffiles" "^ /etc/stsd/main.cf " "main.cf is a conffile"
like "$conffiles" "^ /etc/stsd/master.cf " "master.cf is a conffile"
is "$(stat -c '%U %G %a' /var/lib/stsd)" "stsd stsd 710" \
    "/var/lib/stsd belongs to stsd, group stsd (setgid_group), mode 0710"
is "$(stat -c '%U %G %a' /var/spool/stsd/public)" "stsd stsd 710" \
	"/var/spool/stsd/public: group stsd, mode 0710"
param() { stsconf -x "$1" | sed 's/^[^=]* = //'; }
is "$(param config_directory) $(param daemon_directory) $(param data_directory) $(param queue_directory) $(param mail_owner)" \
	"/etc/stsd /usr/libexec/stsd /var/lib/stsd /var/spool/stsd stsd" \
	"the programs use the Debian paths and user"
services=$(stsconf -M)
for p in 443 80 25; do
	like "$services" "^$p +inet .* (httpd|rptrecv)" "master.cf listens on port $p on every address"
done
ok "man stsctl finds the installed page" quiet man -w stsctl
ok "man 5 stsd.conf finds the installed page" quiet man -w 5 stsd.conf
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify "$UNIT" 2>&1)
	is "$out" "" "systemd-analyze verify stsd.service"
fi
unit_get() { sed -n "s/^$1=//p" "$UNIT"; }
is "$(unit_get ExecStart) $(unit_get ExecStop) $(unit_get ExecReload)" \
	"/usr/sbin/stsd start /usr/sbin/stsd stop /usr/sbin/stsd reload" \
	"the unit runs stsd start, stop and reload"

# 4. Configure for the test: a zone, no DNS proof, no ACME, and free
# ports where the standard ones are taken.
stsconf -e sts_zone=pkg.test domain_verification=none acme_enabled=no \
	myhostname=localhost maillog_file=/var/lib/stsd/test.log >/dev/null
port_free() { ! ss -Htln | awk '{print $4}' | grep -q ":$1\$"; }
HTTPS_PORT=443 SMTP_PORT=25
for svc in $(awk '!/^#/ && $2 == "inet" { print $1 }' /etc/stsd/master.cf); do
	p=${svc##*:}
	port_free "$p" && continue
	n=$(free_port)
	awk -v old="$svc" -v new="127.0.0.1:$n" \
	    '$1 == old && $2 == "inet" { sub(/^[^ \t]+/, new) } 1' \
	    /etc/stsd/master.cf >"$t/master.cf" && cat "$t/master.cf" >/etc/stsd/master.cf
	note "port $p ($svc) is taken: using 127.0.0.1:$n"
	[ "$p" = 443 ] && HTTPS_PORT=$n
	[ "$p" = 25 ] && SMTP_PORT=$n
done
is "$(stsd check 2>&1; echo "rc=$?")" "rc=0" \
	"stsd check: directories, owners, modes, programs and ports are right"
pki_ca "$t/ca" && pki_cert "$t/ca" "mta-sts.$D" 30
mkdir -p "/var/spool/stsd/certs/mta-sts.$D"
cp "$t/ca/mta-sts.$D/fullchain.pem" "$t/ca/mta-sts.$D/privkey.pem" \
	"/var/spool/stsd/certs/mta-sts.$D/"
chown -R stsd: "/var/spool/stsd/certs/mta-sts.$D"
chmod 600 "/var/spool/stsd/certs/mta-sts.$D/privkey.pem"

# 5. Start as the unit does, in its sandbox: a mount namespace where
# the file system is read-only but for ReadWritePaths, /tmp is private
# and /home and /root are empty, with no new privileges and the
# capability bounding set of the unit.
caps=$(unit_get CapabilityBoundingSet | tr ' ' '\n' | sed 's/^CAP_//' |
	tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd,)
rw=$(unit_get ReadWritePaths)
nnp=
[ "$(unit_get NoNewPrivileges)" = yes ] && nnp=--no-new-privs
unit_start() {
	unshare --mount --propagation private sh -c '
		for p in $1; do mount --bind "$p" "$p" || exit 1; done
		mount -o remount,bind,ro / || exit 1
		mount -t tmpfs -o mode=1777 tmpfs /tmp || exit 1
		for h in /home /root; do mount -t tmpfs -o ro tmpfs "$h"; done
		exec setpriv $2 --bounding-set -all,$3 $4' sh \
		"$rw" "$nnp" "$caps" "$(unit_get ExecStart)"
}
if unit_start >"$t/start.log" 2>&1; then
	pass "ExecStart starts the suite in the unit's sandbox"
else
	fail "ExecStart starts the suite in the unit's sandbox"
	sed 's/^/# /' "$t/start.log"
fi
pidfile=$(unit_get PIDFile)
master=$(cat "$pidfile" 2>/dev/null)
ok "PIDFile $pidfile names the running master" kill -0 "${master:-0}"
want=$(setpriv --bounding-set -all,"$caps" grep '^CapBnd' /proc/self/status)
is "$(grep '^CapBnd' /proc/"${master:-0}"/status 2>/dev/null)" "$want" \
	"master runs with the capability bounding set of the unit"
is "$(grep '^NoNewPrivs' /proc/"${master:-0}"/status 2>/dev/null | tr -d ' \t')" \
	"NoNewPrivs:$([ -n "$nnp" ] && echo 1 || echo 0)" \
	"master runs with NoNewPrivileges of the unit"
ok "policyd answers stsctl" wait_until 15 stsctl domain list
all_running() {
	stsd status >"$t/status" 2>&1 &&
	    [ -z "$(awk 'NR > 2 && $4 != "running"' "$t/status")" ]
}
ok "every service of master.cf is running" wait_until 15 all_running

# 6. A domain, its policy over HTTPS.
ok "stsctl domain add $D" quiet stsctl domain add "$D" --mx "mail.$D"
records=$(stsctl domain records "$D")
like "$records" "_mta-sts\.$D" "stsctl domain records lists the _mta-sts record"
fetch() {
	curl -sS --max-time 10 --cacert "$t/ca/ca.pem" \
	    --resolve "mta-sts.$D:$HTTPS_PORT:127.0.0.1" \
	    "https://mta-sts.$D:$HTTPS_PORT/.well-known/mta-sts.txt"
}
served() { fetch | grep -q "mx: mail\.$D"; }
wait_until 15 served
policy=$(fetch 2>&1)
like "$policy" "^version: STSv1" "the policy is served over HTTPS with the test certificate"
like "$policy" "mx: mail\.$D" "with the domain's mx"

# 7. A report over SMTP, stored and printed.
id=pkg-$$-$RANDOM
jq -c --arg id "$id" --arg d "$D" \
	'."report-id" = $id | .policies[].policy."policy-domain" = $d' \
	"$SRCDIR/tests/rptparse/fixtures/rfc8460.json" >"$t/report.json"
rp_mail application/tlsrpt+gzip report.json.gz "$t/report.json" gzip >"$t/report.eml"
ok "swaks delivers a gzip TLS report to rptrecv" quiet swaks --server 127.0.0.1 \
	--port "$SMTP_PORT" --from reports@sender.example --to tlsrpt@pkg.test \
	--data "$t/report.eml"
# Unsigned, so unverified with the default report_require_dkim = yes.
listed() { stsctl report list --unverified --json | jq -e --arg id "$id" \
	'.reports[] | select(."report-id" == $id)'; }
ok "stsctl report list --unverified shows the unsigned report" wait_until 30 listed
n=$(stsctl report list --unverified --json | jq -r --arg id "$id" \
	'.reports[] | select(."report-id" == $id) | .id')
shown=$(stsctl report show "${n:-0}" 2>&1)
like "$shown" "Company-X" "stsctl report show prints it: the sender"
like "$shown" "certificate-expired" "and its failures"

# 8. Inside the sandbox master restarts a worker that dies, and reloads.
https_pids() {
	stsd status 2>/dev/null | awk -v p="$HTTPS_PORT" \
	    '$1 ~ "(^|:)" p "$" && $4 == "running" { print $3 }' | sort
}
before=$(https_pids)
old=$(head -1 <<<"$before")
kill "${old:-0}" 2>/dev/null
restarted() {
	local now
	now=$(https_pids)
	[ "$(wc -l <<<"$now")" = "$(wc -l <<<"$before")" ] && ! grep -qx "$old" <<<"$now"
}
ok "master restarts a killed httpd as mail_owner in its chroot" wait_until 20 restarted
ok "ExecReload: $(unit_get ExecReload)" quiet $(unit_get ExecReload)
sleep 1
ok "every service runs after the reload" wait_until 15 all_running
ok "the policy is still served after the reload" wait_until 15 served

# 9. Purge.
pids=$(stsd status 2>/dev/null | awk 'NR > 2 && $3 ~ /^[0-9]+$/ { print $3 }')
pids="$master $pids"
if apt-get purge -y stsd >"$t/purge.log" 2>&1; then
	pass "apt-get purge stsd"
else
	fail "apt-get purge stsd"
	tail -20 "$t/purge.log" | sed 's/^/# /'
fi
# Running: alive and not a zombie (PID 1 here may be slow to reap what
# master's exit left to it); what is left is shown.
running() {
	local p
	for p in $pids; do
		case $(ps -o stat= -p "$p" 2>/dev/null) in
		''|Z*) ;;
		*) echo "$p" ;;
		esac
	done
}
alive=$(running)
is "$alive" "" "no process of the suite is left running"
[ -z "$alive" ] || ps -o pid,stat,etimes,args -p "$(echo $alive | tr ' ' ,)" | sed 's/^/# /'
running_programs() {
	local p
	for p in /proc/[0-9]*; do readlink "$p/exe"; done 2>/dev/null |
	    grep -cE '^/usr/(libexec/stsd/|sbin/(stsd|stsctl|stsconf)( |$))'
}
is "$(running_programs)" 0 "no process runs a program of the package"
note "purged at ${SECONDS}s"
for f in /usr/sbin/stsd /usr/libexec/stsd /etc/stsd/main.cf /etc/stsd/master.cf \
    /etc/stsd "$UNIT" /var/spool/stsd; do
	nok "purge removes $f" test -e "$f"
done
[ -e /var/spool/stsd ] && { sed 's/^/# /' "$t/purge.log"; find /var/spool/stsd | sed 's/^/# left: /'; }
ok "purge keeps the data directory /var/lib/stsd" test -d /var/lib/stsd
ok "purge keeps the stsd user" quiet getent passwd stsd
like "$(cat "$t/purge.log")" "/var/lib/stsd .*kept" "purge says that it kept /var/lib/stsd"
done_testing
