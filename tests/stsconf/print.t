#!/bin/bash
# tests/stsconf/print.t - stsconf prints parameters: all, -n, -d, -x,
# names, unknown names, the configuration directory, and -M.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/stsconf/stsconf.sh"

cat "$SRCDIR/tests/stsconf/main.cf" >"$dir/main.cf"

all=$("$STSCONF" -c "$dir" 2>"$dir/err")
is "$?" 0 "no option: exit status 0"
is "$(cat "$dir/err")" "" "no option: nothing on stderr"
defaults=$("$STSCONF" -d)
is "$(wc -l <<<"$all")" "$(wc -l <<<"$defaults")" \
    "no option: as many parameters as -d"
bad=$(grep -Evc '^[a-z_0-9]+ =( .+)?$' <<<"$all")
is "$bad" 0 "every line reads \"name = value\""
is "$(sed 's/ =.*//' <<<"$all")" "$(sed 's/ =.*//' <<<"$all" | LC_ALL=C sort)" \
    "parameters are sorted by name"
like "$all" '^ipc_timeout = 5m$' "no option: the main.cf value"
like "$all" '^service_crash_time = 10s$' "no option: the default of an unset parameter"
like "$all" '^policy_host = mta-sts\.\$sts_zone$' "no option: values unexpanded"
like "$all" '^report_recipients = a@\$sts_zone, b@\$sts_zone$' \
    "continuation lines joined"
like "$all" "^config_directory = $dir\$" "config_directory is the directory read"

set_only=$("$STSCONF" -c "$dir" -n)
is "$set_only" "ipc_timeout = 5m
report_recipients = a@\$sts_zone, b@\$sts_zone
sts_zone = example.net" "-n: only what main.cf sets, sorted"

is "$("$STSCONF" -c "$dir" -x policy_host report_recipients)" \
    "policy_host = mta-sts.example.net
report_recipients = a@example.net, b@example.net" "-x expands"
is "$("$STSCONF" -c "$dir" -d ipc_timeout)" "ipc_timeout = 30s" \
    "-d: the default even when main.cf sets it"
is "$("$STSCONF" -c "$dir" sts_zone ipc_timeout)" \
    "sts_zone = example.net
ipc_timeout = 5m" "names: only those, in the order given"
is "$("$STSCONF" -c "$dir" -n message_size_limit sts_zone)" \
    "sts_zone = example.net" "-n with names: only the set ones"

out=$("$STSCONF" -c "$dir" foo sts_zone 2>"$dir/err")
is "$?" 1 "unknown name: exit status 1"
is "$(cat "$dir/err")" "stsconf: unknown parameter: foo" "unknown name: message"
is "$out" "sts_zone = example.net" "unknown name: the known ones still print"
"$STSCONF" -c "$dir" -d foo >/dev/null 2>&1
is "$?" 1 "-d with an unknown name: exit status 1"

is "$(STSD_CONFIG_DIR=$dir "$STSCONF" ipc_timeout)" "ipc_timeout = 5m" \
    "STSD_CONFIG_DIR without -c"
other=$(t_tmpdir)
echo "ipc_timeout = 7s" >"$other/main.cf"
is "$(STSD_CONFIG_DIR=$dir "$STSCONF" -c "$other" ipc_timeout)" \
    "ipc_timeout = 7s" "-c wins over STSD_CONFIG_DIR"

# -M: master.cf without comments, continuation lines joined.
cat >"$dir/master.cf" <<'CF'
# service type  private unpriv  chroot  wakeup  maxproc command
policyd   unix  n       y       n       -       1       policyd
# httpd
127.0.0.1:8443     inet  -       y       y       -       4       httpd
    -o httpd_tls=yes
  # a comment inside
    -o ipc_timeout=10s

CF
is "$("$STSCONF" -c "$dir" -M)" \
    "policyd unix n y n - 1 policyd
127.0.0.1:8443 inet - y y - 4 httpd -o httpd_tls=yes -o ipc_timeout=10s" \
    "-M: one line per service"
printf 'x unix - - - - 0 x\n' >"$dir/master.cf"
err=$("$STSCONF" -c "$dir" -M 2>&1)
is "$?" 1 "-M with a bad master.cf: exit status 1"
like "$err" "^stsconf: $dir/master.cf:1: " "-M with a bad master.cf: file and line"
rm "$dir/master.cf"
err=$("$STSCONF" -c "$dir" -M 2>&1)
is "$?" 1 "-M without master.cf: exit status 1"
is "$err" "stsconf: cannot open $dir/master.cf: No such file or directory" \
    "-M without master.cf: message"

"$STSCONF" -n -e x=1 >/dev/null 2>&1
is "$?" 2 "-n with -e is a usage error: exit 2"
like "$("$STSCONF" -Q 2>&1)" "usage: stsconf" "bad option prints the usage"

done_testing
