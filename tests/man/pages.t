#!/bin/bash
# tests/man/pages.t - every program that "make install" installs has its
# manual page installed beside it; every installed page has NAME,
# SYNOPSIS, DESCRIPTION, FILES and EXAMPLES, formats without warnings,
# and names itself in NAME; no page and no name on a NAME line collides
# with a page of Postfix or of another package (issue 16 item 3): every
# name is stsd's own (stsd, stsctl, stsconf, stsd.conf, stsd-*), none is
# in a list of Postfix's pages, none is installed on this host by
# another package; stsctl(1) documents every subcommand that
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

# Every program: a page in section 1 (commands) or 8 (daemons, admin);
# the daemons in libexec/stsd/ have theirs under stsd-PROG(8), like
# their process names (stsd/PROG), beside Postfix's master(8), smtpd(8).
for p in $programs; do
	name=$(basename "$p")
	case $p in */libexec/stsd/*) name=stsd-$name ;; esac
	page=$(printf '%s\n' "$pages" | grep -E "/man[18]/$name\.[18]\$" | head -1)
	ok "$name (${p#"$root"}) has an installed manual page" test -n "$page"
done

# The pages of Postfix 3.x (and the file names main.cf, master.cf) that
# no page of stsd may take, as NAME.SECTION.
postfix_pages="mailq.1 newaliases.1 postalias.1 postcat.1 postconf.1
postdrop.1 postfix.1 postkick.1 postlock.1 postlog.1 postmap.1
postmulti.1 postqueue.1 postsuper.1 sendmail.1 access.5 aliases.5
body_checks.5 bounce.5 canonical.5 cidr_table.5 generic.5
header_checks.5 ldap_table.5 lmdb_table.5 main.cf.5 master.5
master.cf.5 memcache_table.5 mysql_table.5 nisplus_table.5 pcre_table.5
pgsql_table.5 postconf.5 postfix-wrapper.5 regexp_table.5 relocated.5
socketmap_table.5 sqlite_table.5 tcp_table.5 transport.5 virtual.5
anvil.8 bounce.8 cleanup.8 defer.8 discard.8 dnsblog.8 error.8 flush.8
lmtp.8 local.8 master.8 oqmgr.8 pickup.8 pipe.8 postlogd.8 postscreen.8
proxymap.8 qmgr.8 qmqpd.8 scache.8 showq.8 smtp.8 smtpd.8 spawn.8
tlsmgr.8 tlsproxy.8 trace.8 trivial-rewrite.8 verify.8 virtual.8"
own_name='^(stsd|stsctl|stsconf|stsd\.conf|stsd-[a-z][a-z.-]*)$'

# check_name NAME SECTION WHAT: NAME is stsd's own, not Postfix's, and
# no other package installed here has a page of that name (Debian's
# postfix installs master.8postfix.gz, hence the wildcard; a page of
# an installed stsd package is its own).
check_name() {
	local n=$1 sec=$2 what=$3 other f
	like "$n" "$own_name" "$what: $n is a name of stsd's own"
	unlike " $(echo $postfix_pages) " " $(printf '%s' "$n.$sec" | sed 's/\./\\./g') " \
		"$what: $n($sec) is not a page of Postfix"
	other=$(find /usr/share/man /usr/local/share/man -path "*/man$sec/$n.$sec*" \
		2>/dev/null | while read -r f; do
			case $(dpkg -S "$f" 2>/dev/null) in stsd:*) continue ;; esac
			echo "$f"
		done | head -3 | paste -sd' ')
	is "$other" "" "$what: no other package installed here has $n($sec)"
}

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
	sec=${base##*.}
	check_name "$name" "$sec" "$base"
	# The names before " \-" on the NAME line, each a page man finds.
	for n in $(printf '%s\n' "$nameline" | sed 's/ \\-.*//; s/,/ /g'); do
		[ "$n" = "$name" ] && continue
		check_name "$n" "$sec" "$base NAME line"
	done
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
