#!/bin/bash
# stsd init: the files and directories of an instance in one directory.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

t_stsd_setup
# A daemon directory with fake httpd and rptrecv programs only.
t_true "$daemons/httpd" "$daemons/rptrecv"

d=$t/inst
out=$("$STSD" init "$d" --address 127.0.0.1 --https-port 18443 --http-port 18080 \
    --smtp-port 12525 --metrics-port 19425 --daemon-directory "$daemons" 2>&1)
is "$?" 0 "init exits 0"
like "$out" "stsd -c $d/etc start" "init says how to start the instance"
like "$out" "services in master.cf: 127.0.0.1:18443 127.0.0.1:18080 127.0.0.1:12525" \
    "init lists the services it enabled"

m=$d/etc/main.cf
ok "main.cf written" test -f "$m"
ok "master.cf written" test -f "$d/etc/master.cf"
val() { sed -n "s/^$1 = //p" "$m"; }
is "$(val config_directory)" "$d/etc" "config_directory is DIR/etc"
is "$(val data_directory)" "$d/data" "data_directory is DIR/data"
is "$(val queue_directory)" "$d/spool" "queue_directory is DIR/spool"
is "$(val maillog_file)" "$d/log/stsd.log" "maillog_file is DIR/log/stsd.log"
is "$(val daemon_directory)" "$daemons" "daemon_directory is --daemon-directory"
is "$(val domain_verification)" none "domain_verification = none"
is "$(val myhostname)" localhost "myhostname = localhost"
like "$(val sts_zone)" '^[a-z0-9.-]+\.[a-z]+$' "sts_zone is set"
if [ "$(id -u)" = 0 ]; then
	is "$(val mail_owner)" stsd "root instance: mail_owner = stsd"
else
	is "$(val mail_owner)" "$(id -un)" "user instance: mail_owner = the user"
fi
unlike "$(grep -E '^[a-z_]+ = ' "$m" | grep -E ' = ' | grep -vE "^(mail_owner|setgid_group|myhostname|sts_zone|domain_verification) = " | grep -v " = $d/" | grep -v " = $daemons\$")" \
    '.' "every path parameter is under DIR (or the daemon directory)"

mc=$(cat "$d/etc/master.cf")
like "$mc" $'\n127\\.0\\.0\\.1:18443 +inet +n +y +y +- +2 +httpd\n' "https service enabled on the given port"
like "$mc" $'\n127\\.0\\.0\\.1:18080 +inet .* httpd -o httpd_tls=no\n' "plain http service enabled on the given port"
like "$mc" $'\n127\\.0\\.0\\.1:12525 +inet .* rptrecv\n' "smtp service enabled on the given port"
like "$mc" $'\n#policyd +unix ' "policyd, not in the daemon directory, is a comment"
like "$mc" $'\n#127\\.0\\.0\\.1:19425 +inet .* metrics' "metrics port is recorded in its (comment) line"

mode() { stat -c %a "$1"; }
is "$(mode "$d/data")" 710 "data directory created 0710 (setgid_group may reach reports.db)"
is "$(mode "$d/spool/certs")" 700 "spool/certs created 0700"
is "$(mode "$d/spool")" 755 "queue directory created 0755"
for q in incoming active deferred corrupt private snapshot; do
	is "$(mode "$d/spool/$q")" 700 "spool/$q created 0700"
done
is "$(mode "$d/spool/public")" 710 "spool/public created 0710"
is "$(mode "$d/spool/pid")" 755 "spool/pid created 0755"
ok "log directory created" test -d "$d/log"
if [ "$(id -u)" = 0 ]; then
	is "$(stat -c %U:%G "$d/spool/private")" stsd:stsd "root: private belongs to stsd"
	is "$(stat -c %U:%G "$d/spool/snapshot")" stsd:stsd \
		"root: snapshot (policyd writes it, httpd reads it) belongs to stsd"
	is "$(stat -c %U "$d/spool/pid")" root "root: pid belongs to root"
fi

# An existing instance is kept.
before=$(md5sum "$m" "$d/etc/master.cf")
out=$("$STSD" init "$d" --https-port 1 --daemon-directory "$daemons" 2>&1)
is "$?" 1 "init of an existing instance exits 1"
like "$out" "stsd: error: $d: already holds an instance \\($m exists\\); use --force" \
    "init says the instance exists and how to overwrite it"
is "$(md5sum "$m" "$d/etc/master.cf")" "$before" "the existing files are unchanged"

out=$("$STSD" init "$d" --https-port 28443 --daemon-directory "$daemons" --force 2>&1)
is "$?" 0 "init --force overwrites"
like "$(cat "$d/etc/master.cf")" $'\n127\\.0\\.0\\.1:28443 +inet' "--force wrote the new port"

out=$("$STSD" init "$t/x" --https-port 70000 2>&1)
is "$?" 2 "bad port: exit 2"
like "$out" "--https-port 70000: expected a port number from 1 to 65535" "bad port is named"
ok "bad port: nothing written" test ! -e "$t/x"
out=$("$STSD" init "$t/x" --address localhost 2>&1)
like "$out" "--address localhost: expected a numeric IPv4 or IPv6 address" "bad address refused"

"$STSD" init "$t/v6" --address ::1 --daemon-directory "$daemons" >/dev/null 2>&1
like "$(cat "$t/v6/etc/master.cf")" $'\n\\[::1\\]:8443 +inet' "IPv6 address is bracketed, default https port 8443"

(cd "$t" && "$STSD" init rel --daemon-directory libexec >/dev/null 2>&1)
is "$(sed -n 's/^queue_directory = //p' "$t/rel/etc/main.cf")" "$t/rel/spool" \
    "relative DIR becomes an absolute path"
is "$(sed -n 's/^daemon_directory = //p' "$t/rel/etc/main.cf")" "$daemons" \
    "relative --daemon-directory becomes an absolute path"

out=$("$STSD" init "$t/nd" --daemon-directory "$t/nosuch" 2>&1)
is "$?" 1 "missing daemon directory: exit 1"
like "$out" "--daemon-directory $t/nosuch: No such file or directory" "missing daemon directory is named"

out=$("$STSD" init "$t/d2" 2>&1)
like "$(sed -n 's/^daemon_directory = //p' "$t/d2/etc/master.cf" "$t/d2/etc/main.cf")" '^/' \
    "without --daemon-directory the compiled default is used"

# --acme-directory: a staging CA for the first runs (issue: first-run
# mistakes count against the production CA's rate limits).
staging=https://acme-staging-v02.api.letsencrypt.org/directory
"$STSD" init "$t/acme" --daemon-directory "$daemons" --acme-directory "$staging" >/dev/null 2>&1
is "$?" 0 "init --acme-directory exits 0"
is "$("$BUILDDIR/stsconf/stsconf" -c "$t/acme/etc" acme_directory_url)" \
    "acme_directory_url = $staging" "the instance's acme_directory_url is the staging directory"
for bad in "http://acme.example/directory" "$(printf 'https://a.example/d\nmail_owner = root')" "not a url"; do
	out=$("$STSD" init "$t/acme-bad" --daemon-directory "$daemons" --acme-directory "$bad" 2>&1)
	is "$?" 2 "--acme-directory $(printf %q "$bad"): exit 2"
	like "$out" "^stsd: error: --acme-directory " "... naming the option"
	nok "... and writes no instance" test -e "$t/acme-bad/etc/main.cf"
done

# An ordinary user gets an instance of its own.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	u=$t/user
	mkdir "$u" && chown nobody "$u"
	out=$(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$STSD" init "$u/inst" --daemon-directory "$daemons" 2>&1)
	is "$?" 0 "init as an ordinary user exits 0"
	is "$(sed -n 's/^mail_owner = //p' "$u/inst/etc/main.cf")" nobody \
	    "user instance: mail_owner is that user"
	is "$(stat -c %U:%a "$u/inst/spool/private")" nobody:700 \
	    "user instance: directories belong to the user, modes as for root"
	is "$(stat -c %U:%a "$u/inst/spool/public")" nobody:710 "user instance: public is 0710"
fi

done_testing
