#!/bin/bash
# tests/build/testflags.t - tests/ is on the include path of test
# programs only: no installed program or library of the suite is
# compiled with -I tests (through AM_CPPFLAGS or its own _CPPFLAGS), and
# no source outside tests/ includes a file of tests/ by its path.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
t_need python3

out=$(python3 - "$SRCDIR" <<'PY'
import glob, os, re, sys
top = sys.argv[1]
frags = ["Makefile.am"] + sorted(
    os.path.relpath(p, top) for p in glob.glob(top + "/**/*.mk", recursive=True)
    if "/_build/" not in p and "/tests/" not in p)
frags += sorted(os.path.relpath(p, top) for p in glob.glob(top + "/tests/*/local.mk"))
defs, targets = {}, []
for f in frags:
    text = open(os.path.join(top, f)).read().replace("\\\n", " ")
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(\+?=)\s*(.*)$", line)
        if not m:
            continue
        name, op, value = m.groups()
        defs[name] = (defs.get(name, "") + " " + value) if op == "+=" else value
        if name in ("sbin_PROGRAMS", "pkglibexec_PROGRAMS", "noinst_LIBRARIES"):
            targets += value.split()
def expand(v, depth=0):
    if depth > 20:
        return v
    return re.sub(r"\$\((\w+)\)", lambda m: expand(defs.get(m.group(1), ""), depth + 1), v)
for t in targets:
    canon = re.sub(r"[^A-Za-z0-9_]", "_", t)
    flags = defs.get(canon + "_CPPFLAGS", "$(AM_CPPFLAGS)")
    bad = re.search(r"-I\S*/tests(\s|$)", expand(flags)) is not None
    print(("bad " if bad else "good ") + t)
PY
)
[ -n "$out" ] || fail "the build fragments name installed programs"
while read -r verdict target; do
	is "$verdict" good "$target is compiled without -I tests"
done <<<"$out"

inc=$(cd "$SRCDIR" && find . -path ./tests -prune -o -path './_build*' -prune -o \
	-type f \( -name '*.c' -o -name '*.h' \) -print |
	xargs grep -ln '#include "\(\.\./\)*tests/' 2>/dev/null)
is "$inc" "" "no source outside tests/ includes a file of tests/ by its path"
done_testing
