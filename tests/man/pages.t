#!/bin/bash
# tests/man/pages.t - every program that "make install" installs has its
# manual page installed beside it; every installed page has NAME,
# SYNOPSIS, DESCRIPTION, FILES and EXAMPLES, formats without warnings,
# and names itself in NAME; stsctl(1) documents every subcommand that
# stsctl's own usage lists (in SYNOPSIS and in DESCRIPTION) and shows
# every command in EXAMPLES.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

[ -f "$BUILDDIR/Makefile" ] || skip_all "no build in $BUILDDIR"
t=$(t_tmpdir)
root=$t/root
if make -C "$BUILDDIR" install DESTDIR="$root" >"$t/install.log" 2>&1; then
	pass "make install DESTDIR=... succeeds"
else
	fail "make install DESTDIR=... succeeds"
	tail -20 "$t/install.log" | sed 's/^/# /'
	done_testing
fi

programs=$(find "$root" -type f -perm -u+x \( -path '*/sbin/*' -o \
	-path '*/bin/*' -o -path '*/libexec/stsd/*' \) | sort)
pages=$(find "$root" -type f -path '*/share/man/man[0-9]/*' | sort)
[ -n "$programs" ] || fail "make install installs programs"
[ -n "$pages" ] || fail "make install installs manual pages"

# Every program: a page in section 1 (commands) or 8 (daemons, admin).
for p in $programs; do
	name=$(basename "$p")
	page=$(printf '%s\n' "$pages" | grep -E "/man[18]/$name\.[18]\$" | head -1)
	ok "$name (${p#"$root"}) has an installed manual page" test -n "$page"
done

# Every page: its sections, its NAME line, clean formatting.
for page in $pages; do
	base=$(basename "$page")
	name=${base%.*}
	for s in NAME SYNOPSIS DESCRIPTION FILES EXAMPLES "SEE ALSO"; do
		ok "$base has a $s section" grep -Eq "^\.SH \"?$s\"?\$" "$page"
	done
	nameline=$(sed -n '/^\.SH NAME/{n;p;q}' "$page")
	like "$nameline" "^$(printf '%s' "$name" | sed 's/\./\\./g')( |,| \\\\-)" \
		"$base: NAME starts with $name"
	if command -v groff >/dev/null; then
		is "$(groff -man -ww -z "$page" 2>&1)" "" "$base formats without warnings"
	fi
done

# stsctl: the subcommands its usage lists, with an empty configuration
# so that "stsctl COMMAND" prints the usage of COMMAND.
stsctl=$(printf '%s\n' "$programs" | grep '/stsctl$' | head -1)
page=$(printf '%s\n' "$pages" | grep '/stsctl\.1$' | head -1)
[ -n "$stsctl" ] && [ -n "$page" ] || { fail "stsctl and stsctl(1) are installed"; done_testing; }
mkdir -p "$t/etc"
: >"$t/etc/main.cf"

# usage_words: "CMD SUB" (or "CMD") per line, from usage text on stdin.
usage_words() {
	sed 's/ | /\n/g' | while IFS= read -r line; do
		case $line in *stsctl\ *) line=${line##*stsctl } ;; esac
		set -- $line
		while [ $# -gt 0 ] && [ "${1#\[}" != "$1" ]; do shift; done
		[ $# -gt 0 ] || continue
		cmd=$1; shift
		printf '%s\n' "$cmd" | grep -Eq '^[a-z][a-z-]*$' || continue
		echo "$cmd"
		for tok in "$@"; do
			case $tok in \[* | -*) break ;; esac
			printf '%s\n' "$tok" | tr '|' '\n' |
			    grep -E '^[a-z][a-z-]*$' | sed "s/^/$cmd /"
		done
	done
}
top=$("$stsctl" -c "$t/etc" 2>&1)
commands=$(usage_words <<<"$top" | awk 'NF == 1' | sort -u)
ok "stsctl without arguments lists its commands" test -n "$commands"
words=$(
	usage_words <<<"$top"
	for c in $commands; do "$stsctl" -c "$t/etc" "$c" 2>&1 | usage_words; done
)
subs=$(awk 'NF == 2' <<<"$words" | sort -u)
note "stsctl commands: $(echo $commands)"
note "stsctl subcommands: $(echo "$subs" | paste -sd,)"

section() {	# section NAME: the man source of that section
	awk -v s="$1" '/^\.SH /{ on = ($0 ~ "^\\.SH \"?" s "\"?$"); next } on' "$page"
}
rendered_synopsis=$(groff -man -Tascii -P-cbou "$page" 2>/dev/null |
	awk '/^[A-Z]/ { on = ($0 == "SYNOPSIS"); next } on' | tr -s ' \n' '  ')
description=$(section DESCRIPTION)
examples=$(section EXAMPLES)
for c in $commands; do
	like "$rendered_synopsis" "stsctl( \[[^]]*\])* $c( |$)" \
		"stsctl(1) SYNOPSIS shows stsctl $c"
	like "$examples" "^stsctl( -c [^ ]+)? $c( |$)" "stsctl(1) EXAMPLES uses stsctl $c"
done
while read -r c s; do
	[ -n "$s" ] || continue
	like "$rendered_synopsis" "stsctl( \[[^]]*\])* $c $s( |$)" \
		"stsctl(1) SYNOPSIS shows stsctl $c $s"
	like "$description" "^\.(B|BR|BI|TP) ($c )?$s( |$)|\\\\fB($c )?$s( |\\\\f)" \
		"stsctl(1) DESCRIPTION explains $c $s"
done <<<"$subs"

done_testing
