# tests/stsctl/retire.t - stsctl domain del: RFC 8461 section 8.3 retirement
# (mode none with a new id, then removal when the last policy senders may
# have cached expires, even after max_age was lowered), domain add of a
# retiring domain restoring it, and --now with its warning.  Times shown
# are ISO 8601 UTC.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/stsctl/instance.sh"

inst_need stsctl policyd master

dir=$(t_tmpdir)/i
instance_start "$dir" sts_zone=sts.test domain_verification=none ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance starts"

id() {
	$STSCTL domain show "$1" --json | sed -n 's/^ *"policy_id": "\(.*\)",*$/\1/p'
}
# id_grew DOMAIN OLD WHAT: the policy id of DOMAIN, kept in $id2, is
# greater than OLD.
id_grew() {
	id2=$(id "$1")
	ok "$3 ($2 -> $id2)" test "$id2" \> "$2"
}
# shows DOMAIN [REGEX DESCRIPTION]...: "stsctl domain show DOMAIN", kept in
# $show, matches each REGEX; one that starts with ! must not match.
shows() {
	show=$($STSCTL domain show "$1")
	shift
	while [ $# -ge 2 ]; do
		case "$1" in
		!*) unlike "$show" "${1#!}" "$2" ;;
		*) like "$show" "$1" "$2" ;;
		esac
		shift 2
	done
}

# Retirement: a domain with max_age 2 s is gone 2 s after del.
$STSCTL domain add r.example --mx mx.r.example --mode enforce --force --max-age 2 >/dev/null
$STSCTL domain add keep.example --mx mx.keep.example >/dev/null
id1=$(id r.example)
out=$($STSCTL domain del r.example 2>&1)
rc=$?
is "$rc" 0 "del exits 0"
like "$out" '^r\.example: retiring: a mode none policy \(id [0-9]{20}\) is served until ' \
	"del says the domain is retiring and until when"
shows r.example '^state: +retiring$' "a deleted domain is retiring" \
	'^mode: +none$' "a retiring domain serves mode none" \
	'^    mx: mx\.r\.example$' "the mode none policy keeps the mx lines" \
	'^removed at: ' "show says when it is removed"
id_grew r.example "$id1" "retirement publishes a new, greater id"
like "$(cat "$dir/log/stsd.log")" "r\.example: policy id $id2: retiring: mode none" \
	"policyd logs the retirement"

out=$($STSCTL domain del r.example 2>&1)
rc=$?
is "$rc" 1 "a second del is refused"
iso='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
like "$out" "^stsctl: r\\.example: domain is already retiring \\(removed at $iso\\); use --now to remove it at once\$" \
	"the second del says why, when in ISO 8601 UTC, and what to do"
like "$show" "^removed at: +$iso\$" "show gives the removal time in ISO 8601 UTC"
out=$($STSCTL domain set r.example --mode testing 2>&1)
like "$out" "^stsctl: r\\.example: domain is retiring \\(removed at $iso\\); it cannot be changed, \"domain add\" restores it\$" \
	"a retiring domain cannot be changed; the message says how to restore it"

gone() { ! $STSCTL domain list | grep -q '^r\.example '; }
ok "the domain is removed after its previous max_age" wait_until 10 gone
like "$(cat "$dir/log/stsd.log")" 'r\.example: policy id [0-9]+: retirement complete; domain removed' \
	"policyd logs the removal"
like "$($STSCTL domain list)" '^keep\.example +active ' "other domains stay"
out=$($STSCTL domain show r.example 2>&1)
is "$out" "stsctl: r.example: no such domain" "a removed domain is unknown"

# --now: removed at once, with a warning on stderr.
$STSCTL domain add n.example --mx mx.n.example >/dev/null
out=$($STSCTL domain del n.example --now 2>/dev/null)
rc=$?
err=$($STSCTL domain add n2.example --mx mx.n2.example >/dev/null 2>&1;
	$STSCTL domain del n2.example --now 2>&1 >/dev/null)
is "$rc" 0 "del --now exits 0"
is "$out" "n.example: removed" "del --now says the domain is removed"
like "$err" "^stsctl: warning: n2\\.example: removed at once, without a mode none policy first: senders that cached its testing policy \\(max_age 604800 s\\) or an earlier one may keep applying it until $iso\$" \
	"del --now warns about cached policies and says until when"
unlike "$($STSCTL domain list)" 'n2?\.example' "del --now removed the domains"
like "$(cat "$dir/log/stsd.log")" 'warning: n\.example: removed at once' \
	"policyd logs the warning"

# retire_at DOMAIN: epoch seconds, from the JSON output.
retire_at() {
	$STSCTL domain show "$1" --json | sed -n 's/^ *"retire_at": \([0-9]*\),*$/\1/p'
}
listed() { $STSCTL domain list | grep -q "^$1 "; }

# Served with max_age 10, lowered to 1, then deleted: senders that
# fetched the first policy keep it 10 s, so the domain retires for 10 s
# from the change, not 1 s from the del.
$STSCTL domain add low.example --mx mx.low.example --mode enforce --force --max-age 10 >/dev/null
t0=$(date +%s)
$STSCTL domain set low.example --max-age 1 >/dev/null
t1=$(date +%s)
$STSCTL domain del low.example >/dev/null
t2=$(date +%s)
at=$(retire_at low.example)
ok "after max_age 10 was lowered to 1, retirement lasts until the 10 s policy expires ($((at - t0)) s after the change)" \
	test "$at" -ge $((t0 + 10)) -a "$at" -le $((t1 + 10))
like "$($STSCTL domain show low.example)" '^max_age: +1$' \
	"the mode none policy has the max_age last served"
while [ "$(date +%s)" -lt $((t2 + 3)) ]; do sleep 0.2; done
if [ "$(date +%s)" -lt $((at - 1)) ]; then
	ok "3 s after del (max_age 1 has long passed) the domain still retires" \
		listed low.example
	like "$($STSCTL domain show low.example)" '^state: +retiring$' "... in state retiring"
else
	note "the machine was too slow to look 3 s after del and before $at"
fi
ok "it is removed once the 10 s policy has expired" wait_until 25 sh -c "! $STSCTL domain list | grep -q '^low\.example '"
ok "... not before" test "$(date +%s)" -ge $((t0 + 10))

# domain add of a retiring domain restores it: the policy it had, a new id.
$STSCTL domain add back.example --mx mx1.back.example --mx mx2.back.example \
	--mode enforce --force --max-age 300 >/dev/null
$STSCTL domain del back.example >/dev/null
like "$($STSCTL domain show back.example)" '^add restores: +mode enforce, max_age 300, these mx \("stsctl domain add back\.example"\)$' \
	"show of a retiring domain says what domain add restores"
id1=$(id back.example)
out=$($STSCTL domain add back.example 2>&1)
is "$?" 0 "add of a retiring domain exits 0"
like "$out" '^back\.example: restored from retirement \(state active, policy id [0-9]{20}\)$' \
	"add says the domain is restored"
shows back.example '^mode: +enforce$' "the restored domain has its mode" \
	'^max_age: +300$' "... its max_age" \
	'^mx: +mx1\.back\.example mx2\.back\.example$' "... and its mx patterns" \
	'!^removed at:' "... and no removal time"
id_grew back.example "$id1" "the restored policy has a new, greater id"
like "$(cat "$dir/log/stsd.log")" "back\\.example: restored from retirement: state active, policy id $id2, mode enforce, max_age 300" \
	"policyd logs the restoration"
$STSCTL domain del back.example >/dev/null
$STSCTL domain add back.example --mode testing >/dev/null
like "$($STSCTL domain show back.example)" '^mode: +testing$' \
	"add restores with the values it gives"

done_testing
