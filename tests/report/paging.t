#!/bin/bash
# tests/report/paging.t - the HTML overview a page at a time: "stsctl
# report html --page N" and the metrics listener's "/?page=N" with
# dashboard_page_size = 2 and five domains: each page holds its domains
# in the order of their names, with its sections and the links to the
# pages beside it; a domain added moves the later ones to the next page;
# page numbers that are past the last page, zero, negative, huge, not a
# number or carry control characters are refused with the reason.  The
# cursor: "--after NAME" and "&after=NAME" (the link to the next page
# carries the last name of the page) start a page after that name
# without walking the pages before it; cursors that are not domain
# names (control characters, 10,000 bytes, ...) are refused with the
# reason, by stsctl, the metrics listener and policyd's domain-list.
# The cursor back: "&before=NAME" (the link to the previous page
# carries the first name of the page) ends a page before that name,
# read backwards from it, with policyd's domain-list {"before": NAME}.
# SPDX-License-Identifier: ISC
source "$SRCDIR/tests/lib.sh"
source "$SRCDIR/tests/instance.sh"

inst_need metrics rptparse
t_need curl
t_stsd_user

t=$(t_tmpdir)
MP=$(free_port)
inst_init "$t/i" --metrics-port="$MP" || { fail "stsd init"; done_testing; }
inst_only policyd rptparse metrics
inst_set dashboard_page_size=2
inst_start || { fail "instance starts"; done_testing; }
M=http://127.0.0.1:$MP
for d in e.test c.test a.test d.test b.test; do
	quiet $STSCTL domain add $d --mx "mx.$d"
done
DATA=$(sed -n 's/^data_directory *= *//p' "$I/etc/main.cf")
ok "rptparse made reports.db" wait_until 10 test -f "$DATA/reports.db"

# rows FILE: the domains of the overview's rows, in order, on one line
rows() { grep -o 'class="domain-row" data-domain="[^"]*"' "$1" |
    sed 's/.*data-domain="//; s/"$//' | tr '\n' ' '; }
sections() { grep -o '<section class="domain" id="d-[^"]*"' "$1" |
    sed 's/.*id="d-//; s/"$//' | tr '\n' ' '; }

$STSCTL report html >"$t/p1.html"
is "$?" 0 "report html without --page: exit 0"
is "$(rows "$t/p1.html")" "a.test b.test " "page 1: the first two names in order"
is "$(sections "$t/p1.html")" "a.test b.test " "page 1: the sections of its domains only"
like "$(cat "$t/p1.html")" 'rel="next" href="report-2.html"' "page 1 links to report-2.html"
unlike "$(cat "$t/p1.html")" 'rel="prev"' "page 1 has no previous page"
like "$(cat "$t/p1.html")" 'page 1 \(domains 1 to 2\)' "page 1 says which domains it holds"

$STSCTL report html --page 2 >"$t/p2.html"
is "$(rows "$t/p2.html")" "c.test d.test " "page 2: the next two"
like "$(cat "$t/p2.html")" 'rel="prev" href="report-1.html"' "page 2 links back"
like "$(cat "$t/p2.html")" 'rel="next" href="report-3.html"' "page 2 links on"

$STSCTL report html --page 3 >"$t/p3.html"
is "$(rows "$t/p3.html")" "e.test " "page 3: the last domain"
unlike "$(cat "$t/p3.html")" 'rel="next"' "the last page has no next page"
like "$(cat "$t/p3.html")" 'page 3 \(domains 5 to 5\)' "page 3 holds domain 5"

out=$($STSCTL report html --page 4 2>&1)
is "$?" 1 "a page past the last: exit 1"
like "$out" "page 4 is past the last page \(5 domains, 2 per page\)" \
    "a page past the last: the reason"

# Hostile page numbers.
for p in 0 -1 +2 abc 1x "" 99999999999999999999 1000000001 " 2"; do
	out=$($STSCTL report html --page "$p" 2>&1)
	is "$?" 1 "--page '$p': exit 1"
	like "$out" "page .*: expected a page number from 1 to 1000000000" \
	    "--page '$p': the reason"
done
out=$($STSCTL report html --page $'2\n\e[31m' 2>&1)
like "$out" 'page 2\\n\\x1b\[31m: expected a page number' \
    "--page with control characters: escaped in the message"
out=$($STSCTL report html a.test --page 2 2>&1)
is "$?" 1 "--page with a domain: exit 1"
like "$out" "\-\-page is for the overview" "--page with a domain: the reason"
out=$($STSCTL report summary a.test --page 2 2>&1)
like "$out" "\-\-page, \-\-after and \-\-before are for html" "--page with summary: refused"

# A domain added between a.test and b.test: the order is the names'.
quiet $STSCTL domain add aa.test --mx mx.aa.test
$STSCTL report html --page 2 >"$t/q2.html"
is "$(rows "$t/q2.html")" "b.test c.test " "a domain added moves the later ones on"

# The cursor: the page after a name, read from there.
$STSCTL report html --page 3 --after b.test >"$t/a3.html"
is "$?" 0 "--page 3 --after b.test: exit 0"
is "$(rows "$t/a3.html")" "c.test d.test " "--after b.test: the two names after it"
like "$(cat "$t/a3.html")" 'page 3 \(domains 5 to 6\)' "--after: the page number given"
$STSCTL report html --page 3 --after B.TEST >"$t/a3u.html"
is "$(rows "$t/a3u.html")" "c.test d.test " "--after B.TEST: in any case"
$STSCTL report html --page 2 --after bb.test >"$t/a2.html"
is "$(rows "$t/a2.html")" "c.test d.test " "a cursor that is no domain: the names after it"
$STSCTL report html --page 3 --after d.test >"$t/a4.html"
is "$(rows "$t/a4.html")" "e.test " "--after d.test: the last domain"
unlike "$(cat "$t/a4.html")" 'rel="next"' "the last page after a cursor has no next page"
out=$($STSCTL report html --page 4 --after e.test 2>&1)
is "$?" 1 "--after the last domain: exit 1"
like "$out" "page 4 is past the last page \(no domain after e.test\)" \
    "--after the last domain: the reason"
# The cursor back: the page before a name, read backwards from it.
$STSCTL report html --page 2 --before d.test >"$t/b2.html"
is "$?" 0 "--page 2 --before d.test: exit 0"
is "$(rows "$t/b2.html")" "b.test c.test " "--before d.test: the two names before it"
like "$(cat "$t/b2.html")" 'page 2 \(domains 3 to 4\)' "--before: the page number given"
like "$(cat "$t/b2.html")" 'rel="next" href="report-3.html"' "--before: a page follows"
$STSCTL report html --page 1 --before B.TEST >"$t/b1.html"
is "$(rows "$t/b1.html")" "a.test aa.test " "--before B.TEST: in any case, the names before it"
out=$($STSCTL report html --page 1 --before a.test 2>&1)
is "$?" 1 "--before the first domain: exit 1"
like "$out" "page 1 is before the first page \(no domain before a.test\)" \
    "--before the first domain: the reason"
out=$($STSCTL report html --before b.test 2>&1)
is "$?" 1 "--before without --page: exit 1"
like "$out" "\-\-before needs \-\-page" "--before without --page: the reason"
out=$($STSCTL report html --page 2 --after a.test --before d.test 2>&1)
is "$?" 1 "--after and --before: exit 1"
like "$out" "\-\-after and \-\-before: one cursor at most" "--after and --before: the reason"
out=$($STSCTL report html --page 2 --before $'b.test\n\e[31m' 2>&1)
is "$?" 1 "--before with control characters: exit 1"
like "$out" 'before b.test\\n\\x1b\[31m: expected the domain name that starts the page after' \
    "--before with control characters: escaped in the message"
out=$($STSCTL report html --after b.test 2>&1)
is "$?" 1 "--after without --page: exit 1"
like "$out" "\-\-after needs \-\-page" "--after without --page: the reason"
out=$($STSCTL report html --page 2 --after $'b.test\n\e[31m' 2>&1)
is "$?" 1 "--after with control characters: exit 1"
like "$out" 'after b.test\\n\\x1b\[31m: expected the domain name that ends the page before' \
    "--after with control characters: escaped in the message"
long=$(head -c 10000 /dev/zero | tr '\0' a)
out=$($STSCTL report html --page 2 --after "$long" 2>&1)
is "$?" 1 "--after of 10,000 bytes: exit 1"
like "$out" "after: 10000 bytes, expected the domain name that ends the page before \(at most 253\)" \
    "--after of 10,000 bytes: the reason, without the bytes"
is "$(printf '%s' "$out" | wc -c)" "$(printf '%s' "$out" | head -c 200 | wc -c)" \
    "--after of 10,000 bytes: a short message"
for a in "" "-x" "a..b" "b.test." "*.test" "b_c.test"; do
	out=$($STSCTL report html --page 2 --after "$a" 2>&1)
	is "$?" 1 "--after '$a': exit 1"
	like "$out" "after .*expected the domain name" "--after '$a': the reason"
done

# policyd's domain-list itself refuses such a cursor (any client).
QDIR=$(sed -n 's/^queue_directory *= *//p' "$I/etc/main.cf")
# ask AFTER: policyd's reply to domain-list after AFTER (JSON, one line)
ask() {
	unix_call "$QDIR/public/policyd" \
	    "$(jq -cn --arg a "$1" '{op: "domain-list", after: $a}')" |
	python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print(json.dumps({"ok": r.get("ok"), "error": r.get("error"),
    "first": (r.get("domains") or [{}])[0].get("domain")}, sort_keys=True))'
}
like "$(ask b.test)" '"first": "c.test", "ok": true' "policyd: domain-list after b.test"
like "$(ask $'b.test\n\e[31m')" '"error": "after: not a domain name", "first": null, "ok": false' \
    "policyd: a cursor with control characters is refused"
like "$(ask "$(head -c 10000 /dev/zero | tr '\0' a)")" '"error": "after: not a domain name"' \
    "policyd: a cursor of 10,000 bytes is refused"
like "$(ask 'a..b')" '"error": "after: not a domain name"' "policyd: an empty label is refused"
# back BEFORE: policyd's reply to domain-list before BEFORE
back() {
	unix_call "$QDIR/public/policyd" \
	    "$(jq -cn --arg b "$1" '{op: "domain-list", before: $b}')" |
	python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print(json.dumps({"ok": r.get("ok"), "error": r.get("error"),
    "names": " ".join(d["domain"] for d in r.get("domains") or []),
    "prev": r.get("prev")}, sort_keys=True))'
}
like "$(back d.test)" '"names": "a.test aa.test b.test c.test", "ok": true, "prev": null' \
    "policyd: domain-list before d.test, in name order, none before them"
like "$(back a.test)" '"names": "", "ok": true' "policyd: nothing before the first name"
like "$(back $'b.test\n\e[31m')" '"error": "before: not a domain name", "names": "", "ok": false' \
    "policyd: a cursor back with control characters is refused"
like "$(back "$(head -c 10000 /dev/zero | tr '\0' a)")" '"error": "before: not a domain name"' \
    "policyd: a cursor back of 10,000 bytes is refused"
like "$(unix_call "$QDIR/public/policyd" '{"op":"domain-list","after":"a.test","before":"d.test"}')" \
    '"error": *"after and before: one cursor at most"' "policyd: both cursors are refused"

# The metrics listener.
ok "metrics listener answers" wait_until 10 quiet curl -sf "$M/metrics"
get() { curl -s -o "$t/m.html" -w '%{http_code}' --max-time 30 "$M$1"; }
is "$(get /)" 200 "/: 200"
is "$(rows "$t/m.html")" "a.test aa.test " "/: page 1"
like "$(cat "$t/m.html")" 'rel="next" href="/\?page=2&amp;after=aa.test"' \
    "/: links to /?page=2 after its last domain"
like "$(cat "$t/m.html")" "href=\"/domain/aa.test\"" "/: rows link to the domain pages"
is "$(get "/?page=3")" 200 "/?page=3: 200"
is "$(rows "$t/m.html")" "d.test e.test " "/?page=3: its domains"
like "$(cat "$t/m.html")" 'rel="prev" href="/\?page=2&amp;before=d.test"' \
    "/?page=3 links back with its first name"
unlike "$(cat "$t/m.html")" 'rel="next"' "/?page=3 is the last"
is "$(get "/?x=1&page=2")" 200 "other query parameters are ignored"
is "$(rows "$t/m.html")" "b.test c.test " "/?x=1&page=2: page 2"
is "$(get "/?page=4")" 404 "/?page=4 past the last: 404"
like "$(cat "$t/m.html")" "past the last page \(6 domains, 2 per page\)" \
    "/?page=4: the reason"
for p in 0 -3 abc 99999999999999999999 %0a ""; do
	is "$(get "/?page=$p")" 400 "/?page=$p: 400"
	like "$(cat "$t/m.html")" "expected a page number from 1 to 1000000000" \
	    "/?page=$p: the reason"
done
# The cursor on the listener: the next link carries it and works.
get "/?page=2" >/dev/null
like "$(cat "$t/m.html")" 'rel="next" href="/\?page=3&amp;after=c.test"' \
    "/?page=2 links on with the last name of the page"
is "$(get "/?page=3&after=c.test")" 200 "/?page=3&after=c.test: 200"
is "$(rows "$t/m.html")" "d.test e.test " "/?page=3&after=c.test: the names after c.test"
is "$(get "/?after=b.test&page=2")" 200 "after= before page=: 200"
is "$(rows "$t/m.html")" "c.test d.test " "after= before page=: the names after it"
is "$(get "/?page=9&after=e.test")" 404 "after the last domain: 404"
like "$(cat "$t/m.html")" "past the last page \(no domain after e.test\)" \
    "after the last domain: the reason"
for a in %0a%1b "b.test%00" "" "a..b" "%2e" "<b>"; do
	is "$(get "/?page=2&after=$a")" 400 "/?page=2&after=$a: 400"
	like "$(cat "$t/m.html")" "expected the domain name that ends the page before" \
	    "/?page=2&after=$a: the reason"
done
long=$(head -c 1000 /dev/zero | tr '\0' a)
is "$(get "/?page=2&after=$long")" 400 "a cursor of 1,000 bytes: 400"
like "$(cat "$t/m.html")" "after: 1000 bytes" "a cursor of 1,000 bytes: the reason"
# The cursor back: the previous page's link carries the first name.
get "/?page=3&after=c.test" >/dev/null
like "$(cat "$t/m.html")" 'rel="prev" href="/\?page=2&amp;before=d.test"' \
    "a page after a cursor links back with its first name"
is "$(get "/?page=2&before=d.test")" 200 "/?page=2&before=d.test: 200"
is "$(rows "$t/m.html")" "b.test c.test " "/?page=2&before=d.test: the two names before d.test"
like "$(cat "$t/m.html")" 'page 2 \(domains 3 to 4\)' "before=: the page number given"
like "$(cat "$t/m.html")" 'rel="prev" href="/\?page=1"' "page 2 links back to page 1, without a cursor"
like "$(cat "$t/m.html")" 'rel="next" href="/\?page=3&amp;after=c.test"' "before=: the next link as ever"
is "$(get "/?page=2&before=D.TEST")" 200 "before=D.TEST: 200"
is "$(rows "$t/m.html")" "b.test c.test " "before=D.TEST: in any case"
is "$(get "/?page=2&before=bb.test")" 200 "a cursor back that is no domain: 200"
is "$(rows "$t/m.html")" "aa.test b.test " "a cursor back that is no domain: the names before it"
is "$(get "/?page=1&before=aa.test")" 200 "before the second domain: 200"
is "$(rows "$t/m.html")" "a.test " "before the second domain: the first alone"
is "$(get "/?page=1&before=a.test")" 404 "before the first domain: 404"
like "$(cat "$t/m.html")" "page 1 is before the first page \(no domain before a.test\)" \
    "before the first domain: the reason"
is "$(get "/?page=2&after=a.test&before=d.test")" 400 "after= and before=: 400"
like "$(cat "$t/m.html")" "after and before: one cursor at most" "after= and before=: the reason"
for a in %0a%1b "b.test%00" "" "a..b" "<b>"; do
	is "$(get "/?page=2&before=$a")" 400 "/?page=2&before=$a: 400"
	like "$(cat "$t/m.html")" "expected the domain name that starts the page after" \
	    "/?page=2&before=$a: the reason"
done
is "$(get "/?page=2&before=$long")" 400 "a cursor back of 1,000 bytes: 400"
like "$(cat "$t/m.html")" "before: 1000 bytes" "a cursor back of 1,000 bytes: the reason"
is "$(get /domain/c.test)" 200 "a domain's page: 200"
is "$(get /domain/nosuch.test)" 404 "an unknown domain's page: 404"
ok "the metrics worker still runs" quiet curl -sf "$M/metrics"
done_testing
