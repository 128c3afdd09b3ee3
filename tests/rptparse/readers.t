#!/bin/bash
# tests/rptparse/readers.t - stsctl reads reports.db without root: the
# database and its -wal and -shm files are mode 0640, group setgid_group,
# and stay in place when rptparse stops, so that an administrator in that
# group runs "stsctl report list" while rptparse runs and after it stopped,
# and a user outside the group is refused.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq
[ "$(id -u)" = 0 ] || skip_all "needs root (a second user, runuser)"

# The fixtures come unsigned: they count with report_require_dkim = no.
rp_start "report_require_dkim = no" || { fail "instance starts"; done_testing; }
T=$(t_tmpdir)
DB=$RP_DIR/data/reports.db
GROUP=$(sed -n 's/^setgid_group *= *//p' "$RP_DIR/etc/main.cf")
GROUP=${GROUP:-$(id -gn "$RP_OWNER")}

rp_mail application/tlsrpt+gzip - "$FIX/google.json" gzip >"$T/g.eml"
rp_put "$T/g.eml" >/dev/null
ok "a report is stored" wait_output 60 1 rp_nstored

for f in "" -wal -shm; do
	is "$(stat -c '%a %G' "$DB$f")" "640 $GROUP" "reports.db$f: mode 0640, group $GROUP"
done

# Two users: an administrator in setgid_group, and one outside it.
admin=stsdadm$$ other=stsdoth$$
useradd --no-create-home --shell /usr/sbin/nologin -G "$GROUP" "$admin" &&
	at_exit "userdel $admin" || fail "useradd $admin"
useradd --no-create-home --shell /usr/sbin/nologin "$other" &&
	at_exit "userdel $other" || fail "useradd $other"

# data_directory lets the group reach reports.db (search only).
is "$(stat -c '%a %G' "$RP_DIR/data")" "710 $GROUP" \
    "data_directory is 0710, group $GROUP"

as() { local u=$1; shift; runuser -u "$u" -- "$@"; }
list() { as "$1" $STSCTL report list --json; }
is "$(list "$admin" | jq -r '.reports[0]."organization-name"')" "Google Inc." \
    "a member of $GROUP lists the reports while rptparse runs"
out=$(as "$admin" $STSCTL report list 2>&1)
like "$out" 'Google Inc\.' "and in the readable table"
out=$(list "$other" 2>&1)
like "$out" 'reports\.db: .*(permission denied|unable to open)' \
    "a user outside $GROUP is refused, naming reports.db: $(head -c 100 <<<"$out")"
nok "with a non-zero exit" quiet list "$other"

# rptparse stops: the WAL files stay, readers still read.
rp_stop() { "$RP_STSD" -c "$RP_DIR/etc" stop >/dev/null 2>&1; }
ok "the instance stops" rp_stop
ok "reports.db-wal stays after rptparse stopped" test -e "$DB-wal"
ok "reports.db-shm stays after rptparse stopped" test -e "$DB-shm"
is "$(list "$admin" | jq '.reports | length')" 1 \
    "a member of $GROUP lists the reports after rptparse stopped"
is "$(list "$admin" | jq '.reports | length')" 1 "and again (nothing was left locked)"
done_testing
