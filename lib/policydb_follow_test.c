/*
 * policydb_follow_test - policy.db shared by several policyd processes
 * (lib/policydb_follow.c), on the engine of the run (tests/run: SQLite,
 * then the PostgreSQL database of STSD_TEST_PGCONNINFO).  On PostgreSQL:
 * the domains a transaction changed are announced at its commit, in
 * payloads under 8000 bytes, never after a rollback, "*" past
 * POLICYDB_CHANGED_MAX; policydb_domain_named() reads them back; a
 * second process that gives a name an id waits for the first one's
 * lock and makes a greater id although its clock is an hour behind.  On
 * SQLite nothing is announced.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "policy.h"
#include "policydb.h"
#include "sqldb.h"
#include "unit.h"
#include "unit_policydb.h"

#define TEST_WAIT_MS	5000	/* for a notification that must come */
#define TEST_QUIET_MS	300	/* for one that must not */
#define TEST_HOLD_MS	400	/* the first process holds the lock */
#define TEST_LONG	600	/* names of 60 bytes: several payloads */

static char *test_mx[] = { "mx1.example.com", "mx2.example.com", NULL };

/* What the listener heard: payloads, and the pid of their sender. */
struct heard {
	char	**v;
	size_t	 n;
	int	 pid;
};

static void
heard_one(const char *channel, const char *payload, int pid, void *arg)
{
	struct heard *h = arg;

	if (strcmp(channel, POLICYDB_CHANNEL) != 0)
		return;
	h->v = xreallocarray(h->v, h->n + 1, sizeof(*h->v));
	h->v[h->n++] = xstrdup(payload);
	h->pid = pid;
}

static void
heard_clear(struct heard *h)
{
	xfreev(h->v, h->n);
	memset(h, 0, sizeof(*h));
}

/* Everything that comes within wait_ms of the last arrival. */
static void
hear(struct sqldb_listener *l, struct heard *h, int wait_ms)
{
	struct pollfd p = { sqldb_listener_fd(l), POLLIN, 0 };
	struct buf err = BUF_INIT;

	heard_clear(h);
	while (poll(&p, 1, h->n > 0 ? TEST_QUIET_MS : wait_ms) == 1)
		if (sqldb_listener_read(l, heard_one, h, &err) < 0) {
			CHECK(0, "listener: %s", err.s);
			break;
		}
	buf_free(&err);
}

static int
add(struct policydb *pdb, const char *name, struct buf *err)
{
	return unit_policydb_add(pdb, name, test_mx, err);
}

static void
test_parse(void)
{
	char **v;
	size_t n;

	CHECK(policydb_changes_parse("a.example  b.example", &v, &n) == 0 &&
	    n == 2 && strcmp(v[0], "a.example") == 0 &&
	    strcmp(v[1], "b.example") == 0, "a payload of two names");
	xfreev(v, n);
	CHECK(policydb_changes_parse("*", &v, &n) == 1 && n == 0 && v == NULL,
	    "\"*\": every domain");
	CHECK(policydb_changes_parse("", &v, &n) == 0 && n == 0,
	    "an empty payload: none");
	xfreev(v, n);
}

static void
test_announce(struct policydb *pdb, struct sqldb_listener *l)
{
	struct buf err = BUF_INIT;
	struct heard h = { NULL, 0, 0 };
	struct domain *v;
	size_t n, i, total = 0;
	char name[80], **names;
	int ok = 1, rc;

	CHECK(policydb_begin(pdb, &err) == 0 && add(pdb, "a.example", &err) == 0 &&
	    add(pdb, "b.example", &err) == 0, "two domains added");
	hear(l, &h, TEST_QUIET_MS);
	CHECK(h.n == 0, "nothing is announced before the commit");
	CHECK(policydb_commit(pdb, &err) == 0, "commit (%s)", err.s ? err.s : "");
	hear(l, &h, TEST_WAIT_MS);
	CHECK(h.n == 1 && strcmp(h.v[0], "a.example b.example") == 0 &&
	    h.pid == policydb_backend_pid(pdb) && h.pid > 0,
	    "the commit announces both, in one payload, from this"
	    " connection: \"%s\"", h.n ? h.v[0] : "");

	CHECK(policydb_begin(pdb, &err) == 0 && add(pdb, "c.example", &err) == 0,
	    "another");
	policydb_rollback(pdb);
	hear(l, &h, TEST_QUIET_MS);
	CHECK(h.n == 0, "a rollback announces nothing");

	CHECK(policydb_begin(pdb, &err) == 0 &&
	    policydb_domain_delete(pdb, "b.example", &err) == 0 &&
	    policydb_commit(pdb, &err) == 0, "a deletion");
	hear(l, &h, TEST_WAIT_MS);
	CHECK(h.n == 1 && strcmp(h.v[0], "b.example") == 0,
	    "is announced too: \"%s\"", h.n ? h.v[0] : "");

	CHECK(policydb_begin(pdb, &err) == 0, "begin");
	for (i = 0; i < TEST_LONG && ok; i++) {
		snprintf(name, sizeof(name), "%04zu-%s.example", i,
		    "long-label-long-label-long-label-long-label-long");
		ok = add(pdb, name, &err) == 0;
	}
	CHECK(ok && policydb_commit(pdb, &err) == 0, "%d domains of long"
	    " names", TEST_LONG);
	hear(l, &h, TEST_WAIT_MS);
	for (i = 0; i < h.n; i++) {
		if (strlen(h.v[i]) > SQLDB_NOTIFY_MAX)
			ok = 0;
		policydb_changes_parse(h.v[i], &names, &n);
		total += n;
		xfreev(names, n);
	}
	CHECK(ok && h.n >= 4 && total == TEST_LONG, "announced in %zu payloads"
	    " of at most %d bytes, %zu names", h.n, SQLDB_NOTIFY_MAX, total);
	rc = h.n > 0 ? policydb_domain_named(pdb, h.v[0], &v, &n, &err) : -1;
	policydb_changes_parse(h.n > 0 ? h.v[0] : "", &names, &total);
	xfreev(names, total);
	CHECK(rc == 0 && n == total && total > 100 &&
	    strncmp(v[0].name, "0000-", 5) == 0 && v[0].nmx == 2 &&
	    strcmp(v[n - 1].mx[1], "mx2.example.com") == 0,
	    "policydb_domain_named() reads the %zu domains of a payload"
	    " back, with their mx (%zu)", total, rc == 0 ? n : 0);
	if (rc == 0)
		policydb_domains_free(v, n);

	CHECK(policydb_begin(pdb, &err) == 0, "begin");
	for (i = 0; i <= POLICYDB_CHANGED_MAX && ok; i++) {
		snprintf(name, sizeof(name), "many%zu.example", i);
		ok = add(pdb, name, &err) == 0;
	}
	CHECK(ok && policydb_commit(pdb, &err) == 0, "%d domains in one"
	    " transaction", POLICYDB_CHANGED_MAX + 1);
	hear(l, &h, TEST_WAIT_MS);
	CHECK(h.n == 1 && strcmp(h.v[0], POLICYDB_CHANGED_ALL) == 0,
	    "are announced as one \"%s\" (%zu)", POLICYDB_CHANGED_ALL, h.n);

	CHECK(policydb_domain_named(pdb, "a.example nothere.example", &v, &n,
	    &err) == 0 && n == 1 && strcmp(v[0].name, "a.example") == 0,
	    "a name that is not there is not read");
	policydb_domains_free(v, n);
	heard_clear(&h);
	buf_free(&err);
}

static long long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000LL +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Another policyd (a child with its own connection, its clock an hour
 * behind) gives the name an id while this one holds the name's lock.
 * It writes to the pipe: the ms it waited, the last id it read, and
 * the id it made.
 */
static void
test_lock_child(int fd)
{
	struct buf err = BUF_INIT;
	struct policydb *pdb = unit_policydb_open(NULL, &err);
	char id[POLICY_ID_MAX + 1], *last = NULL;
	struct timespec t0;
	long long until;
	FILE *out = fdopen(fd, "w");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pdb == NULL || policydb_begin(pdb, &err) < 0 ||
	    policydb_name_lock(pdb, "lock.example", &last, &until, &err) < 0) {
		fprintf(out, "error %s\n", err.s);
		_exit(1);
	}
	policy_id_at(id, last, time(NULL) - 3600);
	if (policydb_name_put(pdb, "lock.example", id, 0, &err) < 0 ||
	    policydb_commit(pdb, &err) < 0) {
		fprintf(out, "error %s\n", err.s);
		_exit(1);
	}
	fprintf(out, "%lld %s %s\n", ms_since(&t0), last ? last : "-", id);
	fclose(out);
	policydb_close(pdb);
	free(last);
	buf_free(&err);
	_exit(0);
}

static void
test_lock(struct policydb *pdb)
{
	struct buf err = BUF_INIT;
	char id[POLICY_ID_MAX + 1], *last = NULL, line[256];
	char got_last[64] = "", got_id[64] = "";
	long long until, waited = -1;
	int p[2], status;
	FILE *in;
	pid_t pid;

	CHECK(policydb_begin(pdb, &err) == 0 &&
	    policydb_name_lock(pdb, "lock.example", &last, &until, &err) == 0 &&
	    last == NULL, "a new name: locked, no id yet");
	policy_id_at(id, NULL, time(NULL));
	if (pipe(p) < 0 || (pid = fork()) < 0) {
		CHECK(0, "pipe and fork");
		return;
	}
	if (pid == 0) {
		close(p[0]);
		test_lock_child(p[1]);
	}
	close(p[1]);
	usleep(TEST_HOLD_MS * 1000);
	CHECK(policydb_name_put(pdb, "lock.example", id, 0, &err) == 0 &&
	    policydb_commit(pdb, &err) == 0, "this process's id %s, committed"
	    " after %d ms", id, TEST_HOLD_MS);
	in = fdopen(p[0], "r");
	if (fgets(line, sizeof(line), in) != NULL)
		sscanf(line, "%lld %63s %63s", &waited, got_last, got_id);
	fclose(in);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the other"
	    " process: %s", line);
	CHECK(waited >= TEST_HOLD_MS / 2, "it waited for the lock (%lld ms)",
	    waited);
	CHECK(strcmp(got_last, id) == 0, "then read this process's id (%s)",
	    got_last);
	CHECK(strcmp(got_id, id) > 0, "and made a greater one (%s > %s),"
	    " its clock an hour behind", got_id, id);
	free(last);
	CHECK(policydb_name_get(pdb, "lock.example", &last, &until, &err) == 1 &&
	    strcmp(last, got_id) == 0, "which is the name's last id");
	free(last);
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/policydb_follow_test.XXXXXX", path[256];
	const char *conninfo = getenv("STSD_TEST_PGCONNINFO");
	struct sqldb_target t = { SQLDB_SQLITE, POLICYDB_FILE, NULL, NULL,
	    NULL };
	struct buf err = BUF_INIT;
	struct heard h = { NULL, 0, 0 };
	struct sqldb_listener *l;
	struct policydb *pdb;

	log_init("policydb_follow_test", 0);
	test_parse();
	if ((pdb = unit_policydb_tmp(dir, path, sizeof(path))) == NULL)
		return unit_status_rm(dir);
	t.path = path;
	if (conninfo != NULL) {
		t.engine = SQLDB_POSTGRESQL;
		t.conninfo = conninfo;
	}
	l = sqldb_listen(&t, POLICYDB_CHANNEL, &err);
	CHECK(l != NULL, "a listener (%s)", err.s ? err.s : "");
	if (conninfo == NULL) {
		CHECK(l != NULL && sqldb_listener_fd(l) == -1 &&
		    policydb_backend_pid(pdb) == 0, "sqlite: nothing to hear");
		CHECK(policydb_begin(pdb, &err) == 0 &&
		    add(pdb, "a.example", &err) == 0 &&
		    policydb_commit(pdb, &err) == 0 && l != NULL &&
		    sqldb_listener_read(l, heard_one, &h, &err) == 0 && h.n == 0,
		    "sqlite: a change is committed, nothing announced");
	} else if (l != NULL) {
		test_announce(pdb, l);
		test_lock(pdb);
	}
	sqldb_listener_close(l);
	policydb_close(pdb);
	buf_free(&err);
	return unit_status_rm(dir);
}
