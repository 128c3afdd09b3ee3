# tests/stsctl/account.t - stsctl account and stsctl audit against a
# running instance: accounts added, changed, listed, shown and removed;
# quotas and one account per domain; passwords checked by account-auth
# (a wrong one refused with the same answer as an unknown name); API
# tokens shown once, verified, read-only, revoked, bounded in number;
# the audit log of every change with its actor and origin, filtered;
# nothing acknowledged lost by a kill -9 of policyd; hostile input.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/stsctl/instance.sh"

inst_need stsctl policyd master
command -v python3 >/dev/null || skip_all "python3 is missing"

TOKENS_MAX=20
dir=$(t_tmpdir)/i
t=$(t_tmpdir)
instance_start "$dir" sts_zone=sts.test domain_verification=none \
	portal_tokens_max=$TOKENS_MAX portal_password_min_length=12 \
	portal_default_quota=5 ||
	{ fail "instance starts and policyd answers"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance starts and policyd answers"
Q=$(inst_param queue_directory)
DATA=$(inst_param data_directory)
LOG=$dir/log/stsd.log

# call SOCKET JSON...: each request on one connection to policyd's
# private or public socket, each reply printed on a line (sorted keys).
cat >"$t/call.py" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(120)
s.connect(sys.argv[1])
f = s.makefile("rwb")
for req in sys.argv[2:]:
    f.write(req.encode() + b"\n")
    f.flush()
    line = f.readline()
    if not line:
        print("EOF")
        break
    print(json.dumps(json.loads(line), sort_keys=True))
PY
priv() { python3 "$t/call.py" "$Q/private/policyd" "$@"; }
pub() { python3 "$t/call.py" "$Q/public/policyd" "$@"; }
# auth NAME PASSWORD: account-auth's reply.
auth() {
	priv "$(python3 -c 'import json,sys; print(json.dumps({"op": "account-auth", "name": sys.argv[1], "password": sys.argv[2]}))' "$1" "$2")"
}
tauth() { priv "{\"op\":\"token-auth\",\"token\":\"$1\"}"; }
REFUSED='{"error": "sign-in refused: unknown account or wrong password", "ok": false}'
TREFUSED='{"error": "API token refused", "ok": false}'

# usage_bad DESC MESSAGE ARGS...: stsctl ARGS exits 2 printing MESSAGE.
usage_bad() {
	local desc=$1 want=$2 out rc; shift 2
	out=$($STSCTL "$@" 2>&1)
	rc=$?
	is "$rc:$out" "2:$want" "$desc"
}

is "$($STSCTL account list 2>&1)" "no accounts" "list of an empty instance says so"

# add
printf 'correct horse battery\n' >"$t/pw"
out=$($STSCTL account add acme --email owner@acme.example --domain A.example \
	--domain b.example --quota 3 --password-file "$t/pw" 2>&1)
is "$?" 0 "add exits 0"
like "$out" '^account: +acme$' "add shows the account"
like "$out" '^state: +enabled$' "with a password it can sign in"
like "$out" '^quota: +2 of 3 domains$' "its domains count against its quota"
like "$out" '^    a\.example$' "domains are stored lower-case"
out=$($STSCTL account add beta --email ops@beta.example 2>&1)
like "$out" '^state: +no-password$' "without --password-file: no password"
like "$out" '^quota: +0 of 5 domains$' "without --quota: portal_default_quota"
like "$(grep 'account acme: added' "$LOG")" \
	'account acme: added \(e-mail owner@acme\.example, quota 3, 2 domains\)' \
	"policyd logs the addition"
stsctl_bad "a second add of a name is refused" "stsctl: acme: account already exists" \
	account add acme --email x@acme.example
usage_bad "add without --email is a usage error" \
	"stsctl: account add: --email is needed" account add gamma

out=$($STSCTL account list)
like "$out" '^ACCOUNT +STATE +DOMAINS +QUOTA +EMAIL$' "list has a header"
like "$out" '^acme +enabled +2 +3 +owner@acme\.example$' "list shows acme"
like "$out" '^beta +no-password +0 +5 +ops@beta\.example$' "list shows beta"
json=$($STSCTL account show acme --json)
like "$json" '"domains": \[' "show --json has the domains"
like "$json" '"password": true' "show --json says a password is set"
unlike "$json" 'correct horse|\$y\$' "show --json has neither the password nor its hash"

# quota and ownership
out=$($STSCTL account set acme --add-domain c.example 2>&1)
like "$out" '^quota: +3 of 3 domains$' "set --add-domain within the quota"
stsctl_bad "a domain over the quota is refused" \
	"stsctl: account acme: 4 domains would be over its quota of 3" \
	account set acme --add-domain d.example
like "$($STSCTL account show acme)" '^quota: +3 of 3 domains$' \
	"the refused change left nothing"
stsctl_bad "a quota below the domains held is refused" \
	"stsctl: account acme: 3 domains would be over its quota of 1" \
	account set acme --quota 1
stsctl_bad "a domain of another account cannot be given" \
	"stsctl: a.example: already managed by account acme; a domain belongs to one account at most" \
	account set beta --add-domain a.example
stsctl_bad "nor at the creation of an account" \
	"stsctl: a.example: already managed by account acme; a domain belongs to one account at most" \
	account add gamma --email g@gamma.example --domain a.example
stsctl_bad "the refused account was not created" "stsctl: gamma: no such account" \
	account show gamma
stsctl_bad "a domain given twice in one request is refused" \
	"stsctl: e.example: given twice" account set beta --add-domain e.example \
	--add-domain E.example
stsctl_bad "removing a domain it does not manage is refused" \
	"stsctl: z.example: not managed by account acme" \
	account set acme --remove-domain z.example
like "$($STSCTL account set acme --remove-domain c.example)" \
	'^quota: +2 of 3 domains$' "set --remove-domain gives it back"

# passwords: account-auth (private socket)
is "$(auth acme 'correct horse battery')" '{"account": "acme", "ok": true}' \
	"the right password signs in (its trailing newline was stripped)"
is "$(auth acme 'correct horse battery
')" "$REFUSED" "the password with the newline is another password"
is "$(auth acme 'wrong horse battery')" "$REFUSED" "a wrong password is refused"
is "$(auth nobody 'correct horse battery')" "$REFUSED" \
	"an unknown name gets the same answer as a wrong password"
is "$(auth beta 'correct horse battery')" "$REFUSED" \
	"an account without a password gets the same answer"
is "$(auth 'Bad Name' 'x')" "$REFUSED" "a name that cannot exist gets the same answer"
like "$(pub '{"op":"account-auth","name":"acme","password":"x"}')" \
	'request \\"account-auth\\" is not allowed on the public socket' \
	"account-auth is refused on the public socket"
like "$(grep 'account-auth: nobody from local: refused' "$LOG")" 'no such account' \
	"the log tells the operator why"
$STSCTL account set acme --disable >/dev/null
is "$(auth acme 'correct horse battery')" "$REFUSED" \
	"a disabled account is refused with the same answer"
like "$($STSCTL account show acme)" '^state: +disabled$' "show says disabled"
$STSCTL account set acme --enable >/dev/null
is "$(auth acme 'correct horse battery')" '{"account": "acme", "ok": true}' \
	"enabled again, it signs in"
printf 'second secret password' >"$t/pw2"
$STSCTL account set acme --password-file "$t/pw2" >/dev/null
is "$(auth acme 'correct horse battery')" "$REFUSED" "a changed password: the old one is refused"
is "$(auth acme 'second secret password')" '{"account": "acme", "ok": true}' \
	"the new one (a file without a newline) signs in"
printf 'short\n' >"$t/short"
stsctl_bad "a short password is refused by policyd" \
	"stsctl: password of 5 characters: it must have 12 to 1024 (portal_password_min_length)" \
	account set acme --password-file "$t/short"
truncate -s 1G "$t/huge"
SECONDS=0
stsctl_bad "a password file of 1 GB is refused by its size" \
	"stsctl: --password-file $t/huge: 1073741824 bytes; a password has at most 1024" \
	account set acme --password-file "$t/huge"
ok "... at once, without reading it" test "$SECONDS" -le 5
out=$(head -c 5000 /dev/zero | tr '\0' x | $STSCTL account set acme --password-file - 2>&1)
is "$?:$out" "1:stsctl: --password-file -: more than 1024 bytes; a password has at most 1024" \
	"2,000 bytes on standard input are refused"
printf 'abc\0defghijklmnop' >"$t/nul"
stsctl_bad "a password with a NUL byte is refused" \
	"stsctl: --password-file $t/nul: holds a NUL byte" account set acme --password-file "$t/nul"
stsctl_bad "a missing password file is named" \
	"stsctl: --password-file $t/none: No such file or directory" \
	account set acme --password-file "$t/none"
ok "the password is nowhere in the log" sh -c "! grep -q 'second secret\|correct horse' '$LOG'"

# API tokens
tok=$($STSCTL account token acme)
like "$tok" '^stsd_[A-Za-z0-9_-]{43}$' "account token prints the new token alone on its line"
is "$(printf '%s\n' "$tok" | wc -l)" 1 "... one line"
ro=$($STSCTL account token acme --read-only)
like "$(tauth "$tok")" '^\{"access": "read-write", "account": "acme", "id": [0-9]+, "ok": true\}$' \
	"token-auth takes the token: read-write"
like "$(tauth "$ro")" '"access": "read-only", "account": "acme"' "the read-only flag is carried"
list=$($STSCTL account token acme --list)
like "$list" '^ID +ACCESS +CREATED +LAST_USED +REVOKED$' "token --list has a header"
like "$list" '^[0-9]+ +read-only ' "token --list shows the read-only token"
unlike "$list$($STSCTL account show acme --json)$($STSCTL account token acme --list --json)" \
	"${tok#stsd_}|${ro#stsd_}" "the secret is shown only once: not in list or show"
ok "policy.db holds no secret" sh -c "! cat '$DATA'/policy.db* | grep -aq -e '${tok#stsd_}' -e '${ro#stsd_}'"
id=$(tauth "$tok" | sed -n 's/.*"id": \([0-9]*\).*/\1/p')
like "$($STSCTL account token acme --revoke "$id")" "^acme: API token $id revoked\$" "revoke"
is "$(tauth "$tok")" "$TREFUSED" "a revoked token is refused"
stsctl_bad "a second revocation is refused" "stsctl: account acme: API token $id is already revoked" \
	account token acme --revoke "$id"
stsctl_bad "a token of another account cannot be revoked through this one" \
	"stsctl: account beta: no API token $id" account token beta --revoke "$id"
is "$(tauth "${tok%?}A")" "$TREFUSED" "an unknown token is refused alike"
is "$(tauth 'stsd_short')" "$TREFUSED" "a malformed token is refused alike"
like "$($STSCTL account token acme --list)" "^$id +read-write .* [0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+Z\$" \
	"token --list shows when it was revoked"
usage_bad "--revoke takes a token id" "stsctl: account token: --revoke x: not a token id" \
	account token acme --revoke x
$STSCTL account set acme --disable >/dev/null
is "$(tauth "$ro")" "$TREFUSED" "the token of a disabled account is refused"
$STSCTL account set acme --enable >/dev/null

# 10,000 token creations: bounded by portal_tokens_max.
python3 - "$Q/public/policyd" >"$t/flood" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(120)
s.connect(sys.argv[1])
f = s.makefile("rwb")
ok = refused = 0
last = ""
for i in range(10000):
    f.write(b'{"op":"token-new","name":"beta"}\n')
    f.flush()
    r = json.loads(f.readline())
    if r.get("ok"):
        ok += 1
    else:
        refused += 1
        last = r["error"]
print(ok, refused)
print(last)
PY
is "$(head -1 "$t/flood")" "$TOKENS_MAX $((10000 - TOKENS_MAX))" \
	"10,000 token-new: $TOKENS_MAX made, the rest refused"
is "$(tail -1 "$t/flood")" \
	"account beta: already $TOKENS_MAX live API tokens, the most that portal_tokens_max allows; revoke one first" \
	"the refusal names the parameter"
is "$($STSCTL account token beta --list | grep -c 'read-write')" "$TOKENS_MAX" \
	"beta holds $TOKENS_MAX tokens"

# hostile input
stsctl_bad "a name with a newline is refused, escaped" \
	'stsctl: account name "a\nb": only a-z, 0-9, ".", "_" and "-", beginning with a letter or digit' \
	account add "a
b" --email x@y.example
stsctl_bad "a name with a control character is refused, escaped" \
	'stsctl: account name "a\x1b[31mb": only a-z, 0-9, ".", "_" and "-", beginning with a letter or digit' \
	account add "$(printf 'a\033[31mb')" --email x@y.example
big=$(head -c 100000 /dev/zero | tr '\0' a)
stsctl_bad "a name of 100,000 bytes is refused, quoted cut" \
	"stsctl: account name \"$(head -c 80 /dev/zero | tr '\0' a)...\": 100000 characters, not 1 to 64" \
	account add "$big" --email x@y.example
stsctl_bad "an e-mail address with a newline is refused" \
	'stsctl: e-mail address "x@y.example\r\nBcc: z@w.example": only printable ASCII without spaces' \
	account add delta --email "$(printf 'x@y.example\r\nBcc: z@w.example')"
stsctl_bad "an e-mail address of 100,000 bytes is refused" \
	"stsctl: e-mail address \"$(head -c 80 /dev/zero | tr '\0' a)...\": 100000 characters, not 6 to 254" \
	account add delta --email "$big"
stsctl_bad "set of a name that cannot exist is refused" \
	'stsctl: account name "Bad": only a-z, 0-9, ".", "_" and "-", beginning with a letter or digit' \
	account set Bad --add-domain x.example --email x@y.example
stsctl_bad "operator is not an account name" \
	'stsctl: account name "operator" is reserved for the operator' \
	account add operator --email x@y.example
out=$($STSCTL account add delta --email d@delta.example --quota 9223372036854775808 2>&1)
is "$?:$out" "2:stsctl: --quota 9223372036854775808: not a number of domains" \
	"a quota of 2^63 is a usage error"
stsctl_bad "a quota of 2^63-1 is refused by policyd" \
	"stsctl: quota: not a number of domains from 0 to 1000000" \
	account add delta --email d@delta.example --quota 9223372036854775807
stsctl_bad "a quota of -1 is refused" \
	"stsctl: quota: not a number of domains from 0 to 1000000" \
	account add delta --email d@delta.example --quota -1
like "$(pub '{"op":"account-add","name":"delta","email":"d@delta.example","quota":9223372036854775808}')" \
	'"ok": false' "2^63 in raw JSON is refused"
like "$(pub '{"op":"account-add","name":"de\u0000lta","email":"d@delta.example"}')" \
	'u0000 is not allowed' "a NUL inside a name is refused (lib/ipc), not cut"
like "$(pub '{"op":"account-add","name":"delta","email":"d@delta.example","password":"abcdefghijklm\u0000"}')" \
	'u0000 is not allowed' "a NUL inside a password is refused, not cut"
stsctl_bad "a domain stsd cannot host is refused" \
	'stsctl: domain "bad_name..example": bad character "_"' \
	account add delta --email d@delta.example --domain 'bad_name..example'
stsctl_bad "none of the refused adds was stored" "stsctl: delta: no such account" account show delta
like "$(pub '{"op":"domain-list","actor":"acme"}')" \
	'actor and from are taken only on the private socket' \
	"the public socket cannot claim an actor"

# the audit log
$STSCTL domain add a.example --mx mx.a.example >/dev/null
$STSCTL domain add other.example --mx mx.other.example >/dev/null
priv '{"op":"domain-set","domain":"a.example","mode":"enforce","actor":"acme","from":"192.0.2.7"}' >/dev/null
json=$($STSCTL audit --json)
for a in account-add account-set token-new token-revoke domain-add domain-set; do
	like "$json" "\"action\": \"$a\"" "the audit log records $a"
done
out=$($STSCTL audit)
like "$out" '^TIME +ACTOR +FROM +ACTION +DOMAIN +ACCOUNT +DETAILS$' "audit has a header"
like "$out" '^[0-9T:Z-]+ +operator +local +account-add +- +acme +\{"domains":\["a\.example","b\.example"\],"email":"owner@acme\.example","password":true,"quota":3\}$' \
	"account-add: by the operator, locally, with its details"
like "$out" ' +operator +local +account-set +- +acme +\{"password":"set"\}$' \
	"a password change is recorded, not the password"
like "$out" ' +operator +local +domain-add +a\.example +acme +' \
	"the operator's domain-add of acme's domain names acme"
like "$out" ' +operator +local +domain-add +other\.example +- +' \
	"a domain of the operator's own names no account"
like "$out" ' +acme +192\.0\.2\.7 +domain-set +a\.example +acme +.*"changes":"mode testing -> enforce"' \
	"a change made for an account records it and its client address"
dom=$($STSCTL audit --domain a.example)
is "$(printf '%s\n' "$dom" | tail -n +2 | grep -vc ' a\.example ')" 0 "--domain: only that domain's entries"
is "$(printf '%s\n' "$dom" | tail -n +2 | wc -l)" 2 "--domain: its add and its set"
acc=$($STSCTL audit --account beta)
is "$(printf '%s\n' "$acc" | tail -n +2 | grep -vc ' beta ')" 0 "--account: only that account's entries"
is "$(printf '%s\n' "$acc" | grep -c ' token-new ')" "$TOKENS_MAX" "--account: beta's $TOKENS_MAX token-new entries"
is "$($STSCTL audit --since 2099-01-01)" "no audit entries" "--since a future date: none"
like "$($STSCTL audit --since 2000-01-01 --json)" '"entries": \[' "--since a past date: all"
usage_bad "--since takes a date" \
	"stsctl: audit: --since yesterday: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ" \
	audit --since yesterday
unlike "$json" 'correct horse|second secret|stsd_' "the audit log holds no password and no token"
printf 'imp1.example mx.imp1.example\nimp2.example mx.imp2.example\n' >"$t/imp"
$STSCTL domain import "$t/imp" >/dev/null
like "$($STSCTL audit --domain imp2.example)" ' +operator +local +domain-import +imp2\.example +- +.*"mx":\["mx\.imp2\.example"\]' \
	"domain-import: an entry per domain"
$STSCTL domain del other.example --now >/dev/null 2>&1
like "$($STSCTL audit --domain other.example)" ' +domain-del +other\.example +- +.*"removed":true' \
	"domain-del is recorded"
n=$($STSCTL audit --json | grep -c '"action"')
$STSCTL domain set a.example --mode bogus >/dev/null 2>&1
$STSCTL account set beta --quota -5 >/dev/null 2>&1
is "$($STSCTL audit --json | grep -c '"action"')" "$n" "a refused change writes no audit entry"

# kill -9 of policyd right after a reply: nothing acknowledged is lost.
pid=$(inst_pid policyd)
$STSCTL account add durable --email d@durable.example --domain dur.example \
	--password-file "$t/pw" >/dev/null && dtok=$($STSCTL account token durable) &&
	kill -9 "$pid"
ok "policyd killed right after the replies" test -n "$dtok"
ok "master starts policyd again" wait_until 20 sh -c \
	"[ -n \"\$(awk '\$1 == \"policyd\" && \$4 == \"running\" { print \$3 }' '$Q/pid/services')\" ] &&
	 [ \"\$(awk '\$1 == \"policyd\" && \$4 == \"running\" { print \$3 }' '$Q/pid/services')\" != $pid ]"
ok "policyd answers again" wait_until 20 quiet $STSCTL account list
like "$($STSCTL account show durable)" '^    dur\.example$' "the account added before the kill is there"
like "$(tauth "$dtok")" '"account": "durable"' "the token made before the kill works"
is "$(auth durable 'correct horse battery')" '{"account": "durable", "ok": true}' \
	"its password works"
like "$($STSCTL audit --account durable)" 'token-new' "its audit rows are there"

# del
like "$($STSCTL account del acme)" '^acme: removed; its domains are the operator.s again$' \
	"del removes the account"
stsctl_bad "a removed account is gone" "stsctl: acme: no such account" account show acme
is "$(tauth "$ro")" "$TREFUSED" "its tokens are refused"
like "$($STSCTL account set beta --add-domain a.example)" '^    a\.example$' \
	"its domains can be given to another account"
like "$($STSCTL domain show a.example)" '^mode: +enforce$' "the domain itself stays hosted"
like "$($STSCTL audit --account acme)" 'account-del +- +acme +\{"domains":\["a\.example","b\.example"\],"live_tokens":1\}' \
	"the removal is in the audit log, which keeps acme's rows"
usage_bad "an unknown subcommand is a usage error" \
	"stsctl: account frob: unknown subcommand (add, set, del, list, show, token)" account frob

done_testing
