# tests/lib.sh - helpers for test scripts (*.t); source it first.
# SPDX-License-Identifier: ISC
#
# Each case prints "ok - what" or "not ok - what"; tests/run counts them.
# Scripts get BUILDDIR and SRCDIR from tests/run (or default to the tree
# this file is in, for running one script by hand: bash tests/x/y.t).

: "${SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${BUILDDIR:=$SRCDIR}"
export SRCDIR BUILDDIR

T_FAILED=0

pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; T_FAILED=$((T_FAILED + 1)); }
note() { echo "# $*"; }

# ok DESC CMD...: passes when CMD succeeds.
ok() {
	local desc=$1; shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# not_ok DESC CMD...: passes when CMD fails.
nok() {
	local desc=$1; shift
	if "$@"; then fail "$desc"; else pass "$desc"; fi
}

# quiet CMD...: CMD with its output thrown away (for ok/nok).
quiet() { "$@" >/dev/null 2>&1; }

# is GOT EXPECTED DESC
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		echo "#   got:      '$1'"
		echo "#   expected: '$2'"
	fi
}

# like GOT EXTENDED-REGEX DESC
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3"
		echo "#   got:      '$(printf '%s' "$1" | head -c 2000)'"
		echo "#   expected to match: '$2'"
	fi
}

# unlike GOT EXTENDED-REGEX DESC
unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3"
		echo "#   got:      '$(printf '%s' "$1" | head -c 2000)'"
		echo "#   expected not to match: '$2'"
	else
		pass "$3"
	fi
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s; false on time-out.
wait_until() {
	local limit=$1; shift
	local end=$((SECONDS + limit))
	while ! "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
	return 0
}

# wait_output SECONDS EXPECTED COMMAND...: until COMMAND (a function
# too) prints EXPECTED; run again each time, unlike an argument "$(...)"
# of wait_until, which is computed once.
wait_output() {
	local limit=$1 want=$2; shift 2
	local end=$((SECONDS + limit))
	while [ "$("$@" 2>/dev/null)" != "$want" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
	return 0
}

# unix_call SOCKET LINE [SECONDS]: LINE and a newline to the stream
# socket SOCKET (a daemon's IPC socket), its reply up to the first
# newline (or EOF) on stdout; SECONDS (10) for each step.
unix_call() {
	python3 - "$1" "$2" "${3:-10}" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(float(sys.argv[3]))
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
data = b""
while not data.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode())
PY
}

# t_tmpdir: a fresh directory, removed at exit, searchable by every user
# (the daemons of a root-run instance work as mail_owner).  Each one is
# made inside the script's own T_TMPROOT, so that one made in a command
# substitution ($(t_tmpdir), a subshell whose list of directories to
# remove is lost) goes when the script ends too.
t_tmpdir() {
	local d
	d=$(mktemp -d "$T_TMPROOT/XXXXXX")
	chmod 755 "$d"
	echo "$d"
}

# free_port: a TCP port on loopback that nothing listens on.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		if ! ss -Htlna 2>/dev/null | awk '{print $4}' | grep -q ":$p\$"; then
			echo "$p"
			return
		fi
	done
}

T_TMPROOT=$(mktemp -d /tmp/stsd-test.XXXXXX) && chmod 755 "$T_TMPROOT"
T_CLEANUP_DIRS=("$T_TMPROOT")
T_CLEANUP_CMDS=()
at_exit() { T_CLEANUP_CMDS+=("$*"); }
t_cleanup() {
	local c
	for ((i = ${#T_CLEANUP_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${T_CLEANUP_CMDS[$i]}" >/dev/null 2>&1
	done
	[ -n "${KEEP_TEST_DIRS:-}" ] || rm -rf "${T_CLEANUP_DIRS[@]}"
}
trap t_cleanup EXIT

# skip_all REASON: the whole script cannot run here (tests/run counts it
# as skipped, not passed).
skip_all() { echo "# skip: $*"; exit 0; }

# t_need COMMAND...: skip the script unless each command is installed
# (scripts/deps test lists them).
t_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip_all "$c is not installed"
	done
}

# t_true FILE...: each FILE a program that exits 0 at once (a stand-in
# daemon in the daemon directory of stsd init and check).
t_true() {
	local p
	for p in "$@"; do
		mkdir -p "${p%/*}"
		printf '#!/bin/sh\nexit 0\n' >"$p"
		chmod 755 "$p"
	done
}

# t_stsd_user: run as root, the user stsd, a test instance's mail_owner,
# exists (created when missing; the script is skipped when it cannot be).
t_stsd_user() {
	[ "$(id -u)" = 0 ] || return 0
	id stsd >/dev/null 2>&1 && return 0
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin stsd || skip_all "cannot create user stsd"
}

# t_built PROGRAM...: each PROGRAM (a path) is built, or the script fails
# (one case) and ends: a missing program is a broken build, not a skip.
t_built() {
	local p
	for p in "$@"; do
		[ -x "$p" ] || { fail "${p##*/} is built ($p)"; done_testing; }
	done
}

# t_stsd_setup [PROGRAM...]: a script of stsd's commands needs stsd and
# each PROGRAM (a path), or is skipped; sets STSD, t (a temporary
# directory) and daemons ($t/libexec, for init --daemon-directory).
t_stsd_setup() {
	local p
	STSD=$BUILDDIR/stsd/stsd
	for p in "$STSD" "$@"; do
		[ -x "$p" ] || skip_all "no $p"
	done
	t_stsd_user
	t=$(t_tmpdir)
	daemons=$t/libexec
}

# t_tree_files: the files of the source tree (run in $SRCDIR), as git
# has them or, in a release tarball, its files, not what a build made.
t_tree_files() {
	if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files
	else
		find . -type f -not -path './_build/*' -not -path './build-aux/*' |
		    sed 's|^\./||' | grep -v '^config\.h'
	fi
}

# t_c_sources: the C files of the tree, tests and benchmarks excepted
# (tests/, bench/ and the unit tests *_test.c).
t_c_sources() {
	t_tree_files | grep -E '\.[ch]$' | grep -Ev '^(tests|bench)/|_test\.c$'
}

# done_testing: exit status for tests/run
done_testing() { exit $((T_FAILED > 0)); }
