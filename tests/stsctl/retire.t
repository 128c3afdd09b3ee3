# tests/stsctl/retire.t - stsctl domain del: RFC 8461 section 8.3 retirement
# (mode none with a new id, then removal after the previous max_age), and
# --now with its warning.
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/stsctl/instance.sh"

[ -x "$STSCTL_BIN" ] || skip_all "stsctl not built"
[ -x "$LIBEXEC/policyd" ] && [ -x "$LIBEXEC/master" ] ||
	skip_all "policyd or master not built"

dir=$(t_tmpdir)/i
instance_start "$dir" sts_zone=sts.test domain_verification=none ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance starts"

id() {
	$STSCTL domain show "$1" --json | sed -n 's/^ *"policy_id": "\(.*\)",*$/\1/p'
}

# Retirement: a domain with max_age 2 s is gone 2 s after del.
$STSCTL domain add r.example --mx mx.r.example --mode enforce --max-age 2 >/dev/null
$STSCTL domain add keep.example --mx mx.keep.example >/dev/null
id1=$(id r.example)
out=$($STSCTL domain del r.example 2>&1)
rc=$?
is "$rc" 0 "del exits 0"
like "$out" '^r\.example: retiring: a mode none policy \(id [0-9]{20}\) is served until ' \
	"del says the domain is retiring and until when"
show=$($STSCTL domain show r.example)
like "$show" '^state: +retiring$' "a deleted domain is retiring"
like "$show" '^mode: +none$' "a retiring domain serves mode none"
like "$show" '^    mx: mx\.r\.example$' "the mode none policy keeps the mx lines"
like "$show" '^removed at: ' "show says when it is removed"
id2=$(id r.example)
ok "retirement publishes a new, greater id ($id1 -> $id2)" test "$id2" \> "$id1"
like "$(cat "$dir/log/stsd.log")" "r\.example: policy id $id2: retiring: mode none" \
	"policyd logs the retirement"

out=$($STSCTL domain del r.example 2>&1)
rc=$?
is "$rc" 1 "a second del is refused"
like "$out" '^stsctl: r\.example: domain is already retiring \(removed at [0-9]+\); use --now to remove it at once$' \
	"the second del says why and what to do"
out=$($STSCTL domain set r.example --mode testing 2>&1)
like "$out" '^stsctl: r\.example: domain is retiring' "a retiring domain cannot be changed"

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
like "$err" '^stsctl: warning: n2\.example: removed at once, without a mode none policy first: senders that cached its testing policy \(max_age 604800 s\) keep applying it until it expires$' \
	"del --now warns about cached policies"
unlike "$($STSCTL domain list)" 'n2?\.example' "del --now removed the domains"
like "$(cat "$dir/log/stsd.log")" 'warning: n\.example: removed at once' \
	"policyd logs the warning"

done_testing
