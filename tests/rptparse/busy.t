#!/bin/bash
# tests/rptparse/busy.t - a report that cannot be stored for a passing
# reason (reports.db locked by another writer for longer than the busy
# time-out) stays in active/, is not lost nor moved to corrupt/, and is
# stored once the lock is gone (at the next wakeup).
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/rptparse/instance.sh"
t_need jq sqlite3

RP_WAKEUP=1
# The fixtures come unsigned: they count with report_require_dkim = no.
rp_start "report_require_dkim = no" || { fail "instance starts"; done_testing; }
T=$(t_tmpdir)
DB=$RP_DIR/data/reports.db
as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u "$RP_OWNER" -- "$@"; else "$@"; fi
}

# Hold the write lock until the test lets go (rptparse waits 5 s for it).
locked() { ! as_owner sqlite3 -cmd ".timeout 0" "$DB" "BEGIN IMMEDIATE; ROLLBACK;"; }
{ echo "BEGIN IMMEDIATE;"; while [ ! -e "$T/release" ]; do sleep 0.1; done
  echo "COMMIT;"; } | as_owner sqlite3 -cmd ".timeout 10000" "$DB" &
lock=$!
at_exit "touch $T/release; kill $lock"
ok "reports.db locked by another writer" wait_until 10 locked
rp_mail application/tlsrpt+json - "$FIX/google.json" >"$T/g.eml"
id=$(rp_put "$T/g.eml" | tail -1)
ok "left in active/ while the database is locked" wait_until 20 \
    grep -q "$id: .*left in active/" "$RP_LOG"
ok "still in active/" test -e "$RP_SPOOL/active/$id"
touch "$T/release"
wait $lock
ok "stored after the lock is gone" rp_idle 20
is "$(rp_json list | jq '.reports | length')" 1 "stored once"
is "$(ls "$RP_SPOOL/corrupt" | wc -l)" 0 "nothing in corrupt/"
done_testing
