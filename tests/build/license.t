#!/bin/bash
# tests/build/license.t - the project states its license (ISC) where a
# distributor looks for it: LICENSE at the top, the License stanza of
# debian/copyright, and an SPDX-License-Identifier line in the header
# comment of every source file (C, shell, make, Python, autoconf), right
# after its "name - purpose" paragraph.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"

cd "$SRCDIR" || { fail "source tree"; done_testing; }
like "$(head -1 LICENSE)" '^ISC License$' "LICENSE names the ISC license"
like "$(cat LICENSE)" 'Permission to use, copy, modify, and/or distribute this software' \
    "LICENSE holds its text"
like "$(cat debian/copyright)" '^License: ISC$' "debian/copyright states ISC"
ok "debian/copyright has the stanza with the text" \
    grep -q '^ Permission to use, copy, modify, and/or distribute' debian/copyright
nok "no license is left unstated" grep -q 'no-license-yet' debian/copyright

# The files of the tree that are source, as git or the tarball has them.
sources() {
	t_tree_files | grep -Ev '^(tests/fuzz/corpus|tests/corpus|tests/rptparse/fixtures)/' |
	    grep -E '\.(c|h|t|sh|mk|py)$|^Makefile\.am$|^configure\.ac$|^tests/run$|^\.ci/run$|^debian/(rules|mkconf)$|^(scripts|bench|completion)/[^./]+$' |
	    grep -v '/README$'
}
n=0 missing=
while IFS= read -r f; do
	n=$((n + 1))
	head -40 "$f" | grep -q 'SPDX-License-Identifier: ISC' || missing="$missing $f"
done < <(sources)
ok "source files found ($n)" test "$n" -gt 300
is "$missing" "" "every source file carries SPDX-License-Identifier: ISC"
# Right after the name - purpose paragraph: no blank comment line between.
bad=
for f in $(sources | grep -E '\.[ch]$'); do
	awk 'NR == 1 { next } /^ \*$/ || /^ \*\/$/ { exit !seen }
	    /SPDX-License-Identifier/ { seen = 1 }' "$f" || bad="$bad $f"
done
is "$bad" "" "in C files, the SPDX line closes the first paragraph of the header"
done_testing
