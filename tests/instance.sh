# tests/instance.sh - a running stsd instance for integration tests.
# SPDX-License-Identifier: ISC
#
# Source after tests/lib.sh.  The instance is made by "stsd init" exactly
# as an operator makes one, with every listener on a free port (or on
# the standard ports inside a test network namespace).
#
#	inst_init DIR [init options]	stsd init DIR with free ports for
#					every listener (options override)
#	inst_set NAME=VALUE ...		set main.cf parameters (stsconf -e)
#	inst_only SERVICE ...		keep only these master.cf services
#					(by command name: policyd httpd ...)
#	inst_start			start it (stopped at exit)
#	inst_stop
#	I, STSD, STSCTL, STSCONF	the directory and its commands
#	HTTPS_PORT HTTP_PORT SMTP_PORT	the ports it was made with
#
# Inside a namespace (NS set by tests/netns.sh), commands run there.

STSD_BIN=$BUILDDIR/stsd/stsd
STSCTL_BIN=$BUILDDIR/stsctl/stsctl
STSCONF_BIN=$BUILDDIR/stsconf/stsconf

inst_exec() {
	if [ -n "${NS:-}" ]; then ns_exec "$@"; else "$@"; fi
}

inst_init() {
	I=$1; shift
	HTTPS_PORT=$(free_port) HTTP_PORT=$(free_port) SMTP_PORT=$(free_port)
	local args=(--daemon-directory "$BUILDDIR/libexec" --address 127.0.0.1
		--https-port "$HTTPS_PORT" --http-port "$HTTP_PORT"
		--smtp-port "$SMTP_PORT" --metrics-port "$(free_port)")
	local a
	for a in "$@"; do
		case $a in
		--https-port=*) HTTPS_PORT=${a#*=} ;;
		--http-port=*) HTTP_PORT=${a#*=} ;;
		--smtp-port=*) SMTP_PORT=${a#*=} ;;
		esac
	done
	args+=("${@/=/ }")
	# shellcheck disable=SC2068
	"$STSD_BIN" init "$I" ${args[@]} >"$I.init.log" 2>&1 ||
		{ sed 's/^/# /' "$I.init.log"; return 1; }
	STSD="$STSD_BIN -c $I/etc"
	STSCTL="$STSCTL_BIN -c $I/etc"
	STSCONF="$STSCONF_BIN -c $I/etc"
}

inst_set() {
	$STSCONF -e "$@" >/dev/null
}

inst_only() {
	local keep=" $* " out=$I/etc/master.cf.new line cmd
	while IFS= read -r line; do
		case $line in
		"#"* | "") echo "$line" ;;
		*)
			cmd=$(echo "$line" | awk '{print $8}')
			case $keep in *" $cmd "*) echo "$line" ;; esac
			;;
		esac
	done <"$I/etc/master.cf" >"$out"
	mv "$out" "$I/etc/master.cf"
}

inst_start() {
	inst_exec $STSD start >"$I.start.log" 2>&1 </dev/null ||
		{ sed 's/^/# /' "$I.start.log"; return 1; }
	at_exit inst_stop
}

inst_stop() {
	inst_exec $STSD stop >/dev/null 2>&1
}
