#!/bin/bash
# tests/policyd/crash.t - a crash in the middle of a burst of adds loses
# no domain that policyd acknowledged.  Adds go one at a time over one
# connection, as stsctl sends them (tests/policyd/addburst prints each
# acknowledged domain at once); master, then policyd, are killed with
# SIGKILL while the adds run.  Every acknowledged domain has its record
# in the snapshot journal that httpd serves from (a reply comes after
# both the commit of policy.db and the sync of that record), policy.db
# holds each after a new start, and the snapshot that policyd writes at
# that start lists exactly the domains of policy.db: a record written
# for an add whose commit did not finish is gone with it.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"

inst_need policyd master stsctl
BURST=$BUILDDIR/tests/policyd/addburst
[ -x "$BURST" ] || skip_all "$BURST is not built"

dir=$(t_tmpdir)/i
inst_policyd "$dir"
SNAP=$I/spool/snapshot
LOG=$I/log/stsd.log
pid_of() {
	awk -v s="$1" '$1 == s && $4 == "running" && $3 > 0 { print $3 }' \
		"$I/spool/pid/services"
}
# snap_domains FILE...: the burst's domains that the snapshot files
# serve, sorted (P records of the journal, D lines of a base)
snap_domains() {
	cat "$@" | grep -aoE '^d[0-9]+\.burst\.example [A-Za-z0-9]+' |
		cut -d' ' -f1 | sort -u
}

"$BURST" "$I/spool/public/policyd" 100000 burst.example mx.burst.example \
	>"$dir.acked" 2>"$dir.burst.err" &
burst=$!
ok "adds acknowledged one at a time" wait_until 20 sh -c \
	"[ \$(wc -l <$dir.acked) -ge 300 ]"
master=$(head -1 "$I/spool/pid/master.pid" | tr -dc 0-9)
policyd=$(pid_of policyd)
ok "master and policyd found" test -n "$master" -a -n "$policyd"
kill -KILL "$master" "$policyd"
wait "$burst"
is "$?" 1 "the client lost policyd in the middle of the burst"
like "$(cat "$dir.burst.err")" "addburst: d[0-9]*\.burst\.example: " \
	"and says at which domain"
sort -u "$dir.acked" >"$dir.acked.sorted"
n=$(wc -l <"$dir.acked.sorted")
note "$n adds acknowledged before the kill"

# Before policyd starts again (it writes a new base from policy.db).
snap_domains "$SNAP/policies" "$SNAP/policies.journal" >"$dir.journaled"
is "$(comm -23 "$dir.acked.sorted" "$dir.journaled" | head -5)" "" \
	"every acknowledged domain is in the snapshot file"

offset=$(stat -c %s "$LOG")
inst_start || fail "instance starts again"
ok "policyd answers again" wait_until "$INST_WAIT" quiet $STSCTL domain list
$STSCTL domain list | grep -oE '^d[0-9]+\.burst\.example' | sort -u >"$dir.stored"
is "$(comm -23 "$dir.acked.sorted" "$dir.stored" | head -5)" "" \
	"every acknowledged domain is in policy.db"
stored=$(wc -l <"$dir.stored")
ok "at most the one add in flight stored beyond them ($stored stored)" \
	test "$stored" -le $((n + 1))
ok "policyd writes a new snapshot at its start" wait_until 10 sh -c \
	"tail -c +$((offset + 1)) $LOG | grep -q 'policy snapshot: snapshot/policies written: $stored polic'"
is "$(snap_domains "$SNAP/policies" "$SNAP/policies.journal")" \
	"$(cat "$dir.stored")" "the snapshot lists exactly the domains of policy.db"
done_testing
