# tests/httpd/certs.t - httpd's certificates: chosen by SNI from
# $queue_directory/certs/HOST/, loaded on first use, replaced on disk and
# served from the next handshake on without a restart, a host whose
# certificate appears later, a broken replacement that keeps the old one
# in use; httpd runs chrooted and unprivileged.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/httpd/instance.sh"

inst_need httpd policyd master stsctl

dir=$(t_tmpdir)/i
httpd_instance "$dir" || { fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance with httpd starts"

# served HOST: SHA-256 fingerprint of the certificate the handshake shows.
served() {
	echo | timeout 5 openssl s_client -connect "127.0.0.1:$HTTPS" -servername "$1" 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 2>/dev/null
}
on_disk() { openssl x509 -in "$I/spool/certs/$1/fullchain.pem" -noout -fingerprint -sha256; }
served_is() { [ "$(served "$1")" = "$(on_disk "$1")" ]; }

pids=$(pgrep -f -- "-n 127.0.0.1:$HTTPS " | sort | tr '\n' ' ')
old=$(on_disk mta-sts.a.example)
is "$(served mta-sts.a.example)" "$old" "SNI picks the host's certificate"
is "$(served mta-sts.b.example)" "$(on_disk mta-sts.b.example)" "another SNI, another certificate"

inst_cert mta-sts.a.example
new=$(on_disk mta-sts.a.example)
nok "the test really made a new certificate" [ "$new" = "$old" ]
# Each of the two processes checks the files at most once a second.
ok "a replaced certificate is served without restart" wait_until 3 served_is mta-sts.a.example
# The other process may have looked at the files just before the change:
# after its next look (within a second) it serves the new one too.
sleep 1.1
same=0
for i in $(seq 10); do [ "$(served mta-sts.a.example)" = "$new" ] && same=$((same + 1)); done
is "$same" 10 "... by every process (10 handshakes)"
is "$(pgrep -f -- "-n 127.0.0.1:$HTTPS " | sort | tr '\n' ' ')" "$pids" "httpd processes were not restarted"

# A host without certificate, then with one.
nok "host without certificate: no handshake" quiet sh -c \
	"echo | timeout 5 openssl s_client -connect 127.0.0.1:$HTTPS -servername mta-sts.c.example 2>&1 | grep -q 'BEGIN CERTIFICATE\|^Server certificate'"
inst_cert mta-sts.c.example
ok "a certificate that appears later is picked up" wait_until 3 served_is mta-sts.c.example

# A broken replacement keeps the previous certificate in use (in each
# process that had loaded it: 12 handshakes first reach both, likely).
good=$(on_disk mta-sts.b.example)
for i in $(seq 12); do served mta-sts.b.example >/dev/null; done
openssl ecparam -name prime256v1 -genkey -noout -out "$I/other.key" 2>/dev/null
chmod 600 "$I/other.key"
[ "$(id -u)" = 0 ] && chown "$(inst_owner):" "$I/other.key"
mv -f "$I/other.key" "$I/spool/certs/mta-sts.b.example/privkey.pem"
sleep 1.2
seen=$(for i in $(seq 10); do served mta-sts.b.example; echo; done | sort -u | grep .)
is "$seen" "$good" "key not matching the certificate: previous certificate kept"
ok "the mismatch is logged" wait_until 3 grep -q 'mta-sts.b.example: privkey.pem does not match' "$I/log/stsd.log"

# A key the daemon cannot read (installed by root, mode 0600) fails in
# every process; once chown fixes it (no new mtime), every process
# loads it within its check interval (a second).
if [ "$(id -u)" = 0 ]; then
	inst_cert mta-sts.d.example
	chown root: "$I/spool/certs/mta-sts.d.example/privkey.pem"
	touch -d "2020-01-01" "$I/spool/certs/mta-sts.d.example/privkey.pem"
	sleep 1.1
	n=0
	for i in $(seq 12); do [ -n "$(served mta-sts.d.example)" ] && n=$((n + 1)); done
	is "$n" 0 "unreadable key: no handshake in any process (12 tries)"
	mtime=$(stat -c %Y "$I/spool/certs/mta-sts.d.example/privkey.pem")
	chown "$(inst_owner):" "$I/spool/certs/mta-sts.d.example/privkey.pem"
	is "$(stat -c %Y "$I/spool/certs/mta-sts.d.example/privkey.pem")" "$mtime" \
		"chown left the mtime as it was"
	sleep 1.1
	n=0
	for i in $(seq 12); do served_is mta-sts.d.example && n=$((n + 1)); done
	is "$n" 12 "after chown every process serves the certificate (12 handshakes)"
fi

# Privileges: unprivileged, chrooted into queue_directory (as root only).
if [ "$(id -u)" = 0 ]; then
	pid=$(pgrep -f -- "-n 127.0.0.1:$HTTPS " | head -1)
	is "$(stat -c %U /proc/$pid)" "$(inst_owner)" "httpd runs as mail_owner"
	is "$(readlink /proc/$pid/root)" "$I/spool" "httpd is chrooted into queue_directory"
fi
unlike "$(grep -E 'httpd.*(fatal|panic)|AddressSanitizer' "$I/log/stsd.log")" . "no fatal error in the log"
done_testing
