#!/bin/bash
# stsd check: main.cf and master.cf errors with file:line, directories
# created and repaired, programs looked for.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

t_stsd_setup
t_true "$daemons/master"
d=$t/inst
"$STSD" init "$d" --daemon-directory "$daemons" >/dev/null 2>&1 || fail "init"
S=("$STSD" -c "$d/etc")

# check_fails WHAT: stsd check exits 1 (one case); its output is in $out.
check_fails() {
	out=$("${S[@]}" check 2>&1)
	is "$?" 1 "$1: check exits 1"
}

# append FILE TEXT: TEXT becomes the last line of $d/etc/FILE, line $line.
append() {
	echo "$2" >>"$d/etc/$1"
	line=$(wc -l <"$d/etc/$1")
}

out=$("${S[@]}" check 2>&1)
is "$?" 0 "a fresh instance passes check"
is "$out" "" "check of a good instance prints nothing"
out=$("${S[@]}" -v check 2>&1)
like "$out" "configuration and directories are fine" "check -v says it is fine"

# The configuration directory also comes from STSD_CONFIG_DIR.
out=$(STSD_CONFIG_DIR=$d/etc "$STSD" -v check 2>&1)
like "$out" "$d/etc: configuration and directories are fine" "STSD_CONFIG_DIR is used without -c"

rm -rf "$d/spool/corrupt" "$d/spool/certs"
out=$("${S[@]}" check 2>&1)
is "$?" 0 "missing directories: check exits 0 after creating them"
like "$out" "stsd: $d/spool/corrupt: created \\(mode 0700, owner " "check says what it created"
is "$(stat -c %a "$d/spool/corrupt")" 700 "re-created spool/corrupt is 0700"
is "$(stat -c %a "$d/spool/certs")" 700 "re-created spool/certs is 0700"

rm -rf "$d/spool"
"${S[@]}" check >/dev/null 2>&1
is "$(stat -c %a "$d/spool" "$d/spool/private" "$d/spool/public" | tr '\n' ' ')" "755 700 710 " \
    "a removed queue directory is made again with its subdirectories"

# Certificates in the store, whoever installed them: an expired one is
# an error (exit 1), one within cert_warning_time a warning (exit 0).
source "$SRCDIR/tests/pki.sh"
pki_ca "$t/ca"
pki_cert "$t/ca" mta-sts.soon.example 3 >/dev/null 2>&1
pki_cert "$t/ca" mta-sts.old.example -2 >/dev/null 2>&1
owner=$("$BUILDDIR/stsconf/stsconf" -c "$d/etc" -x mail_owner | sed 's/^[^=]*= *//')
# As an operator installs one: copied, then given to mail_owner.
install_cert() {
	cp -r "$t/ca/$1" "$d/spool/certs/"
	[ "$(id -u)" = 0 ] && chown -R "$owner:" "$d/spool/certs/$1"
	chmod 600 "$d/spool/certs/$1/privkey.pem"
}
install_cert mta-sts.soon.example
out=$("${S[@]}" check 2>&1)
is "$?" 0 "a certificate that expires in 3 days: check exits 0"
like "$out" "^stsd: warning: certificate of mta-sts.soon.example expires on [0-9T:-]+Z, in [23] days \\(cert_warning_time is 14 days\\)" \
    "... with a warning naming the host, the date and cert_warning_time"
pki_cert "$t/ca" mta-sts.day.example 2 >/dev/null 2>&1
cp -r "$t/ca/mta-sts.day.example" "$d/spool/certs/"
# An hour later, 47 hours are left: whole days, in the singular.
if command -v faketime >/dev/null; then
	like "$(ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
	    faketime -f +1h "${S[@]}" check 2>&1)" \
	    "^stsd: warning: certificate of mta-sts.day.example expires on [0-9T:-]+Z, in 1 day \\(cert_warning_time is 14 days\\)" \
	    "... and says \"in 1 day\", not \"1 days\""
else
	note "faketime not installed: \"in 1 day\" not checked"
fi
rm -rf "$d/spool/certs/mta-sts.day.example"
"$BUILDDIR/stsconf/stsconf" -c "$d/etc" -e cert_warning_time=1d >/dev/null
out=$("${S[@]}" check 2>&1)
is "$out" "" "with cert_warning_time = 1d it is fine"
install_cert mta-sts.old.example
check_fails "an expired certificate installed by hand"
like "$out" "^stsd: error: certificate of mta-sts.old.example expired on [0-9T:-]+Z \\($d/spool/certs/mta-sts.old.example/fullchain.pem\\): senders cannot fetch its policy \\(fix: " \
    "... with an error naming the host, the date, the file and the fix"
rm -rf "$d/spool/certs/mta-sts.old.example" "$d/spool/certs/mta-sts.soon.example"

# A key that root reads but mail_owner cannot (copied by root, mode
# 0600): HTTPS would fail with "unrecognized name", check says so.
pki_cert "$t/ca" mta-sts.key.example 30 >/dev/null 2>&1
install_cert mta-sts.key.example
K=$d/spool/certs/mta-sts.key.example/privkey.pem
out=$("${S[@]}" check 2>&1)
is "$?" 0 "a certificate and key that mail_owner reads: check exits 0"
if [ "$(id -u)" = 0 ]; then
	chown root: "$K"
else
	chmod 000 "$K"
fi
check_fails "a key that mail_owner cannot read"
is "$out" "stsd: error: certificate of mta-sts.key.example: $K: not readable by $owner: Permission denied (fix: chown $owner $K; chmod 0600 $K)" \
    "... naming the host, the file, mail_owner, the cause and the fix"
[ "$(id -u)" = 0 ] && chown "$owner:" "$K"
chmod 600 "$K"
# A key of another certificate: loads, does not match.
pki_cert "$t/ca" mta-sts.other.example 30 >/dev/null 2>&1
cp "$t/ca/mta-sts.other.example/privkey.pem" "$K"
check_fails "a key that does not match its certificate"
like "$out" "^stsd: error: certificate of mta-sts.key.example: .*/fullchain.pem and $K cannot be used: .* \\(fix: install a matching fullchain.pem and privkey.pem there\\)" \
    "... says so with OpenSSL's reason"
printf 'garbage\n\001\n' >"$K"
check_fails "a key file that is not PEM"
rm -rf "$d/spool/certs/mta-sts.key.example"
out=$("${S[@]}" check 2>&1)
is "$?" 0 "removed: check exits 0 again"

# Certificates left in the former place, $data_directory/certs, are
# moved into the store at the next check (stsd start runs it).
mkdir -p "$d/data/certs/mta-sts.moved.example"
cp "$t/ca/mta-sts.soon.example/fullchain.pem" "$d/data/certs/mta-sts.moved.example/"
out=$("${S[@]}" check 2>&1)
like "$out" "$d/data/certs/mta-sts.moved.example: moved to $d/spool/certs/mta-sts.moved.example" \
    "a certificate in the former place is moved into the store"
ok "... and is there" test -f "$d/spool/certs/mta-sts.moved.example/fullchain.pem"
nok "... the emptied former directory is removed" test -e "$d/data/certs"
rm -rf "$d/spool/certs/mta-sts.moved.example"
"$BUILDDIR/stsconf/stsconf" -c "$d/etc" -e cert_warning_time=14d >/dev/null

chmod 755 "$d/spool/private"
check_fails "wrong mode"
is "$out" "stsd: error: $d/spool/private: mode 0755, expected 0700 (fix: chmod 0700 $d/spool/private)" \
    "wrong mode: one line with the fix"
is "$(stat -c %a "$d/spool/private")" 755 "check alone does not change the mode"
out=$("${S[@]}" check --fix 2>&1)
is "$?" 0 "check --fix exits 0"
like "$out" "$d/spool/private: changed mode 0755 to 0700" "check --fix says what it changed"
is "$(stat -c %a "$d/spool/private")" 700 "check --fix repaired the mode"

if [ "$(id -u)" = 0 ]; then
	chown root:root "$d/data"
	out=$("${S[@]}" check 2>&1)
	like "$out" "$d/data: owner root:root, expected stsd:stsd \\(fix: chown stsd:stsd $d/data\\)" \
	    "root: wrong owner is reported with the fix"
	"${S[@]}" check --fix >/dev/null 2>&1
	is "$(stat -c %U "$d/data")" stsd "root: check --fix gives it back to mail_owner"
fi

# Broken main.cf: the error names file and line.
cp "$d/etc/main.cf" "$t/main.cf.good"
append main.cf "ipc_timeout = 10x"
check_fails "bad main.cf"
like "$out" "^stsd: error: (.*/)?main\\.cf:$line: parameter ipc_timeout: .*10x" \
    "bad main.cf: error names main.cf:LINE, the parameter and the value"
cp "$t/main.cf.good" "$d/etc/main.cf"

# The portal needs its host name.
append main.cf "portal_enabled = yes"
check_fails "portal_enabled = yes without portal_hostname"
like "$out" "stsd: error: (.*/)?main\\.cf: portal_enabled = yes needs portal_hostname, the name the portal answers to on the HTTPS listener \\(fix: stsconf -e portal_hostname=NAME, or portal_enabled=no\\)" \
    "... the error names both parameters and the fix"
append main.cf "portal_hostname = portal.example.com"
out=$("${S[@]}" check 2>&1)
is "$?" 0 "... with portal_hostname: check passes"
cp "$t/main.cf.good" "$d/etc/main.cf"

# start refuses what check refuses, before master runs.
echo "default_policy_max_age = 400d" >>"$d/etc/main.cf"
printf '#!/bin/sh\ntouch %s/master-ran\nexit 0\n' "$t" >"$daemons/master"
out=$("${S[@]}" start 2>&1)
is "$?" 1 "a value beyond its bounds: start exits 1"
like "$out" "stsd: error: (.*/)?main\\.cf:[0-9]+: parameter default_policy_max_age: bad time value \"400d\": expected from 0s to 8766h" \
    "start names the parameter, the value and what is allowed"
ok "start did not run master" test ! -e "$t/master-ran"
t_true "$daemons/master"
cp "$t/main.cf.good" "$d/etc/main.cf"

# Broken master.cf.
cp "$d/etc/master.cf" "$t/master.cf.good"
append master.cf "broken unix y"
check_fails "bad master.cf"
like "$out" "stsd: error: (.*/)?master\\.cf:$line: " "bad master.cf: error names master.cf:LINE"
cp "$t/master.cf.good" "$d/etc/master.cf"

# Programs: master and each command of master.cf.
append master.cf "worker unix - - n - 1 noprogram"
check_fails "missing service program"
like "$out" "stsd: error: $daemons/noprogram: No such file or directory \\(master\\.cf:$line: service worker unix" \
    "missing service program: path and master.cf line"
cp "$t/master.cf.good" "$d/etc/master.cf"
chmod 644 "$daemons/master"
check_fails "master not executable"
like "$out" "$daemons/master: not an executable file" "master not executable: named"
rm "$daemons/master"
out=$("${S[@]}" check 2>&1)
like "$out" "$daemons/master: No such file or directory" "missing master: named"

# Databases: PRAGMA quick_check, read-only; a broken one names the file.
if command -v sqlite3 >/dev/null; then
	db=$d/data/reports.db
	sqlite3 "$db" "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT);
	    CREATE INDEX tb ON t (b);
	    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
	    WHERE i < 2000) INSERT INTO t SELECT i, printf('%0100d', i) FROM n;"
	t_true "$daemons/master"
	out=$("${S[@]}" check 2>&1)
	is "$?" 0 "a good reports.db passes"
	head -c 2000 /dev/zero | tr '\0' '\245' |
	    dd of="$db" bs=1 seek=$((3 * 4096 + 200)) conv=notrunc 2>/dev/null
	sum=$(md5sum <"$db")
	check_fails "a broken page in reports.db"
	like "$out" "^stsd: error: $db: PRAGMA quick_check: .*(invalid page|malformed|corrupt).* \\(fix: stop stsd, restore reports\\.db" \
	    "the broken reports.db is named with SQLite's finding and the fix"
	is "$(md5sum <"$db")" "$sum" "check does not write the database"
	rm -f "$db"
	printf 'this is a text file, not an SQLite database; it says so %064d\n' 0 \
	    >"$d/data/policy.db"
	check_fails "policy.db that is not a database"
	like "$out" "^stsd: error: $d/data/policy\\.db: PRAGMA quick_check: file is not a database" \
	    "policy.db that is not a database: named"
	rm -f "$d/data/policy.db"
	out=$("${S[@]}" check 2>&1)
	is "$?" 0 "no database yet: nothing to check"
fi

out=$("$STSD" -c "$t/nosuch" check 2>&1)
is "$?" 1 "missing configuration directory: exit 1"
like "$out" "$t/nosuch/main\\.cf" "missing configuration directory: main.cf path named"

out=$("$STSD" -c "$d/etc" check extra 2>&1)
is "$?" 2 "check with a stray argument: usage, exit 2"
out=$("$STSD" 2>&1)
is "$?" 2 "no command: exit 2"
like "$out" "usage: stsd" "no command: usage"
out=$("$STSD" -c "$d/etc" frobnicate 2>&1)
is "$?" 2 "unknown command: exit 2"

# The usual operator mistakes, one line each with the fix.
t_true "$daemons/master"
cp "$t/master.cf.good" "$d/etc/master.cf"
cp "$t/main.cf.good" "$d/etc/main.cf"

# A port in use: something else listens on a master.cf address.
port=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(60)' "$port" &
lpid=$!
at_exit "kill $lpid"
wait_until 5 sh -c "ss -Htln | grep -q ':$port '"
append master.cf "127.0.0.1:$port inet n y n - 1 master"
check_fails "port in use"
is "$out" "stsd: error: master.cf:$line: service 127.0.0.1:$port: 127.0.0.1:$port is already in use (fix: stop what listens there, see ss -ltnp, or change the address in master.cf)" \
    "port in use: one line with the service and the fix"
kill "$lpid"; wait "$lpid" 2>/dev/null
out=$("${S[@]}" check 2>&1)
is "$?" 0 "port free again: check passes"
cp "$t/master.cf.good" "$d/etc/master.cf"

# The TSIG key file: loose modes, wrong owner, missing.
key=$t/tsig.key
echo 'key "k" { algorithm hmac-sha256; secret "c2VjcmV0"; };' >"$key"
chmod 644 "$key"
echo "dns_update_key_file = $key" >>"$d/etc/main.cf"
check_fails "TSIG key readable by others"
is "$out" "stsd: error: dns_update_key_file $key: mode 0644, readable by group or others (fix: chmod 0600 $key)" \
    "TSIG key readable by others: one line with the fix"
chmod 640 "$key"
like "$("${S[@]}" check 2>&1)" "mode 0640, readable by group" "TSIG key readable by the group: reported"
chmod 600 "$key"
out=$("${S[@]}" check 2>&1)
is "$?" 0 "TSIG key 0600: check passes"
if [ "$(id -u)" = 0 ]; then
	chown nobody "$key"
	out=$("${S[@]}" check 2>&1)
	is "$out" "stsd: error: dns_update_key_file $key: owner nobody, expected stsd or root (fix: chown stsd $key)" \
	    "root: TSIG key of another user: one line with the fix"
	chown root "$key"
fi
rm "$key"
like "$("${S[@]}" check 2>&1)" "dns_update_key_file $key: No such file or directory \\(fix: " \
    "missing TSIG key file: named with the fix"
cp "$t/main.cf.good" "$d/etc/main.cf"

# A directory the daemons cannot write.
if [ "$(id -u)" = 0 ]; then
	if mount --bind "$d/data/acme" "$d/data/acme" 2>/dev/null &&
	    mount -o remount,ro,bind "$d/data/acme" 2>/dev/null; then
		at_exit "umount $d/data/acme"
		check_fails "read-only directory"
		is "$out" "stsd: error: $d/data/acme: not writable by stsd: Read-only file system (fix: make it writable: a read-write mount, chown stsd, chmod u+rwx)" \
		    "read-only directory: one line with the fix"
		umount "$d/data/acme"
	else
		umount "$d/data/acme" 2>/dev/null
		note "no bind mounts here: read-only directory case not run"
	fi
else
	chmod 500 "$d/data/acme"
	like "$("${S[@]}" check 2>&1)" "$d/data/acme: not writable by $(id -un): Permission denied \\(fix: " \
	    "unwritable directory: named with the fix"
	chmod 700 "$d/data/acme"
fi

# A certificate missing for an active domain (asks policyd).
out=$("${S[@]}" -v check 2>&1)
like "$out" "policyd is not running .*: certificates of active domains not checked" \
    "policyd not running: the certificate check says it is skipped"
if [ -x "$BUILDDIR/libexec/policyd" ] && [ -x "$BUILDDIR/stsctl/stsctl" ]; then
	source "$SRCDIR/tests/instance.sh"
	inst_init "$t/live" || fail "live instance: init"
	inst_only policyd
	if inst_start; then
		wait_until 10 $STSCTL domain list
		quiet $STSCTL domain add example.com --mx mx1.example.com
		out=$($STSD check 2>&1)
		is "$?" 1 "active domain without a certificate: check exits 1"
		like "$out" "^stsd: error: domain example.com is active but has no certificate: $I/spool/certs/mta-sts.example.com/fullchain.pem: No such file or directory \\(fix: " \
		    "active domain without a certificate: one line with the path and the fix"
		# The fix fits acme_enabled: with yes, where to look, not
		# to enable it.
		"$BUILDDIR/stsconf/stsconf" -c "$I/etc" -e acme_enabled=yes >/dev/null
		out=$($STSD check 2>&1)
		is "$?" 1 "acme_enabled = yes, no certificate yet: check exits 1"
		like "$out" "\\(fix: acmed has not installed one yet: see what it waits for in stsctl cert list and in acmed's log, or install fullchain.pem and privkey.pem there\\)" \
		    "acme_enabled = yes: the fix points at stsctl cert list and acmed's log"
		unlike "$out" "fix: acme_enabled = yes" \
		    "acme_enabled = yes: the fix does not say to enable it"
		# What acmed says of the host, from its state file, escaped.
		mkdir -p "$I/data/acme"
		printf '{"mta-sts.example.com":{"state":"failed","last_error":"authorization of mta-sts.example.com is invalid: urn:ietf:params:acme:error:dns\\n\\u001b[31mNXDOMAIN"}}' \
		    >"$I/data/acme/state.json"
		out=$($STSD check 2>&1)
		like "$out" "mta-sts.example.com/fullchain.pem: No such file or directory \\(acmed: failed: authorization of mta-sts.example.com is invalid: urn:ietf:params:acme:error:dns\\\\n\\\\x1b\\[31mNXDOMAIN\\) \\(fix: acmed has not installed" \
		    "acme_enabled = yes: the line says acmed's state and last error, escaped"
		is "$(printf '%s' "$out" | grep -c .)" 1 "... on one line"
		echo '{}' >"$I/data/acme/state.json"
		like "$($STSD check 2>&1)" "\\(acmed: no order for mta-sts.example.com yet\\)" \
		    "a host acmed has not tried yet is said so"
		rm -f "$I/data/acme/state.json"
		"$BUILDDIR/stsconf/stsconf" -c "$I/etc" -e acme_enabled=no >/dev/null
		out=$($STSD check 2>&1)
		like "$out" "\\(fix: acme_enabled = yes so that acmed gets one, or install fullchain.pem and privkey.pem there\\)" \
		    "acme_enabled = no: the fix says to enable it"
		pki_cert "$t/ca" mta-sts.example.com 30 >/dev/null 2>&1
		cp -r "$t/ca/mta-sts.example.com" "$I/spool/certs/"
		[ "$(id -u)" = 0 ] && chown -R "$("$BUILDDIR/stsconf/stsconf" -c "$I/etc" -x mail_owner | sed 's/^[^=]*= *//'):" \
		    "$I/spool/certs/mta-sts.example.com"
		out=$($STSD check 2>&1)
		is "$?" 0 "with its certificate: check passes"
		inst_stop
	else
		fail "live instance: start"
	fi
fi

done_testing
