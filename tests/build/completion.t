#!/bin/bash
# tests/build/completion.t - completion/stsd driven through bash's
# programmable completion: COMP_WORDS and COMP_CWORD set as bash sets them,
# the function registered by "complete -F" called, COMPREPLY checked.
# Commands and options against the programs' usage texts, hosted domains
# from a running instance, parameter names from the parameter table, and
# quiet when policyd is not there.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/stsctl/instance.sh"

COMPLETION=$SRCDIR/completion/stsd
[ -f "$COMPLETION" ] || skip_all "no $COMPLETION"
[ -x "$STSCTL_BIN" ] && [ -x "$BUILDDIR/stsconf/stsconf" ] ||
	skip_all "stsctl or stsconf not built"
PATH=$BUILDDIR/stsctl:$BUILDDIR/stsconf:$BUILDDIR/stsd:$PATH
t=$(t_tmpdir)
: >"$t/main.cf"		# an empty configuration: stsctl prints its usages

source "$COMPLETION"
ok "the file sources without error" test "$(type -t _stsctl)" = function

# complete WORD...: what completion offers for the last word (possibly
# empty), one per line, sorted; its stderr goes to $t/comp.err.
complete_words() {
	local fn
	fn=$(complete -p "$1" 2>/dev/null | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
	[ -n "$fn" ] || { echo "no completion for $1"; return; }
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>"$t/comp.err"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}
words() { printf '%s\n' "$@" | sort; }

# The words every usage text shows are offered, and nothing the
# program does not know.
is "$(complete_words stsd '')" "$(words check init reload start start-fg status stop)" \
    "stsd: its commands"
for c in $(complete_words stsd ''); do
	like "$(stsd --help)" "(^| )$c( |\$)" "stsd --help lists the command $c"
done
is "$(complete_words stsd --)" "$(words --help --version)" "stsd --: the long options"
is "$(complete_words stsd -c /tmp st)" "$(words start start-fg status stop)" \
    "stsd: -c DIR is skipped, the command is completed"
like "$(complete_words stsd init /x --)" "--acme-directory" "stsd init: its options"
for o in $(complete_words stsd init /x --); do
	like "$(stsd --help)" "\\[$o( |\\])" "stsd --help shows init $o"
done
is "$(complete_words stsd check '')" "--fix" "stsd check: --fix"

is "$(complete_words stsctl '')" "$(words account audit cert check domain fetch queue report)" "stsctl: its commands"
for c in $(complete_words stsctl ''); do
	like "$(stsctl --help)" "^  $c " "stsctl --help lists the command $c"
done
is "$(complete_words stsctl domain '')" \
    "$(words add del import list records set show)" "stsctl domain: its subcommands"
is "$(complete_words stsctl report '')" "$(words export html list show summary)" \
    "stsctl report: its subcommands"
is "$(complete_words stsctl queue re)" "requeue" "stsctl queue re: requeue"
is "$(complete_words stsctl cert '')" "$(words list renew)" "stsctl cert: its subcommands"
is "$(complete_words stsctl fetch '')" "list" "stsctl fetch: its subcommand"
is "$(complete_words stsctl account '')" "$(words add del list set show token)" \
    "stsctl account: its subcommands"
for o in $(complete_words stsctl account token acme --); do
	like "$(stsctl -c "$t" account 2>&1)" "(\\[| |\\|)$o( |\\]|\$)" \
	    "stsctl account's usage shows token $o"
done
for o in $(complete_words stsctl fetch list a.example --); do
	like "$(stsctl -c "$t" fetch 2>&1)" "\\[$o( |\\]|$)" "stsctl fetch's usage shows list $o"
done
is "$(complete_words stsctl domain add example.org --mode '')" \
    "$(words enforce none testing)" "stsctl domain add --mode: the three modes"
like "$(complete_words stsctl domain del example.org --)" "--now" "stsctl domain del: --now"
for o in $(complete_words stsctl report list --); do
	like "$(stsctl -c "$t" report 2>&1)" "\\[$o( |\\])" "stsctl report's usage shows list $o"
done

# Parameter names: the table's, with name= after -e.
params=$(stsconf -d | awk '{ print $1 }' | sort)
is "$(complete_words stsconf '')" "$params" "stsconf: every parameter name"
is "$(complete_words stsconf sts_zo)" "sts_zone" "stsconf sts_zo: sts_zone"
is "$(complete_words stsconf -e sts_zo)" "sts_zone=" "stsconf -e sts_zo: sts_zone="
is "$(complete_words stsconf -c /tmp -n sts_zo)" "sts_zone" "stsconf -c DIR -n: a name, no ="
like "$(complete_words stsconf --)" "--version" "stsconf --: the long options"

# No instance: no domain, no message, no wait.
SECONDS=0
is "$(complete_words stsctl -c "$t" domain show '')" "" \
    "stsctl domain show without policyd: nothing offered"
is "$(cat "$t/comp.err")" "" "stsctl domain show without policyd: nothing printed"
ok "stsctl domain show without policyd: within 3 s" test "$SECONDS" -le 3

# Hosted domains, from a running instance named by -c.
dir=$t/i
instance_start "$dir" sts_zone=sts.test domain_verification=none ||
	{ fail "instance starts"; cat "$dir/log/stsd.log"; done_testing; }
for d in example.org example.net other.test; do
	$STSCTL domain add "$d" --mx mx.example.org >/dev/null 2>&1 ||
	    fail "domain add $d"
done
is "$(complete_words stsctl -c "$dir/etc" domain show '')" \
    "$(words example.net example.org other.test)" "stsctl domain show: the hosted domains"
is "$(complete_words stsctl -c "$dir/etc" domain del ex)" \
    "$(words example.net example.org)" "stsctl domain del ex: the hosted domains starting so"
is "$(complete_words stsctl -c "$dir/etc" check o)" "other.test" "stsctl check o: other.test"
is "$(complete_words stsctl -c "$dir/etc" report list --domain example.n)" "example.net" \
    "stsctl report list --domain: a hosted domain"
is "$(complete_words stsctl -c "$dir/etc" domain add '')" "" \
    "stsctl domain add: no hosted domain offered (it is a new one)"

done_testing
