# tests/stsctl/instance.sh - a running instance with policyd, for the
# stsctl and policyd test scripts (source it after tests/lib.sh).
# SPDX-License-Identifier: ISC
#
#	instance_start DIR [name=value ...]	make DIR an instance (main.cf
#		parameters as given) and start its master; stopped at exit
#	instance_stop DIR / instance_run DIR	stop it, start it again
#	STSCTL		the stsctl command with -c DIR/etc
#	I		the instance directory
#	INSTANCE_NOWAIT=1	do not wait for policyd to answer
#
# The instance is made by "stsd init" when that command exists, else by
# hand with the same layout, so that these tests run before and after
# stsd(1) learns init.

STSD=$BUILDDIR/stsd/stsd
STSCTL_BIN=$BUILDDIR/stsctl/stsctl
LIBEXEC=$BUILDDIR/libexec

instance_have_init() {
	[ -x "$STSD" ] && "$STSD" 2>&1 | grep -q -- --daemon-directory
}

instance_by_hand() {
	local dir=$1 owner
	if [ "$(id -u)" = 0 ]; then
		owner=stsd
		getent passwd stsd >/dev/null ||
			useradd --system --no-create-home --shell /usr/sbin/nologin stsd
	else
		owner=$(id -un)
	fi
	mkdir -p "$dir/etc" "$dir/data" "$dir/log" \
		"$dir/spool/private" "$dir/spool/public" "$dir/spool/pid"
	chmod 700 "$dir/data" "$dir/spool/private"
	chmod 710 "$dir/spool/public"
	cat >"$dir/etc/main.cf" <<EOF
config_directory = $dir/etc
data_directory = $dir/data
queue_directory = $dir/spool
daemon_directory = $LIBEXEC
maillog_file = $dir/log/stsd.log
mail_owner = $owner
myhostname = localhost
sts_zone = demo.test
domain_verification = none
EOF
	cat >"$dir/etc/master.cf" <<EOF
policyd   unix  n  n  n  -  1  policyd
EOF
}

instance_start() {
	local dir=$1; shift
	I=$dir
	local init=0
	if instance_have_init; then
		init=1
		"$STSD" init "$dir" --daemon-directory "$LIBEXEC" \
			--https-port "$(free_port)" --http-port "$(free_port)" \
			--smtp-port "$(free_port)" --metrics-port "$(free_port)" \
			>"$dir.init.log" 2>&1 || { cat "$dir.init.log"; return 1; }
	else
		note "stsd init not available: instance made by hand"
		instance_by_hand "$dir"
	fi
	local kv
	for kv in "$@"; do
		# Replace or append one parameter.
		sed -i "/^${kv%%=*} *=/d" "$dir/etc/main.cf"
		echo "${kv%%=*} = ${kv#*=}" >>"$dir/etc/main.cf"
	done
	grep -q '^policyd ' "$dir/etc/master.cf" ||
		echo "policyd   unix  n  n  n  -  1  policyd" >>"$dir/etc/master.cf"
	STSCTL="$STSCTL_BIN -c $dir/etc"
	INSTANCE_INIT=$init
	instance_run "$dir" || return 1
	at_exit "instance_stop $dir"
}

# instance_run DIR: starts the master of DIR, then waits until policyd
# answers (unless INSTANCE_NOWAIT is set).
instance_run() {
	local dir=$1
	if [ "$INSTANCE_INIT" = 1 ]; then
		"$STSD" -c "$dir/etc" start >"$dir.start.log" 2>&1 ||
			{ cat "$dir.start.log"; return 1; }
	else
		"$LIBEXEC/master" -c "$dir/etc" >"$dir.start.log" 2>&1 ||
			{ cat "$dir.start.log"; return 1; }
	fi
	[ -n "${INSTANCE_NOWAIT:-}" ] || wait_until 10 $STSCTL domain list
}

# instance_stop DIR: stops its master and every process of it.
instance_stop() {
	local dir=$1 pid
	if [ "$INSTANCE_INIT" = 1 ]; then
		"$STSD" -c "$dir/etc" stop >/dev/null 2>&1
	else
		pid=$(head -1 "$dir/spool/pid/master.pid" 2>/dev/null)
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
		wait_until 10 sh -c "! kill -0 $pid 2>/dev/null"
	fi
}
