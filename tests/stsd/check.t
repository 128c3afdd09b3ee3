#!/bin/bash
# stsd check: main.cf and master.cf errors with file:line, directories
# created and repaired, programs looked for.
source "$SRCDIR/tests/lib.sh"

STSD=$BUILDDIR/stsd/stsd
[ -x "$STSD" ] || skip_all "no $STSD"
if [ "$(id -u)" = 0 ] && ! id stsd >/dev/null 2>&1; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin stsd || skip_all "cannot create user stsd"
fi

t=$(t_tmpdir)
daemons=$t/libexec
mkdir -p "$daemons"
printf '#!/bin/sh\nexit 0\n' >"$daemons/master"
chmod 755 "$daemons/master"
d=$t/inst
"$STSD" init "$d" --daemon-directory "$daemons" >/dev/null 2>&1 || fail "init"
S=("$STSD" -c "$d/etc")

out=$("${S[@]}" check 2>&1)
is "$?" 0 "a fresh instance passes check"
is "$out" "" "check of a good instance prints nothing"
out=$("${S[@]}" -v check 2>&1)
like "$out" "configuration and directories are fine" "check -v says it is fine"

# The configuration directory also comes from STSD_CONFIG_DIR.
out=$(STSD_CONFIG_DIR=$d/etc "$STSD" -v check 2>&1)
like "$out" "$d/etc: configuration and directories are fine" "STSD_CONFIG_DIR is used without -c"

rm -rf "$d/spool/corrupt" "$d/data/certs"
out=$("${S[@]}" check 2>&1)
is "$?" 0 "missing directories: check exits 0 after creating them"
like "$out" "stsd: $d/spool/corrupt: created \\(mode 0700, owner " "check says what it created"
is "$(stat -c %a "$d/spool/corrupt")" 700 "re-created spool/corrupt is 0700"
is "$(stat -c %a "$d/data/certs")" 700 "re-created data/certs is 0700"

rm -rf "$d/spool"
"${S[@]}" check >/dev/null 2>&1
is "$(stat -c %a "$d/spool" "$d/spool/private" "$d/spool/public" | tr '\n' ' ')" "755 700 710 " \
    "a removed queue directory is made again with its subdirectories"

chmod 755 "$d/spool/private"
out=$("${S[@]}" check 2>&1)
is "$?" 1 "wrong mode: check exits 1"
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
echo "ipc_timeout = 10x" >>"$d/etc/main.cf"
line=$(wc -l <"$d/etc/main.cf")
out=$("${S[@]}" check 2>&1)
is "$?" 1 "bad main.cf: check exits 1"
like "$out" "^stsd: error: (.*/)?main\\.cf:$line: parameter ipc_timeout: .*10x" \
    "bad main.cf: error names main.cf:LINE, the parameter and the value"
cp "$t/main.cf.good" "$d/etc/main.cf"

# Broken master.cf.
cp "$d/etc/master.cf" "$t/master.cf.good"
echo "broken unix y" >>"$d/etc/master.cf"
line=$(wc -l <"$d/etc/master.cf")
out=$("${S[@]}" check 2>&1)
is "$?" 1 "bad master.cf: check exits 1"
like "$out" "stsd: error: (.*/)?master\\.cf:$line: " "bad master.cf: error names master.cf:LINE"
cp "$t/master.cf.good" "$d/etc/master.cf"

# Programs: master and each command of master.cf.
echo "worker unix - - n - 1 noprogram" >>"$d/etc/master.cf"
line=$(wc -l <"$d/etc/master.cf")
out=$("${S[@]}" check 2>&1)
is "$?" 1 "missing service program: check exits 1"
like "$out" "stsd: error: $daemons/noprogram: No such file or directory \\(master\\.cf:$line: service worker unix" \
    "missing service program: path and master.cf line"
cp "$t/master.cf.good" "$d/etc/master.cf"
chmod 644 "$daemons/master"
out=$("${S[@]}" check 2>&1)
is "$?" 1 "master not executable: check exits 1"
like "$out" "$daemons/master: not an executable file" "master not executable: named"
rm "$daemons/master"
out=$("${S[@]}" check 2>&1)
like "$out" "$daemons/master: No such file or directory" "missing master: named"

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

done_testing
