#!/bin/bash
# crash.t - the spool loses nothing when its writers and its consumer are
# killed with SIGKILL at random moments.
# SPDX-License-Identifier: ISC
#
# Writers (tests/spool/spoolwriter write) print the SHA-256 of each
# message only after spool_commit() returned (or, for writers that commit
# in batches, spool_commit_batch() gave it status 0); after several kills, every
# printed message must be in incoming/ exactly once with that content,
# and no partial message may be visible under a name that is not *.tmp.
# Then the consumer (spoolwriter consume: claim, idempotent store of the
# hash with fsync, spool_done; or, with the consumer lock, the same
# without the claim, in incoming/) is killed several times; after a last run
# every queued message must be in the store exactly once and the queue
# empty.
source "$SRCDIR/tests/lib.sh"

W=$BUILDDIR/tests/spool/spoolwriter
[ -x "$W" ] || skip_all "$W not built (make check-programs)"

KILLS=6
d=$(t_tmpdir)
q=$d/queue
mkdir -p "$q"/incoming "$q"/active "$q"/deferred "$q"/corrupt
touch "$d/printed" "$d/printed2" "$d/consumer.out"

# random_sleep MIN_MS SPAN_MS
random_sleep() { sleep "$(printf '0.%03d' $(($1 + RANDOM % $2)))"; }

# grown FILE LINES: FILE has more than LINES lines.
grown() { [ "$(wc -l <"$1")" -gt "$2" ]; }

# kill_later MIN_MS SPAN_MS OUT CMD...: run CMD with stdout appended to
# OUT, wait until it printed something (a writer acknowledged a message,
# a consumer started), then SIGKILL it at a random moment.
kill_later() {
	local min=$1 span=$2 out=$3 pid lines
	shift 3
	lines=$(wc -l <"$out")
	"$@" >>"$out" &
	pid=$!
	at_exit "kill -9 $pid"
	wait_until 30 grown "$out" "$lines"
	random_sleep "$min" "$span"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# Hashes of the messages in DIR, one per line (files named by an id only).
queue_hashes() {
	local f
	for f in "$1"/[0-9]*; do
		case "$f" in *.tmp | *.reason | *'[0-9]*') continue ;; esac
		sha256sum <"$f" | cut -d' ' -f1
	done
}

# The checker must see a partial message, or the checks below prove
# nothing.
s=$d/scratch
mkdir -p "$s"/incoming "$s"/active "$s"/deferred "$s"/corrupt
"$W" write "$s" 1 >/dev/null
f=$(ls "$s"/incoming/)
head -c 100 "$s/incoming/$f" >"$s/incoming/$f.cut" && mv "$s/incoming/$f.cut" "$s/incoming/$f"
out=$("$W" check "$s")
like "$out" "^bad incoming/$f: wrong length: partial message" \
    "the checker reports a truncated message"

# Writers killed at random moments.
tmps=0
for ((i = 0; i < KILLS; i++)); do
	kill_later 0 300 "$d/printed" "$W" write "$q" 100000 2>>"$d/writer.err"
	tmps=$((tmps + $(ls "$q"/incoming | grep -c '\.tmp$')))
done
# Writers that commit 8 messages at a time (group commit), killed too:
# a kill inside spool_commit_batch() must leave each message either
# acknowledged and complete, or invisible.
for ((i = 0; i < KILLS / 2; i++)); do
	kill_later 0 300 "$d/printed" "$W" write "$q" 100000 8 2>>"$d/writer.err"
	tmps=$((tmps + $(ls "$q"/incoming | grep -c '\.tmp$')))
done
note "killed writers left $tmps temporary files (each next writer removes them)"
# A writer that starts removes the temporary files of dead writers.
"$W" write "$q" 20 >>"$d/printed" 2>>"$d/writer.err"
is "$?" 0 "a writer runs to completion after $((KILLS + KILLS / 2)) killed ones"
is "$(ls "$q"/incoming | grep -c '\.tmp$')" 0 \
    "the temporary files of killed writers were removed"

grep -E '^[0-9a-f]{64}$' "$d/printed" | sort >"$d/acked"
acked=$(wc -l <"$d/acked")
note "messages acknowledged: $acked, files in incoming/: $(ls "$q"/incoming | wc -l)"
ok "the writers acknowledged messages" [ "$acked" -gt 20 ]
is "$(uniq -d "$d/acked" | wc -l)" 0 "every acknowledged message is unique"

queue_hashes "$q/incoming" | sort >"$d/queued"
is "$(comm -23 "$d/acked" "$d/queued" | wc -l)" 0 \
    "every acknowledged message is in incoming/ with its content"
is "$(uniq -d "$d/queued" | wc -l)" 0 "no message is in incoming/ twice"
out=$("$W" check "$q")
is "$?" 0 "no partial message is visible under a message name"
is "$out" "" "the checker found no bad message"

# Writers started while another one works leave its message alone.
"$W" write "$q" 300 >"$d/long" 2>"$d/long.err" &
long=$!
at_exit "kill -9 $long"
for ((i = 0; i < 3; i++)); do
	kill_later 0 60 "$d/printed2" "$W" write "$q" 100000 2>>"$d/writer.err"
done
wait "$long"
is "$?" 0 "a writer is not disturbed by others starting and dying beside it"
like "$(cat "$d/long.err")" '^$' "that writer reported no error"
is "$(grep -cE '^[0-9a-f]{64}$' "$d/long")" 300 \
    "that writer acknowledged all its messages"

queue_hashes "$q/incoming" | sort >"$d/queued"
total=$(wc -l <"$d/queued")

# The consumer killed at random moments: in turn one that claims each
# message into active/ and one that holds the consumer lock and takes
# messages in incoming/ (as rptparse does), so that either finds what
# the other left.
for ((i = 0; i < KILLS; i++)); do
	mode=
	[ $((i % 2)) = 1 ] && mode=locked
	kill_later 0 200 "$d/consumer.out" "$W" consume "$q" "$d/store" $mode \
	    2>>"$d/consumer.err"
done
note "left in active/ by the killed consumers: $(ls "$q"/active | wc -l)"
"$W" consume "$q" "$d/store" locked >/dev/null 2>>"$d/consumer.err"
is "$?" 0 "a consumer runs to completion after $KILLS killed ones"
like "$(cat "$d/consumer.err")" '^$' "the consumers reported no error"
is "$(ls "$q"/incoming "$q"/active | grep -cE '^[0-9.]+$')" 0 \
    "incoming/ and active/ are empty"
sort "$d/store" >"$d/stored"
is "$(wc -l <"$d/stored")" "$total" \
    "the store holds as many messages as were queued ($total)"
is "$(comm -3 "$d/queued" "$d/stored" | wc -l)" 0 \
    "every queued message was stored, and nothing else"
is "$(uniq -d "$d/stored" | wc -l)" 0 "no message was stored twice"

done_testing
