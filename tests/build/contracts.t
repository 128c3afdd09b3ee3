#!/bin/bash
# tests/build/contracts.t - each contract between processes is spelled in
# one module: a list of patterns, each with the only files outside the
# tests where it may appear (issue 17, "One contract, one place").
# SPDX-License-Identifier: ISC
#
# A line of the list is: a name, an extended regular expression (grep
# -E, word boundaries as \b) and the files allowed to match it.  The
# source files are the C files of git ls-files (or of a release
# tarball), without tests/ and *_test.c: a test may build a fixture by
# hand.  Each pattern must match in its allowed files too, so that a
# renamed table or a mistyped pattern fails here instead of passing.
# contract matches whole files; contract_literal only the text of C
# string literals (not comments, not #include lines), for names that
# comments mention.
source "$SRCDIR/tests/lib.sh"

cd "$SRCDIR" || { fail "source tree"; done_testing; }


# contract_judge NAME FOUND ALLOWED...: FOUND, the files that spell the
# names, are among ALLOWED, and one of ALLOWED is among them.
contract_judge() {
	local name=$1 found=$2 allowed f extra= seen=
	shift 2
	allowed=" $* "
	for f in $found; do
		case $allowed in
		*" $f "*) seen=1 ;;
		*) extra="$extra $f" ;;
		esac
	done
	is "$extra" "" "$name: spelled only in $*"
	ok "$name: the pattern finds them in $*" test -n "$seen"
}

# contract NAME PATTERN ALLOWED...: PATTERN appears in ALLOWED only,
# and in at least one of them.
contract() {
	local name=$1 pattern=$2
	shift 2
	contract_judge "$name" "$(t_c_sources | xargs grep -lE -- "$pattern" \
	    2>/dev/null | sort)" "$@"
}

# literals FILE...: FILE:LINE:TEXT for each C string literal, TEXT as
# written between its quotes (escapes kept).
literals() {
	perl -e '
	for my $f (@ARGV) {
		open(my $fh, "<", $f) or die "$f: $!\n";
		local $/;
		my $s = <$fh>;
		close($fh);
		my $line = 1;
		while ($s =~ m{\G(?:
		    (/\*.*?\*/)			# 1 comment
		  | (//[^\n]*)			# 2 comment
		  | (\#[ \t]*include[^\n]*)	# 3 include line
		  | "((?:[^"\\\n]|\\.)*)"	# 4 string literal
		  | (\x27(?:[^\x27\\\n]|\\.)*\x27)	# 5 character
		  | (\n)			# 6
		  | ([^/"\x27\n\#]+|.)		# 7 other
		)}gsx) {
			if (defined $1) {
				$line += ($1 =~ tr/\n//);
			} elsif (defined $4) {
				print "$f:$line:$4\n";
			} elsif (defined $6) {
				$line++;
			}
		}
	}' "$@"
}

# The extractor itself: a literal is found, a comment is not.
selftest=$(t_tmpdir)
cat >"$selftest/x.c" <<'EOF'
/* "in/a/comment" */
#include "inc.h"
static const char *a = "one", c = '"';	// "two"
static const char *b = "esc\"aped" "three";
EOF
is "$(literals "$selftest/x.c" | sed "s|^$selftest/||")" \
    "x.c:3:one
x.c:4:esc\\\"aped
x.c:4:three" "the literals of a C file, without comments and includes"

LITERALS=$(literals $(t_c_sources))
ok "string literals of the sources found ($(printf '%s\n' "$LITERALS" | wc -l))" \
    test "$(printf '%s\n' "$LITERALS" | wc -l)" -gt 5000

# contract_literal NAME PATTERN ALLOWED...: as contract, for the text of
# the string literals alone.
contract_literal() {
	local name=$1 pattern=$2
	shift 2
	contract_judge "$name" "$(printf '%s\n' "$LITERALS" | awk -v ere="$pattern" '{
		text = $0
		sub(/^[^:]*:[0-9]+:/, "", text)
		if (text ~ ere) {
			sub(/:.*/, "")
			print
		}
	}' | sort -u)" "$@"
}

# Socket names (lib/proto): master's private/NAME and public/NAME,
# written out, in a format, or joined to a directory constant.  (Prose
# about the directories in parameter docs is not a name; a lone
# "private" is also a column of master.cf.)
contract_literal "socket names" \
    '^(private|public)/[a-z%]*$|/(private|public)/|^/(policyd|acmed|rptparse|dnsmon|fetchlog)$' \
    lib/proto.h
# IPC operation names with a hyphen (lib/proto.h); the one-word ones
# (policy, policies, ping, ...) are also JSON members and words of the
# logs, so only their use as "op" is lib/proto.h's.
OPS=$(grep -oE 'PROTO_OP_[A-Z_]+[[:space:]]+"[a-z]+-[a-z-]+"' lib/proto.h |
    grep -oE '"[^"]+"' | tr -d '"' | paste -sd'|')
ok "hyphenated IPC operation names found in lib/proto.h" test -n "$OPS"
contract_literal "IPC operation names" "^($OPS)\$" lib/proto.h
# policy.db (policyd, its only writer): lib/policydb.
POLICYDB_FILES="lib/policydb.h lib/policydb.c lib/policydb_dns.c lib/policydb_migrate.c lib/policydb_account.c lib/policydb_follow.c lib/policydb_names.c"
contract "policy.db table domains" \
    '\b(FROM|INTO|UPDATE|JOIN|TABLE|ON) domains\b' $POLICYDB_FILES
contract "policy.db table domain_mx" '\bdomain_mx\b' $POLICYDB_FILES
contract "policy.db table domain_names" '\bdomain_names\b' $POLICYDB_FILES
contract "policy.db table domain_monitor" '\bdomain_monitor\b' $POLICYDB_FILES
contract "policy.db table domain_checks" '\bdomain_checks\b' $POLICYDB_FILES
contract "policy.db table dns_publish" '\bdns_publish\b' $POLICYDB_FILES
contract "policy.db table domain_migrations" '\bdomain_migrations\b' $POLICYDB_FILES
contract "policy.db table accounts" \
    '\b(FROM|INTO|UPDATE|JOIN|TABLE|ON|REFERENCES) accounts\b' $POLICYDB_FILES
contract "policy.db table account_domains" '\baccount_domains\b' $POLICYDB_FILES
contract "policy.db table api_tokens" '\bapi_tokens\b' $POLICYDB_FILES
contract "policy.db table audit_log" '\baudit_log\b' $POLICYDB_FILES
# policyd reaches policy.db through lib/policydb alone.
is "$(t_c_sources | grep '^policyd/' | xargs grep -lE '#include (<sqlite3\.h>|"db\.h")')" "" \
    "policyd includes neither sqlite3.h nor lib/db.h"
# reports.db (rptparse writes, the commands and pages read): lib/rptdb.
RPTDB_FILES=$(t_c_sources | grep -E '^lib/rptdb[_.]')
contract "reports.db tables" \
    '\<(FROM|JOIN|INTO|UPDATE|TABLE|REFERENCES|ON)[[:space:]]+(reports|policies|failures|deviations)\>' \
    $RPTDB_FILES
# fetches.db (rptparse writes, stsctl reads): lib/fetchdb.
contract "fetches.db table" \
    '\<(FROM|JOIN|INTO|UPDATE|TABLE|REFERENCES|ON)[[:space:]]+fetches\>' \
    lib/fetchdb.c
# The datagrams of fetch records (httpd to rptparse): lib/fetchlog.
contract_literal "fetch record datagram" '^stsd-fetchlog ' lib/fetchlog.h
# What makes a stored report trusted (RFC 8460 section 3).
contract "reports.db trust rule" "dkim_result = 'pass'" $RPTDB_FILES
# The certificate store: the file names of a host's pair and acmed's
# state file (the layout of lib/certstore.h; every program asks it).
contract_literal "certificate file names" 'fullchain\.pem|privkey\.pem' \
    lib/certstore.h
contract_literal "acmed's state file" 'state\.json' lib/certstore.h
done_testing
