# tests/stsctl/import.t - stsctl domain import: many domains from a file
# in batches, each batch all or nothing, errors with the file and line.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/stsctl/instance.sh"

inst_need stsctl policyd master

dir=$(t_tmpdir)/i
instance_start "$dir" sts_zone=sts.test domain_verification=none \
	default_policy_mode=testing default_policy_max_age=7d ||
	{ fail "instance starts and policyd answers"; cat "$dir/log/stsd.log"; done_testing; }
pass "instance starts and policyd answers"
t=$(t_tmpdir)

# 2,500 domains: three batches (1,000 per request).
{
	echo "# hosted domains"
	echo
	for i in $(seq 1 2500); do
		echo "d$i.example mx1.d$i.example *.mx.example   # customer $i"
	done
} >"$t/domains"
out=$($STSCTL domain import "$t/domains" --mode enforce 2>&1)
is "$?" 0 "import exits 0"
is "$out" "$t/domains: 2500 domains imported" "import says how many"
is "$($STSCTL domain list | grep -c '^d[0-9]*\.example ')" 2500 \
	"every domain of the file is listed"
out=$($STSCTL domain show d1234.example --json)
like "$out" '"policy": "version: STSv1\\r\\nmode: enforce\\r\\nmx: mx1\.d1234\.example\\r\\nmx: \*\.mx\.example\\r\\nmax_age: 604800\\r\\n"' \
	"an imported domain has its patterns, --mode and the default max_age"
is "$(grep -c 'policyd.*imported 1000 domains' "$dir/log/stsd.log")" 2 \
	"policyd stores a batch per request (one log line each)"

# One domain: counted in the singular, by stsctl and in policyd's log.
echo "one.example mx.one.example" >"$t/one"
is "$($STSCTL domain import "$t/one" 2>&1)" "$t/one: 1 domain imported" \
	"import of one domain says \"1 domain\""
wait_until 5 grep -q 'policyd.*one\.example \.\. one\.example' "$dir/log/stsd.log"
like "$(grep 'policyd.*one\.example \.\. one\.example' "$dir/log/stsd.log")" \
	'imported 1 domain \(1 active, 0 restored from retirement\)$' \
	"policyd logs \"imported 1 domain\""

# A bad line: that batch is refused whole, the earlier ones stay.
{
	for i in $(seq 1 1005); do echo "e$i.example mx.e$i.example"; done
	echo "bad.example *.*.example"
	echo "f.example mx.f.example"
} >"$t/bad"
out=$($STSCTL domain import "$t/bad" 2>&1)
is "$?" 1 "a refused domain makes import exit 1"
is "$out" "stsctl: $t/bad:1006: mx pattern \"*.*.example\": wildcard only allowed as the leftmost label (1000 domains imported before this batch of 6, none of it)" \
	"the error names the file, the line and the cause, and what was imported"
$STSCTL domain show e1000.example >/dev/null 2>&1
is "$?" 0 "the batches before the refused one are stored"
$STSCTL domain show e1001.example >/dev/null 2>&1
is "$?" 1 "nothing of the refused batch is stored"

# Duplicates and input errors.
printf 'g.example mx.g.example\nd7.example mx.d7.example\n' >"$t/dup"
out=$($STSCTL domain import "$t/dup" 2>&1)
like "$out" "^stsctl: $t/dup:2: d7\.example: domain already exists \(state active\)" \
	"a domain that exists is refused with its line"
$STSCTL domain show g.example >/dev/null 2>&1
is "$?" 1 "... and its batch is not stored"
out=$($STSCTL domain import "$t/nosuch" 2>&1)
is "$out" "stsctl: domain import: $t/nosuch: No such file or directory" \
	"a missing file is named"
head -c 9000 /dev/zero | tr '\0' a >"$t/long"
out=$($STSCTL domain import "$t/long" 2>&1)
is "$out" "stsctl: $t/long:1: line longer than 8192 bytes" "a line too long is refused"
out=$($STSCTL domain import 2>&1)
is "$out" "stsctl: domain import: missing file name" "import needs a file"
out=$(echo "h.example mx.h.example" | $STSCTL domain import - --json 2>&1)
is "$out" '{
  "imported": 1,
  "restored": 0
}' "import reads standard input with -, and says it in JSON"

done_testing
