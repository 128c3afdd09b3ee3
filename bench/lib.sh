# bench/lib.sh - helpers that the benchmark scripts share (sourced).
# SPDX-License-Identifier: ISC
#
# SYNOPSIS
#	source "$top/bench/lib.sh"	(after setting bench_name)
#	die MESSAGE		says "bench_name: MESSAGE", exits 2
#	say MESSAGE		"# MESSAGE" on stdout
#	now			seconds since the epoch, with nanoseconds
#	calc EXPR [DECIMALS]	floating point arithmetic (awk); put
#				comparisons in parentheses (a bare ">" in
#				awk's printf is a redirection)
#	free_port		a TCP port nobody listens on
#	cpu_secs PID		utime + stime of PID, in seconds
#	proc_kb PID FIELD	a field of /proc/PID/status (VmRSS, VmHWM), kB
#	bench_certs CA_DIR OUT_DIR < HOSTS
#				a CA (made once in CA_DIR) and for each
#				host an ECDSA P-256 key and certificate,
#				OUT_DIR/HOST/{fullchain,privkey}.pem
#				(bench/certs.py; python3-cryptography)
bench_name=${bench_name:-bench}
die() { echo "$bench_name: $*" >&2; exit 2; }
say() { echo "# $*"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		ss -Htlna | awk '{print $4}' | grep -q ":$p\$" ||
			{ echo "$p"; return; }
	done
}
cpu_secs() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}
proc_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }
bench_certs() { python3 "$(dirname "${BASH_SOURCE[0]}")/certs.py" "$@"; }
