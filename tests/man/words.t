#!/bin/bash
# tests/man/words.t - the manual pages agree with themselves and with
# what the package writes: no section (.SH) twice in a page, no .TP
# entry twice under FILES or EXAMPLES, the same date, source and manual
# fields in every .TH header, and every example master.cf service line
# in a page is a line of the master.cf that "stsd init" or the package
# (debian/mkconf) writes (column by column, white space aside).
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

[ -f "$BUILDDIR/Makefile" ] || skip_all "no build in $BUILDDIR"
pages=$(ls "$SRCDIR"/man/*.[158] 2>/dev/null)
[ -n "$pages" ] || skip_all "no pages in $SRCDIR/man"
t=$(t_tmpdir)

# 1. Sections and .TP entries said once.
for page in $pages; do
	base=$(basename "$page")
	dup=$(sed -n 's/^\.SH *//p' "$page" | tr -d '"' | sort | uniq -d)
	is "$dup" "" "$base: no .SH section twice"
	for s in FILES EXAMPLES; do
		# The tag line after each .TP of section s.
		dup=$(awk -v s="$s" '
			/^\.SH/ { gsub(/"/, ""); in_s = ($2 == s); next }
			in_s && /^\.TP/ { tag = 1; next }
			in_s && tag { print; tag = 0 }' "$page" | sort | uniq -d)
		is "$dup" "" "$base: no .TP entry twice under $s"
	done
done

# 2. One .TH header style: date, source and manual the same everywhere.
ths=$(for page in $pages; do
	sed -n '1,/^\.TH/{/^\.TH/p}' "$page" |
	    awk -F'"' '{ print $2 "|" $4 "|" $6 }'
done | sort -u)
is "$(printf '%s\n' "$ths" | wc -l)" 1 \
	"every page has the same .TH date, source and manual ($(printf '%s' "$ths" | tr '\n' ' '))"
like "$ths" '^[A-Z][a-z]+ [0-9]{4}\|stsd\|stsd manual$' \
	"the .TH fields are a month, the project and its manual"

# 3. Example master.cf lines are lines stsd init or the package writes.
root=$t/root
make -C "$BUILDDIR" install DESTDIR="$root" >"$t/install.log" 2>&1 ||
	{ fail "make install"; tail -20 "$t/install.log" | sed 's/^/# /'; done_testing; }
stsd=$(find "$root" -type f -path '*/sbin/stsd' | head -1)
[ -n "$stsd" ] || { fail "stsd is installed"; done_testing; }
prefix=${stsd%/sbin/stsd}
# mkconf expects /usr; give it the installed prefix's layout.
mkdir -p "$t/pkg/usr"
cp -a "$prefix/." "$t/pkg/usr/"
ok "debian/mkconf writes the package's configuration" \
	sh "$SRCDIR/debian/mkconf" "$t/pkg"
"$t/pkg/usr/sbin/stsd" init "$t/init" \
	--daemon-directory "$t/pkg/usr/libexec/stsd" >"$t/init.log" 2>&1
ok "stsd init writes a master.cf" test -s "$t/init/etc/master.cf"

# norm: a master.cf line with "\-" as "-", its columns one space apart.
norm() { sed -e 's/\\-/-/g' -e 's/[[:space:]]\{1,\}/ /g' -e 's/^ //' -e 's/ $//'; }
known=$t/known
cat "$t/init/etc/master.cf" "$t/pkg/etc/stsd/master.cf" | grep -v '^#' |
	sed "s|$t/pkg/usr/libexec/stsd|/usr/libexec/stsd|g" | norm | sort -u >"$known"
service='^[^ .#][^ ]* +(inet|unix|fifo|pass) +(\\?-|[yn]) '
n=0
for page in $pages; do
	base=$(basename "$page")
	while IFS= read -r line; do
		n=$((n + 1))
		l=$(printf '%s\n' "$line" | norm)
		if grep -qxF -- "$l" "$known"; then
			pass "$base: \"$l\" is a line stsd init or the package writes"
		else
			fail "$base: \"$l\" is a line stsd init or the package writes"
		fi
	done < <(grep -E "$service" "$page")
done
ok "the pages show master.cf lines ($n)" test "$n" -gt 0
note "lines written: $(tr '\n' ';' <"$known")"
done_testing
