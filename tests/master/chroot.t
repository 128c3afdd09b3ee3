#!/bin/bash
# tests/master/chroot.t - no chrooted worker keeps a descriptor of
# anything outside its chroot (issue 15 item 9).
# SPDX-License-Identifier: ISC
#
# The suite as stsd init makes it, with master.cf's chroot column as
# shipped (httpd on HTTPS and HTTP, rptrecv); httpd loads a certificate
# (a handshake) and rptrecv takes a session.  Then every worker whose
# /proc/PID/root is not / has each /proc/PID/fd listed: it must point
# inside that root, or be a socket, a pipe or an anonymous inode; the
# only other file allowed is /dev/null (descriptors 0-2, from master).
# First with the default logging (syslog, as packages run), then with
# maillog_file set (stsd init does), whose descriptor is the one more
# allowed: write-only for appending, so a log line cannot be read back
# and the descriptor leads nowhere.
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/pki.sh"
source "$SRCDIR/tests/instance.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root: master chroots the workers"
D=chroot.example

t=$(t_tmpdir)
pki_ca "$t/ca"
pki_cert "$t/ca" "mta-sts.$D" 30
inst_init "$t/i"
inst_only policyd httpd rptrecv
inst_set domain_verification=none maillog_file=
owner=$($STSCONF mail_owner | sed "s/.*= //")
mkdir -p "$I/spool/certs/mta-sts.$D"
cp "$t/ca/mta-sts.$D/fullchain.pem" "$t/ca/mta-sts.$D/privkey.pem" \
	"$I/spool/certs/mta-sts.$D/"
chown -R "$owner:" "$I/spool/certs"
chmod 600 "$I/spool/certs/mta-sts.$D/privkey.pem"
ok "the suite starts" inst_start
ok "policyd answers" wait_until 10 $STSCTL domain list
ok "domain added" quiet $STSCTL domain add "$D" --mx "mx.$D"

fetch() {
	curl -sS --max-time 10 --cacert "$t/ca/ca.pem" \
		--resolve "mta-sts.$D:$HTTPS_PORT:127.0.0.1" \
		"https://mta-sts.$D:$HTTPS_PORT/.well-known/mta-sts.txt"
}
ok "httpd serves the policy with the certificate it loaded" \
	wait_until 10 sh -c "$(declare -f fetch); t=$t D=$D HTTPS_PORT=$HTTPS_PORT; fetch | grep -q 'version: STSv1'"
out=$(timeout 10 swaks --server 127.0.0.1 --port "$SMTP_PORT" --quit-after EHLO 2>&1)
like "$out" "<- +220 " "rptrecv takes a session"

# look LOGFILE: every chrooted worker's descriptors; LOGFILE (or "")
# is the one file outside allowed, write-only for appending.
look() {
	local log=$1 master n=0 pid root cmd bad fd target flags
	master=$(cat "$I/spool/pid/master.pid" 2>/dev/null | head -1 | tr -dc 0-9)
	[ -n "$master" ] || { fail "master runs"; return; }
	for pid in $(pgrep -P "$master"); do
		root=$(readlink "/proc/$pid/root") || continue
		[ "$root" = / ] && continue
		n=$((n + 1))
		cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
		bad=
		for fd in /proc/"$pid"/fd/*; do
			target=$(readlink "$fd") || continue
			case $target in
			socket:\[*\] | pipe:\[*\] | anon_inode:*) continue ;;
			"$root" | "$root"/*) continue ;;
			/dev/null) continue ;;
			esac
			flags=$(sed -n 's/^flags:\t*//p' "/proc/$pid/fdinfo/${fd##*/}")
			# O_WRONLY (01) and O_APPEND (02000), nothing readable
			if [ -n "$log" ] && [ "$target" = "$log" ] &&
				[ $((8#$flags & 3)) = 1 ] &&
				[ $((8#$flags & 8#2000)) != 0 ]; then
				note "pid $pid: fd ${fd##*/} is maillog_file, write-only, append"
				continue
			fi
			bad="$bad ${fd##*/}->$target"
		done
		is "$bad" "" "${log:+maillog_file: }pid $pid ($cmd) chrooted to $root: no descriptor outside it"
	done
	ok "every chrooted worker was looked at (2 HTTPS, 1 HTTP httpd, rptrecv): $n" \
		test "$n" -ge 4
}
look ""

# With maillog_file (as stsd init writes it).
logfile=$I/log/stsd.log
inst_stop
inst_set "maillog_file=$logfile"
ok "the suite starts again with maillog_file" inst_start
ok "httpd serves the policy again" \
	wait_until 10 sh -c "$(declare -f fetch); t=$t D=$D HTTPS_PORT=$HTTPS_PORT; fetch | grep -q 'version: STSv1'"
look "$logfile"
done_testing
