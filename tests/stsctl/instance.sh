# tests/stsctl/instance.sh - a running instance with policyd, for the
# stsctl, policyd and dnsmon test scripts (source it after tests/lib.sh).
# SPDX-License-Identifier: ISC
#
#	instance_start DIR [name=value ...]	tests/instance.sh's inst_init
#		of DIR with every service, main.cf parameters as given,
#		started, stopped at exit; waits until policyd answers
#	instance_stop DIR / instance_run DIR	stop it, start it again
#	INSTANCE_NOWAIT=1	instance_run does not wait for policyd
#	stsctl_bad DESC MESSAGE ARGS...	passes when stsctl ARGS exits 1
#		printing exactly MESSAGE
#	I, STSD, STSCTL		as tests/instance.sh sets them

source "$SRCDIR/tests/instance.sh"

instance_start() {
	local dir=$1; shift
	inst_init "$dir" || return 1
	inst_set "$@" || return 1
	instance_run "$dir"
}

instance_run() {
	inst_start || return 1
	[ -n "${INSTANCE_NOWAIT:-}" ] || inst_wait_policyd
}

instance_stop() { inst_stop "$1"; }

stsctl_bad() {
	local desc=$1 want=$2 out rc; shift 2
	out=$($STSCTL "$@" 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && [ "$out" = "$want" ]; then
		pass "$desc"
	else
		fail "$desc"
		echo "#   exit $rc, got: '$out'"
		echo "#   expected:      '$want'"
	fi
}
