/*
 * fetchdb_test - lib/fetchlog's datagrams (encoded, parsed, refused) and
 * lib/fetchdb's store: rows kept per domain, pruned by age, listed newest
 * first, and the one-line explanation of what httpd saw from an address;
 * the store on both engines of lib/sqldb (with STSD_TEST_PGCONNINFO, a
 * PostgreSQL database of its own: tests/run).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fetchdb.h"
#include "fetchlog.h"
#include "mymalloc.h"
#include "sqldb.h"
#include "unit.h"

static void
rec_set(struct fetchrec *r, int64_t t, const char *addr, const char *sni,
    int status, const char *failure)
{
	memset(r, 0, sizeof(*r));
	r->time = t;
	r->duration_ms = 7;
	snprintf(r->addr, sizeof(r->addr), "%s", addr);
	snprintf(r->sni, sizeof(r->sni), "%s", sni);
	snprintf(r->host, sizeof(r->host), "%s", status ? sni : "");
	snprintf(r->path, sizeof(r->path), "%s",
	    status ? "/.well-known/mta-sts.txt" : "");
	r->status = status;
	r->hosted = strstr(sni, "example.com") != NULL;
	snprintf(r->failure, sizeof(r->failure), "%s", failure);
	snprintf(r->tls, sizeof(r->tls), "%s", status ? "TLSv1.3" : "");
}

struct got {
	struct fetchrec r[8];
	int	 n;
};

static void
got_one(const struct fetchrec *r, void *arg)
{
	struct got *g = arg;

	if (g->n < 8)
		g->r[g->n] = *r;
	g->n++;
}

static void
test_wire(void)
{
	struct buf d = BUF_INIT, err = BUF_INIT;
	struct fetchrec r;
	struct got g = { .n = 0 };
	int refused;

	rec_set(&r, 1765000000, "127.0.0.2", "mta-sts.a\n\x1b[31mb", 0,
	    FETCHLOG_FAIL_UNKNOWN_SNI);
	snprintf(r.path, sizeof(r.path), "-");
	buf_puts(&d, FETCHLOG_MAGIC "\n");
	fetchlog_encode(&d, &r);
	CHECK(memchr(d.s + sizeof(FETCHLOG_MAGIC), '\x1b',
	    d.len - sizeof(FETCHLOG_MAGIC)) == NULL,
	    "control characters are escaped on the wire");
	buf_puts(&d, "1765000000 1 127.0.0.300 200 1 - - - - -\n");
	buf_puts(&d, "1765000000 99999999999 127.0.0.1 200 1 - - - - -\n");
	buf_puts(&d, "1765000000 1 ::ffff:10.0.0.1 200 1 - - a b c\n");
	buf_puts(&d, "1765000000 1 10.0.0.1 0 1 - - a b c\n");
	buf_puts(&d, "1765000000 1 10.0.0.1 200 1 a\\x20b - a b c\n");
	CHECK(fetchlog_parse(d.s, d.len, got_one, &g, &refused, &err) == 2 &&
	    refused == 4,
	    "two records of six are valid");
	CHECK(g.n == 2 && memcmp(&g.r[0], &r, sizeof(r)) == 0,
	    "a record comes back as it was sent");
	CHECK(g.n == 2 && STR_EQ(g.r[1].addr, "10.0.0.1"),
	    "a v4-mapped address is stored as IPv4 (%s)", g.r[1].addr);
	CHECK(STR_EQ(err.s, "record 2: bad address"), "the first bad record "
	    "is named: %s", err.s);
	buf_reset(&err);
	CHECK(fetchlog_parse("stsd-fetchlog 2\n", 16, got_one, &g, &refused,
	    &err) == -1 &&
	    STR_EQ(err.s, "not a fetch record datagram"), "a wrong version is "
	    "refused: %s", err.s);
	buf_free(&d);
	buf_free(&err);
}

struct listed {
	int	 n;
	int64_t	 last;
	int	 sorted;
	char	 first_failure[64];
};

static void
list_one(const struct fetchdb_row *row, void *arg)
{
	struct listed *l = arg;

	if (l->n == 0)
		snprintf(l->first_failure, sizeof(l->first_failure), "%s",
		    row->rec.failure);
	else if (row->rec.time > l->last)
		l->sorted = 0;
	l->last = row->rec.time;
	l->n++;
}

/* The engine of the run: PostgreSQL when STSD_TEST_PGCONNINFO is set. */
static void
test_target(struct sqldb_target *t, const char *path)
{
	t->conninfo = getenv("STSD_TEST_PGCONNINFO");
	t->engine = t->conninfo != NULL ? SQLDB_POSTGRESQL : SQLDB_SQLITE;
	t->name = FETCHDB_FILE;
	t->path = path;
	t->password = NULL;
}

static void
test_store(const char *dir)
{
	struct sqldb_target t;
	struct buf err = BUF_INIT, line = BUF_INIT;
	struct fetchrec recs[40];
	struct fetchdb *w, *r;
	struct listed l;
	char *path = xasprintf("%s/%s", dir, FETCHDB_FILE);
	size_t i;
	long long n;

	test_target(&t, path);
	w = fetchdb_connect_write(&t, NULL, &err);
	CHECK(w != NULL, "open for writing: %s", err.s);
	if (w == NULL)
		return;
	rec_set(&recs[0], 1000, "127.0.0.2", "mta-sts.unknown.org", 0,
	    FETCHLOG_FAIL_UNKNOWN_SNI);
	rec_set(&recs[1], 1001, "127.0.0.2", "mta-sts.unknown.org", 0,
	    FETCHLOG_FAIL_UNKNOWN_SNI);
	rec_set(&recs[2], 1002, "127.0.0.2", "mta-sts.example.com", 0,
	    FETCHLOG_FAIL_NO_CERT);
	rec_set(&recs[3], 1003, "127.0.0.3", "mta-sts.example.com", 404, "");
	n = fetchdb_store(w, recs, 4, 100, &err);
	CHECK(n == 0, "store 4: %s", err.s ? err.s : "");

	r = fetchdb_connect(&t, &err);
	CHECK(r != NULL, "open for reading: %s", err.s);
	CHECK(fetchdb_explain(r, "127.0.0.2", 900, 2000, &line, &err) == 0 &&
	    STR_EQ(line.s, "the TLS handshake failed: unknown-sni (2 times, SNI "
	    "mta-sts.unknown.org); the TLS handshake failed: no-certificate "
	    "(1 time, SNI mta-sts.example.com)"), "explain: %s", line.s);
	buf_reset(&line);
	CHECK(fetchdb_explain(r, "127.0.0.2", 1001, 1001, &line, &err) == 0 &&
	    STR_EQ(line.s, "the TLS handshake failed: unknown-sni (1 time, SNI "
	    "mta-sts.unknown.org)"), "explain bounded by the date range: %s",
	    line.s);
	buf_reset(&line);
	CHECK(fetchdb_explain(r, "127.0.0.9", 900, 2000, &line, &err) == 0 &&
	    STR_EQ(line.s, "no fetch arrived from 127.0.0.9"), "explain: %s",
	    line.s);
	buf_reset(&line);
	CHECK(fetchdb_explain(r, "127.0.0.3", 900, 2000, &line, &err) == 0 &&
	    STR_EQ(line.s, "answered with HTTP 404 (1 time, SNI "
	    "mta-sts.example.com)"), "explain: %s", line.s);

	buf_reset(&line);
	CHECK(fetchdb_failure_line(r, "certificate-expired", "127.0.0.2", 900,
	    2000, &line) == 0 && line.len == 0, "no line for another type");
	CHECK(fetchdb_failure_line(r, "sts-webpki-invalid", NULL, 900, 2000,
	    &line) == 1 && strstr(line.s, "gives no sending-mta-ip") != NULL,
	    "no sending-mta-ip: %s", line.s);
	buf_reset(&line);
	CHECK(fetchdb_failure_line(r, "sts-policy-fetch-error", "1.2.3\n4",
	    900, 2000, &line) == 1 && STR_EQ(line.s, "the sending-mta-ip is "
	    "not an IP address: 1.2.3\\n4"), "a bad address: %s", line.s);
	buf_reset(&line);
	CHECK(fetchdb_failure_line(r, "sts-policy-fetch-error",
	    "::ffff:127.0.0.3", 900, 2000, &line) == 1 && STR_EQ(line.s,
	    "answered with HTTP 404 (1 time, SNI mta-sts.example.com)"),
	    "a v4-mapped sending-mta-ip: %s", line.s);
	buf_reset(&line);
	CHECK(fetchdb_failure_line(r, "sts-policy-fetch-error", "127.0.0.2",
	    1, 500, &line) == 1 && STR_EQ(line.s, "no fetch arrived from "
	    "127.0.0.2 (no records kept from that time: fetch_log_days)"),
	    "a range before the oldest record: %s", line.s);
	buf_reset(&line);
	CHECK(fetchdb_failure_line(NULL, "sts-policy-fetch-error", "127.0.0.2",
	    1, 500, &line) == 1 && strstr(line.s, "no fetches.db") != NULL,
	    "without fetches.db: %s", line.s);

	memset(&l, 0, sizeof(l));
	l.sorted = 1;
	CHECK(fetchdb_list(r, "example.com", 0, 10, list_one, &l, &err) == 0 &&
	    l.n == 2 && l.sorted && STR_EQ(l.first_failure, ""),
	    "list example.com: %d rows, newest first", l.n);
	memset(&l, 0, sizeof(l));
	CHECK(fetchdb_list(r, "unknown.org", 0, 10, list_one, &l, &err) == 0 &&
	    l.n == 2, "list an unknown SNI's domain: %d rows", l.n);
	memset(&l, 0, sizeof(l));
	CHECK(fetchdb_list(r, "unknown.org", 1001, 10, list_one, &l, &err) == 0
	    && l.n == 1, "list --since: %d rows", l.n);

	/* A flood of unknown names fills their shared room, no other. */
	for (i = 0; i < 40; i++)
		rec_set(&recs[i], 2000 + (int64_t)i, "192.0.2.1",
		    "mta-sts.flood.test", 0, FETCHLOG_FAIL_UNKNOWN_SNI);
	n = fetchdb_store(w, recs, 40, 10, &err);
	/* 30 of the flood and the 2 of unknown.org: one room for them all. */
	CHECK(n == 32, "the oldest unknown-SNI rows over the cap go: %lld", n);
	memset(&l, 0, sizeof(l));
	fetchdb_list(r, "flood.test", 0, 100, list_one, &l, &err);
	CHECK(l.n == 10 && l.last == 2030, "10 newest kept: %d, oldest %lld",
	    l.n, (long long)l.last);
	memset(&l, 0, sizeof(l));
	fetchdb_list(r, "example.com", 0, 100, list_one, &l, &err);
	CHECK(l.n == 2, "a hosted domain keeps its rows: %d", l.n);

	n = fetchdb_prune(w, 1003, &err);
	CHECK(n == 1, "prune before 1003: %lld %s", n, err.s);
	memset(&l, 0, sizeof(l));
	fetchdb_list(r, "example.com", 0, 100, list_one, &l, &err);
	CHECK(l.n == 1, "pruned by age: %d left", l.n);
	fetchdb_close(r);
	fetchdb_close(w);
	unlink(path);
	free(path);
	buf_free(&err);
	buf_free(&line);
}

int
main(void)
{
	char dir[] = "/tmp/fetchdb_test.XXXXXX";
	char *cmd;

	test_wire();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_store(dir);
	cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	return unit_status();
}
