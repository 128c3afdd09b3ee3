/*
 * spool_test - unit tests of lib/spool: ids and their order, the size
 * limit, abort, claim/done/defer/corrupt/requeue/delete with reason
 * files, bad ids, the removal of stale temporary files, and group
 * commit (spool_commit_batch).
 * SPDX-License-Identifier: ISC
 *
 * Works in a fresh directory under /tmp and removes it at the end.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "spool.h"
#include "unit.h"

#define NMSG	5

static char top[] = "/tmp/spool_test.XXXXXX";

/* path - TOP/rel, in a static buffer (one at a time) */
static const char *path(const char *, ...)
	    __attribute__((format(printf, 1, 2)));

static const char *
path(const char *fmt, ...)
{
	static char p[512];
	char rel[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	return p;
}

static int
exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

/* entries - number of names in TOP/q/dir other than . and .. */
static int
entries(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(path("q/%s", dir))) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
make_queue(const char *name, int with_deferred)
{
	static const char *const dirs[] = { "incoming", "active", "deferred",
	    "corrupt" };
	size_t i;

	mkdir(path("%s", name), 0700);
	for (i = 0; i < 4; i++)
		if (with_deferred || strcmp(dirs[i], "deferred") != 0)
			mkdir(path("%s/%s", name, dirs[i]), 0700);
}

static void
touch(const char *p, time_t mtime)
{
	struct timeval tv[2];
	int fd;

	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0)
		close(fd);
	if (mtime != 0) {
		tv[0].tv_sec = tv[1].tv_sec = mtime;
		tv[0].tv_usec = tv[1].tv_usec = 0;
		utimes(p, tv);
	}
}

struct collect {
	char	 ids[NMSG * 2][SPOOL_ID_SIZE];
	int	 n;
	int	 stop_after;
};

static int
collect(const char *id, void *ctx)
{
	struct collect *c = ctx;

	if (c->n < NMSG * 2)
		snprintf(c->ids[c->n], SPOOL_ID_SIZE, "%s", id);
	c->n++;
	return c->stop_after != 0 && c->n >= c->stop_after;
}

/* put - commit one message with the given content; its id into id */
static int
put(struct spool *sp, const char *content, char *id)
{
	struct spool_msg *msg;
	struct buf err = BUF_INIT;
	int ret = -1;

	if (spool_create(sp, 1024, &msg, &err) == 0) {
		snprintf(id, SPOOL_ID_SIZE, "%s", spool_msg_id(msg));
		if (spool_write(msg, content, strlen(content), &err) == 0)
			ret = spool_commit(msg, &err);
		else
			spool_abort(msg);
	}
	if (ret != 0)
		printf("# put: %s\n", err.s);
	buf_free(&err);
	return ret;
}

static void
test_open(void)
{
	struct buf err = BUF_INIT;
	struct spool *sp;

	make_queue("nodeferred", 0);
	sp = spool_open(path("nodeferred"), 0, &err);
	CHECK(sp == NULL && err.s != NULL &&
	    strstr(err.s, "/nodeferred/deferred: queue directory is missing"),
	    "spool_open names the missing queue directory");
	buf_reset(&err);
	sp = spool_open(path("nosuch"), 0, &err);
	CHECK(sp == NULL && err.s != NULL &&
	    strstr(err.s, "/nosuch: cannot open queue directory: No such file"),
	    "spool_open names a missing base directory");
	if (access("/incoming", F_OK) != 0) {
		buf_reset(&err);
		sp = spool_open("/", 0, &err);
		CHECK(sp == NULL && err.s != NULL && strcmp(err.s, "/incoming: "
		    "queue directory is missing (\"stsd check\" creates it)")
		    == 0, "a spool at / (a chroot) names its directories /DIR");
	}
	buf_free(&err);
}

static void
test_order(struct spool *sp)
{
	struct spool_msg *msg[NMSG];
	struct collect c;
	struct buf err = BUF_INIT;
	struct stat st;
	int i, ok, order[NMSG] = { 3, 0, 4, 2, 1 };
	char ids[NMSG][SPOOL_ID_SIZE];

	ok = 1;
	for (i = 0; i < NMSG; i++) {
		if (spool_create(sp, 100, &msg[i], &err) != 0) {
			printf("# %s\n", err.s);
			ok = 0;
			break;
		}
		snprintf(ids[i], sizeof(ids[i]), "%s", spool_msg_id(msg[i]));
		ok &= spool_id_valid(ids[i]);
		ok &= i == 0 || strcmp(ids[i - 1], ids[i]) < 0;
		ok &= spool_write(msg[i], ids[i], strlen(ids[i]), &err) == 0;
	}
	CHECK(ok, "new ids are valid and increase in creation order");
	if (i < NMSG)
		return;
	CHECK(stat(path("q/incoming/%s.tmp", ids[0]), &st) == 0 &&
	    (st.st_mode & 0777) == 0600,
	    "a message being written is incoming/ID.tmp, mode 0600");
	memset(&c, 0, sizeof(c));
	CHECK(spool_scan(sp, SPOOL_INCOMING, collect, &c, &err) == 0 &&
	    c.n == 0, "temporary files are not listed");
	for (i = 0; i < NMSG; i++)
		ok &= spool_commit(msg[order[i]], &err) == 0;
	CHECK(ok, "messages commit in any order");
	memset(&c, 0, sizeof(c));
	ok = spool_scan(sp, SPOOL_INCOMING, collect, &c, &err) == NMSG &&
	    c.n == NMSG;
	for (i = 0; ok && i < NMSG; i++)
		ok &= strcmp(c.ids[i], ids[i]) == 0;
	CHECK(ok, "spool_scan lists incoming/ in id order, not commit order");
	CHECK(entries("incoming") == NMSG && !exists(path("q/incoming/%s.tmp",
	    ids[0])), "committed messages keep no temporary file");
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	CHECK(spool_scan(sp, SPOOL_INCOMING, collect, &c, &err) == 2 &&
	    c.n == 2, "a callback that returns non-zero stops the scan");
	for (i = 0; i < NMSG; i++)
		unlink(path("q/incoming/%s", ids[i]));
	buf_free(&err);
}

static void
test_content(struct spool *sp)
{
	static const char part1[] = "From: a\r\n\r\n\0binary\xff";
	static const char part2[] = "second part\n";
	struct spool_msg *msg;
	struct buf err = BUF_INIT, data = BUF_INIT;
	char id[SPOOL_ID_SIZE], want[128];
	int ok;

	ok = spool_create(sp, 1000, &msg, &err) == 0;
	if (!ok) {
		CHECK(0, "spool_create works");
		return;
	}
	snprintf(id, sizeof(id), "%s", spool_msg_id(msg));
	ok &= spool_write(msg, part1, sizeof(part1) - 1, &err) == 0;
	ok &= spool_write(msg, "", 0, &err) == 0;
	ok &= spool_write(msg, part2, sizeof(part2) - 1, &err) == 0;
	ok &= spool_commit(msg, &err) == 0;
	CHECK(ok, "a message written in parts commits");
	ok = spool_read_msg(sp, SPOOL_INCOMING, id, 1000, &data, &err) == 0 &&
	    data.len == sizeof(part1) - 1 + sizeof(part2) - 1 &&
	    memcmp(data.s, part1, sizeof(part1) - 1) == 0 &&
	    memcmp(data.s + sizeof(part1) - 1, part2, sizeof(part2) - 1) == 0;
	CHECK(ok, "the message holds exactly the bytes written, NULs included");
	snprintf(want, sizeof(want), ": message of %zu bytes exceeds size "
	    "limit of 10 bytes", data.len);
	buf_reset(&data);
	buf_reset(&err);
	CHECK(spool_read_msg(sp, SPOOL_INCOMING, id, 10, &data, &err) == -1 &&
	    data.len == 0 && err.s != NULL &&
	    strstr(err.s, "/incoming/") && strstr(err.s, id) &&
	    strstr(err.s, want),
	    "reading a message over the reader's limit fails, naming both");
	unlink(path("q/incoming/%s", id));
	buf_free(&data);
	buf_free(&err);
}

/* A message file of size bytes in q/incoming/ under id, made directly. */
static int
make_msg(const char *id, size_t size)
{
	FILE *f = fopen(path("q/incoming/%s", id), "w");
	size_t i;

	if (f == NULL)
		return -1;
	for (i = 0; i < size; i++)
		putc('a' + (int)(i % 26), f);
	return fclose(f);
}

/*
 * spool_read_msg reads the size fstat gives in one read(): every size
 * around its edges and the chunk size comes back whole, the limit
 * holds at exactly its value, and reading leaves the atime alone
 * (O_NOATIME: no inode write per message on relatime mounts).
 */
static void
test_read_sizes(struct spool *sp)
{
	static const size_t sizes[] = { 0, 1, 2, 4095, 4096, 4097, 65535,
	    65536, 65537, 200001 };
	const char *id = "20261207050000.000001.0000000001.000001";
	struct buf err = BUF_INIT, data = BUF_INIT;
	struct timespec ts[2];
	struct stat st;
	size_t i, j;
	int ok = 1;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		buf_reset(&data);
		buf_puts(&data, "kept");
		if (make_msg(id, sizes[i]) != 0 ||
		    spool_read_msg(sp, SPOOL_INCOMING, id, sizes[i], &data,
		    &err) != 0 || data.len != 4 + sizes[i] ||
		    memcmp(data.s, "kept", 4) != 0 || data.s[data.len] != '\0') {
			ok = 0;
			printf("# size %zu: got %zu bytes: %s\n", sizes[i],
			    data.len, err.s ? err.s : "");
			continue;
		}
		for (j = 0; j < sizes[i]; j++)
			if (data.s[4 + j] != 'a' + (int)(j % 26))
				break;
		ok &= j == sizes[i];
	}
	CHECK(ok, "messages of 0 to 200,001 bytes (around 4 KiB and the "
	    "64 KiB chunk) are read whole, appended, at a limit of their size");
	buf_reset(&data);
	buf_reset(&err);
	CHECK(make_msg(id, 65537) == 0 && spool_read_msg(sp, SPOOL_INCOMING,
	    id, 65536, &data, &err) == -1 && data.len == 0 &&
	    strstr(err.s, "exceeds size limit of 65536 bytes") != NULL,
	    "a message one byte over the limit is refused");
	/* An atime before the mtime: relatime would update it on read. */
	ts[0].tv_sec = 1000000000;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = 0;
	ts[1].tv_nsec = UTIME_OMIT;
	buf_reset(&data);
	ok = make_msg(id, 100) == 0 &&
	    utimensat(AT_FDCWD, path("q/incoming/%s", id), ts, 0) == 0 &&
	    spool_read_msg(sp, SPOOL_INCOMING, id, 100, &data, &err) == 0 &&
	    stat(path("q/incoming/%s", id), &st) == 0;
	CHECK(ok && (geteuid() != st.st_uid || st.st_atime == 1000000000),
	    "reading a message leaves its atime alone (atime %lld)",
	    ok ? (long long)st.st_atime : -1LL);
	unlink(path("q/incoming/%s", id));
	buf_free(&data);
	buf_free(&err);
}

static void
test_limit(struct spool *sp)
{
	struct spool_msg *msg;
	struct buf err = BUF_INIT;
	char id[SPOOL_ID_SIZE];
	int ok;

	if (spool_create(sp, 10, &msg, &err) != 0) {
		CHECK(0, "spool_create works");
		return;
	}
	snprintf(id, sizeof(id), "%s", spool_msg_id(msg));
	ok = spool_write(msg, "123456", 6, &err) == 0 &&
	    spool_write(msg, "7890", 4, &err) == 0;
	CHECK(ok, "a message of exactly the size limit is accepted");
	CHECK(spool_write(msg, "x", 1, &err) == -1 && err.s != NULL &&
	    strstr(err.s, id) &&
	    strstr(err.s, ": message exceeds size limit of 10 bytes"),
	    "one byte over the size limit fails with the limit in the error");
	CHECK(entries("incoming") == 0,
	    "a message over the limit leaves nothing behind");
	buf_reset(&err);
	CHECK(spool_write(msg, "y", 1, &err) == -1 && err.s != NULL &&
	    strstr(err.s, "abandoned after an earlier error"),
	    "writing to an abandoned message fails");
	buf_reset(&err);
	CHECK(spool_commit(msg, &err) == -1 && err.s != NULL &&
	    strstr(err.s, "abandoned after an earlier error") &&
	    entries("incoming") == 0,
	    "committing an abandoned message fails and queues nothing");

	if (spool_create(sp, 10, &msg, &err) != 0)
		return;
	CHECK(spool_write(msg, "abc", 3, &err) == 0 &&
	    entries("incoming") == 1, "the temporary file exists while writing");
	spool_abort(msg);
	CHECK(entries("incoming") == 0, "spool_abort removes the temporary file");

	/* A commit never replaces a message that has the same name. */
	if (spool_create(sp, 10, &msg, &err) != 0)
		return;
	snprintf(id, sizeof(id), "%s", spool_msg_id(msg));
	touch(path("q/incoming/%s", id), 0);
	buf_reset(&err);
	CHECK(spool_write(msg, "abc", 3, &err) == 0 &&
	    spool_commit(msg, &err) == -1 && err.s != NULL &&
	    strstr(err.s, ": already exists") && entries("incoming") == 1,
	    "spool_commit refuses to replace an existing message");
	unlink(path("q/incoming/%s", id));
	buf_free(&err);
}

/* new_msg - a message with the given content, not committed */
static struct spool_msg *
new_msg(struct spool *sp, size_t limit, const char *content, char *id)
{
	struct spool_msg *msg;
	struct buf err = BUF_INIT;

	if (spool_create(sp, limit, &msg, &err) != 0) {
		printf("# new_msg: %s\n", err.s);
		buf_free(&err);
		return NULL;
	}
	snprintf(id, SPOOL_ID_SIZE, "%s", spool_msg_id(msg));
	(void)spool_write(msg, content, strlen(content), &err);
	buf_free(&err);
	return msg;
}

/* has - incoming/ID holds exactly content */
static int
has(struct spool *sp, const char *id, const char *content)
{
	struct buf err = BUF_INIT, data = BUF_INIT;
	int ok;

	ok = spool_read_msg(sp, SPOOL_INCOMING, id, 1024, &data, &err) == 0 &&
	    data.len == strlen(content) && memcmp(data.s, content,
	    data.len) == 0;
	buf_free(&data);
	buf_free(&err);
	return ok;
}

static void
test_batch(struct spool *sp)
{
	static const char *const text[] = { "first\n", "second\n", "third\n" };
	struct spool_msg *msgs[3];
	char ids[3][SPOOL_ID_SIZE];
	struct buf err = BUF_INIT;
	int status[3], i, ok;
	const char *nl;

	CHECK(spool_commit_batch(msgs, 0, status, &err) == 0 && err.len == 0,
	    "an empty batch commits");
	for (i = 0; i < 3; i++)
		if ((msgs[i] = new_msg(sp, 1024, text[i], ids[i])) == NULL)
			return;
	status[0] = status[1] = status[2] = 7;
	CHECK(spool_commit_batch(msgs, 3, status, &err) == 0 && err.len == 0 &&
	    status[0] == 0 && status[1] == 0 && status[2] == 0,
	    "a batch of three messages commits, each with status 0");
	CHECK(msgs[0] == NULL && msgs[1] == NULL && msgs[2] == NULL,
	    "the batch frees every handle");
	ok = entries("incoming") == 3;
	for (i = 0; i < 3; i++)
		ok &= has(sp, ids[i], text[i]);
	CHECK(ok, "every message of the batch is in incoming/ with its "
	    "content, and no temporary file is left");
	for (i = 0; i < 3; i++)
		unlink(path("q/incoming/%s", ids[i]));

	if ((msgs[0] = new_msg(sp, 1024, text[0], ids[0])) == NULL)
		return;
	CHECK(spool_commit_batch(msgs, 1, status, &err) == 0 &&
	    status[0] == 0 && has(sp, ids[0], text[0]),
	    "a batch of one message commits (fsync of the file)");
	unlink(path("q/incoming/%s", ids[0]));

	/* One message dead (over its limit), one whose name is taken, one
	 * good: only the good one is queued, each failure has its line. */
	if ((msgs[0] = new_msg(sp, 3, text[0], ids[0])) == NULL ||
	    (msgs[1] = new_msg(sp, 1024, text[1], ids[1])) == NULL ||
	    (msgs[2] = new_msg(sp, 1024, text[2], ids[2])) == NULL)
		return;
	touch(path("q/incoming/%s", ids[1]), 0);
	buf_reset(&err);
	CHECK(spool_commit_batch(msgs, 3, status, &err) == -1 &&
	    status[0] == -1 && status[1] == -1 && status[2] == 0,
	    "a batch with two bad messages fails for those two only");
	nl = err.s != NULL ? strchr(err.s, '\n') : NULL;
	CHECK(nl != NULL && strchr(nl + 1, '\n') == NULL &&
	    strstr(err.s, ids[0]) != NULL && strstr(err.s, ids[0]) < nl &&
	    strstr(err.s, "abandoned after an earlier error") < nl &&
	    strstr(nl, ids[1]) != NULL && strstr(nl, ": already exists"),
	    "err holds one line per failed message, naming it and the cause");
	CHECK(has(sp, ids[2], text[2]) && entries("incoming") == 2 &&
	    exists(path("q/incoming/%s", ids[1])),
	    "the good message is queued, the failed ones leave nothing, the "
	    "existing file is not replaced");
	unlink(path("q/incoming/%s", ids[1]));
	unlink(path("q/incoming/%s", ids[2]));
	buf_free(&err);
}

static void
test_moves(struct spool *sp)
{
	struct buf err = BUF_INIT, data = BUF_INIT, reason = BUF_INIT;
	struct collect c;
	char a[SPOOL_ID_SIZE], b[SPOOL_ID_SIZE], d[SPOOL_ID_SIZE], text[32];
	int fd;

	if (put(sp, "message a", a) != 0 || put(sp, "message b", b) != 0 ||
	    put(sp, "message d", d) != 0) {
		CHECK(0, "messages for the move tests commit");
		return;
	}
	CHECK(spool_find(sp, a) == SPOOL_INCOMING, "spool_find: incoming/");
	CHECK(spool_claim(sp, a, &err) == 0 &&
	    !exists(path("q/incoming/%s", a)) &&
	    exists(path("q/active/%s", a)) &&
	    spool_find(sp, a) == SPOOL_ACTIVE,
	    "spool_claim moves incoming/ID to active/ID");
	buf_reset(&err);
	CHECK(spool_claim(sp, a, &err) == -1 && err.s != NULL &&
	    strstr(err.s, "/incoming/") && strstr(err.s, ": no such message"),
	    "claiming a message twice fails");
	memset(&c, 0, sizeof(c));
	CHECK(spool_scan(sp, SPOOL_ACTIVE, collect, &c, &err) == 1 &&
	    strcmp(c.ids[0], a) == 0, "spool_scan lists active/");
	fd = spool_open_msg(sp, SPOOL_ACTIVE, a, 100, &err);
	CHECK(fd >= 0 && read(fd, text, sizeof(text)) == 9 &&
	    memcmp(text, "message a", 9) == 0,
	    "spool_open_msg gives a descriptor to read the message");
	if (fd >= 0)
		close(fd);
	CHECK(spool_done(sp, a, &err) == 0 && entries("active") == 0 &&
	    spool_find(sp, a) == -1, "spool_done removes active/ID");
	buf_reset(&err);
	CHECK(spool_done(sp, a, &err) == -1 && err.s != NULL &&
	    strstr(err.s, "/active/") && strstr(err.s, ": no such message"),
	    "spool_done of a message not in active/ fails");

	/* Deferred, with a reason of several lines made one. */
	buf_reset(&err);
	CHECK(spool_defer(sp, b, "database\nlocked", &err) == -1 &&
	    strstr(err.s, ": no such message") && entries("deferred") == 0,
	    "spool_defer of an unclaimed message fails and writes no reason");
	buf_reset(&err);
	CHECK(spool_claim(sp, b, &err) == 0 &&
	    spool_defer(sp, b, "database\nlocked", &err) == 0 &&
	    exists(path("q/deferred/%s", b)) &&
	    exists(path("q/deferred/%s.reason", b)) &&
	    entries("active") == 0 && spool_find(sp, b) == SPOOL_DEFERRED,
	    "spool_defer moves active/ID to deferred/ID with ID.reason");
	CHECK(spool_reason(sp, SPOOL_DEFERRED, b, &reason, &err) == 0 &&
	    strcmp(reason.s, "database locked") == 0,
	    "the reason is kept as one line");
	{
		time_t when = 0, now = time(NULL);

		CHECK(spool_reason_time(sp, SPOOL_DEFERRED, b, &when, &err) ==
		    0 && when <= now && when >= now - 60,
		    "spool_reason_time: when the message was deferred");
		CHECK(spool_reason_time(sp, SPOOL_CORRUPT, b, &when, &err) ==
		    -1 && strstr(err.s, "/corrupt/") != NULL,
		    "spool_reason_time of a message not there fails");
	}
	memset(&c, 0, sizeof(c));
	CHECK(spool_scan(sp, SPOOL_DEFERRED, collect, &c, &err) == 1 &&
	    strcmp(c.ids[0], b) == 0, "spool_scan does not list reason files");
	CHECK(spool_requeue(sp, b, &err) == 0 &&
	    exists(path("q/incoming/%s", b)) &&
	    entries("deferred") == 0,
	    "spool_requeue moves deferred/ID back and removes its reason");

	/* Corrupt. */
	CHECK(spool_claim(sp, d, &err) == 0 &&
	    spool_corrupt(sp, d, "gzip: bad header", &err) == 0 &&
	    exists(path("q/corrupt/%s", d)) &&
	    spool_find(sp, d) == SPOOL_CORRUPT,
	    "spool_corrupt moves active/ID to corrupt/ID");
	buf_reset(&reason);
	CHECK(spool_reason(sp, SPOOL_CORRUPT, d, &reason, &err) == 0 &&
	    strcmp(reason.s, "gzip: bad header") == 0,
	    "corrupt/ID.reason holds the reason");
	buf_reset(&data);
	CHECK(spool_read_msg(sp, SPOOL_CORRUPT, d, 100, &data, &err) == 0 &&
	    strcmp(data.s, "message d") == 0,
	    "a corrupt message is kept as it was");
	CHECK(spool_requeue(sp, d, &err) == 0 && entries("corrupt") == 0 &&
	    spool_find(sp, d) == SPOOL_INCOMING,
	    "spool_requeue moves corrupt/ID back and removes its reason");
	buf_reset(&err);
	CHECK(spool_requeue(sp, d, &err) == -1 && err.s != NULL &&
	    strstr(err.s, "no such message in deferred/ or corrupt/"),
	    "requeueing a message that is not set aside fails");
	buf_reset(&err);
	CHECK(spool_claim(sp, d, &err) == 0 &&
	    spool_corrupt(sp, d, "again", &err) == 0 &&
	    spool_delete(sp, d, &err) == 0 && entries("corrupt") == 0,
	    "spool_delete removes a corrupt message and its reason");
	CHECK(spool_delete(sp, b, &err) == 0 && entries("incoming") == 0,
	    "spool_delete removes an incoming message");
	buf_reset(&err);
	CHECK(spool_delete(sp, b, &err) == -1 && err.s != NULL &&
	    strstr(err.s, b) && strstr(err.s, ": no such message"),
	    "deleting a message that does not exist fails");
	buf_free(&err);
	buf_free(&data);
	buf_free(&reason);
}

static void
test_bad_ids(struct spool *sp)
{
	static const char *const bad[] = {
		"", "../../etc/passwd", "a/b", "..",
		"20261123101502.123456.0000004242.00000/",
		"20261123101502.123456.0000004242.000001.tmp",
		"20261123101502.123456.0000004242.000001/",
		"20261123101502.123456.0000004242.00001",
		"20261123101502x123456.0000004242.000001",
		"../20261123101502.123456.0000004242.01",
	};
	struct buf err = BUF_INIT, data = BUF_INIT;
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok &= !spool_id_valid(bad[i]);
		buf_reset(&err);
		ok &= spool_claim(sp, bad[i], &err) == -1 &&
		    strncmp(err.s, "bad queue id \"", 14) == 0;
		ok &= spool_done(sp, bad[i], &err) == -1;
		ok &= spool_defer(sp, bad[i], "x", &err) == -1;
		ok &= spool_corrupt(sp, bad[i], "x", &err) == -1;
		ok &= spool_requeue(sp, bad[i], &err) == -1;
		ok &= spool_delete(sp, bad[i], &err) == -1;
		ok &= spool_find(sp, bad[i]) == -1;
		ok &= spool_open_msg(sp, SPOOL_INCOMING, bad[i], 10, &err) == -1;
		ok &= spool_read_msg(sp, SPOOL_INCOMING, bad[i], 10, &data,
		    &err) == -1;
		ok &= spool_reason(sp, SPOOL_CORRUPT, bad[i], &data, &err) == -1;
	}
	CHECK(ok, "every function refuses ids that are not YYYYMMDDHHMMSS."
	    "uuuuuu.PID.SEQ");
	buf_reset(&err);
	spool_delete(sp, "../x\n", &err);
	CHECK(err.s != NULL && strcmp(err.s, "bad queue id \"../x\\x0a\": "
	    "expected YYYYMMDDHHMMSS.uuuuuu.PID.SEQ") == 0,
	    "a bad id is quoted with its control characters escaped");
	CHECK(spool_id_valid("20261123101502.123456.0000004242.000001"),
	    "a well-formed id is valid");
	buf_free(&err);
	buf_free(&data);
}

static void
test_stale(void)
{
	struct spool *sp, *sp2;
	struct spool_msg *msg;
	struct buf err = BUF_INIT;
	char dead[128], live[128], old[128], own[128];
	pid_t child;

	if ((child = fork()) == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	snprintf(dead, sizeof(dead), "q/incoming/20260101000000.000000.%010ld"
	    ".000000.tmp", (long)child);
	snprintf(live, sizeof(live), "q/incoming/20260101000000.000000.%010ld"
	    ".000001.tmp", (long)getppid());
	snprintf(old, sizeof(old), "q/incoming/20260101000000.000000.%010ld"
	    ".000002.tmp", (long)getppid());
	snprintf(own, sizeof(own), "q/incoming/20260101000000.000000.%010ld"
	    ".000003.tmp", (long)getpid());
	touch(path("%s", dead), 0);
	touch(path("%s", live), 0);
	touch(path("%s", old), time(NULL) - SPOOL_TMP_MAX_AGE - 60);
	touch(path("%s", own), 0);
	touch(path("q/incoming/%s", "junk.tmp"), 0);

	sp = spool_open(path("q"), 0, &err);
	CHECK(sp != NULL && entries("incoming") == 5,
	    "a consumer's spool_open removes no temporary file");
	spool_close(sp);

	/* While this process writes a message, its own .tmp files live. */
	sp = spool_open(path("q"), 0, &err);
	if (sp == NULL || spool_create(sp, 10, &msg, &err) != 0) {
		CHECK(0, "spool_create works");
		return;
	}
	sp2 = spool_open(path("q"), SPOOL_WRITER, &err);
	CHECK(sp2 != NULL && exists(path("%s", own)) &&
	    exists(path("%s", live)) && !exists(path("%s", dead)) &&
	    !exists(path("%s", old)) &&
	    exists(path("q/incoming/%s.tmp", spool_msg_id(msg))),
	    "a writer's spool_open removes the .tmp files of dead processes "
	    "and old ones, not those of live writers");
	spool_close(sp2);
	spool_abort(msg);
	sp2 = spool_open(path("q"), SPOOL_WRITER, &err);
	CHECK(sp2 != NULL && !exists(path("%s", own)) &&
	    exists(path("%s", live)) &&
	    exists(path("q/incoming/%s", "junk.tmp")),
	    "a writer's spool_open removes its own process's leftovers, "
	    "and no file that is not ID.tmp");
	spool_close(sp2);
	spool_close(sp);
	unlink(path("%s", live));
	unlink(path("q/incoming/%s", "junk.tmp"));
	buf_free(&err);
}

static void
test_chroot_name(void)
{
	struct buf err = BUF_INIT;
	struct spool *sp;
	char q[512];

	snprintf(q, sizeof(q), "%s/q//", top);
	sp = spool_open(q, 0, &err);
	if (sp == NULL) {
		CHECK(0, "spool_open of a base with trailing slashes");
		return;
	}
	spool_done(sp, "20261123101502.123456.0000004242.000001", &err);
	CHECK(err.s != NULL && strstr(err.s, "/q/active/20261123101502") &&
	    strstr(err.s, "//") == NULL,
	    "error messages name BASE/DIR/ID without doubled slashes");
	spool_close(sp);
	buf_free(&err);
}

/* test_consume_batch - spool_claim_batch and spool_done_batch */
static void
test_consume_batch(struct spool *sp)
{
	struct spool_msg *msgs[3];
	char ids[4][SPOOL_ID_SIZE];
	struct buf err = BUF_INIT;
	int status[4], i, ok = 1;
	char *pid;

	for (i = 0; i < 3; i++)
		if ((msgs[i] = new_msg(sp, 1024, "x\n", ids[i])) == NULL ||
		    spool_commit(msgs[i], &err) != 0)
			return;
	/* A fourth id that names no message: another process id field. */
	memcpy(ids[3], ids[2], SPOOL_ID_SIZE);
	pid = strchr(strchr(ids[3], '.') + 1, '.') + 1;
	*pid = *pid == '9' ? '8' : '9';
	CHECK(spool_claim_batch(sp, (const char (*)[SPOOL_ID_SIZE])ids, 4,
	    status, &err) == -1 && status[0] == 0 && status[1] == 0 &&
	    status[2] == 0 && status[3] == -1 && err.s != NULL &&
	    strstr(err.s, ids[3]) != NULL && strchr(err.s, '\n') == NULL &&
	    strstr(err.s, ": no such message") != NULL,
	    "spool_claim_batch claims the messages there, one error line for"
	    " the one that is not");
	for (i = 0; i < 3; i++)
		ok &= exists(path("q/active/%s", ids[i])) &&
		    !exists(path("q/incoming/%s", ids[i]));
	CHECK(ok && entries("incoming") == 0, "the claimed messages are in"
	    " active/, none in incoming/");
	buf_reset(&err);
	CHECK(spool_done_batch(sp, (const char (*)[SPOOL_ID_SIZE])ids, 4,
	    status, &err) == -1 && status[0] == 0 && status[1] == 0 &&
	    status[2] == 0 && status[3] == -1 && entries("active") == 0 &&
	    strstr(err.s, ids[3]) != NULL,
	    "spool_done_batch removes them from active/, and says which one"
	    " was not there");
	buf_reset(&err);
	CHECK(spool_claim_batch(sp, (const char (*)[SPOOL_ID_SIZE])ids, 0,
	    status, &err) == 0 && spool_done_batch(sp,
	    (const char (*)[SPOOL_ID_SIZE])ids, 0, status, &err) == 0 &&
	    err.len == 0, "empty batches succeed");
	buf_free(&err);
}

/*
 * test_lock - the consumer lock: one holder at a time, released with
 * the handle; without it, nothing is taken from incoming/ directly
 */
static void
test_lock(struct spool *sp)
{
	struct spool_msg *msg;
	char ids[1][SPOOL_ID_SIZE];
	struct buf err = BUF_INIT;
	struct spool *a, *b;
	int status[1];

	if ((msg = new_msg(sp, 1024, "x\n", ids[0])) == NULL ||
	    spool_commit(msg, &err) != 0)
		return;
	a = spool_open(path("q"), 0, &err);
	b = spool_open(path("q"), 0, &err);
	if (a == NULL || b == NULL) {
		CHECK(0, "two consumer handles open");
		return;
	}
	CHECK(spool_done_from(a, SPOOL_INCOMING,
	    (const char (*)[SPOOL_ID_SIZE])ids, 1, status, &err) == -1 &&
	    status[0] == -1 && err.s != NULL &&
	    strstr(err.s, "with the consumer lock") != NULL &&
	    exists(path("q/incoming/%s", ids[0])),
	    "without the consumer lock, spool_done_from(incoming/) fails and"
	    " removes nothing");
	buf_reset(&err);
	CHECK(spool_defer_from(a, SPOOL_INCOMING, ids[0], "x", &err) == -1 &&
	    exists(path("q/incoming/%s", ids[0])),
	    "without the consumer lock, spool_defer_from(incoming/) fails");
	buf_reset(&err);
	CHECK(spool_lock(a, &err) == 0 && spool_lock(a, &err) == 0,
	    "spool_lock takes the consumer lock (twice on one handle: once)");
	CHECK(spool_lock(b, &err) == -1 && err.s != NULL &&
	    strstr(err.s, "q/active: consumer lock held by another process")
	    != NULL, "a second handle cannot take it, and says why");
	buf_reset(&err);
	CHECK(spool_done_from(a, SPOOL_INCOMING,
	    (const char (*)[SPOOL_ID_SIZE])ids, 1, status, &err) == 0 &&
	    status[0] == 0 && !exists(path("q/incoming/%s", ids[0])),
	    "with the lock, spool_done_from removes a message from incoming/");
	spool_close(a);
	CHECK(spool_lock(b, &err) == 0,
	    "spool_close releases the lock for the next consumer");
	if ((msg = new_msg(sp, 1024, "y\n", ids[0])) == NULL ||
	    spool_commit(msg, &err) != 0)
		return;
	CHECK(spool_corrupt_from(b, SPOOL_INCOMING, ids[0], "bad", &err) == 0
	    && exists(path("q/corrupt/%s", ids[0])) &&
	    exists(path("q/corrupt/%s.reason", ids[0])) &&
	    !exists(path("q/incoming/%s", ids[0])),
	    "spool_corrupt_from moves incoming/ID to corrupt/ with its reason");
	CHECK(spool_delete(sp, ids[0], &err) == 0, "and spool_delete removes it");
	spool_close(b);
	buf_free(&err);
}

int
main(void)
{
	struct buf err = BUF_INIT;
	struct spool *sp;

	log_init("spool_test", 0);
	if (mkdtemp(top) == NULL)
		return 1;
	test_open();
	make_queue("q", 1);
	sp = spool_open(path("q"), SPOOL_WRITER, &err);
	CHECK(sp != NULL, "spool_open of a complete queue directory works");
	if (sp == NULL) {
		printf("# %s\n", err.s);
		return 1;
	}
	test_order(sp);
	test_content(sp);
	test_read_sizes(sp);
	test_limit(sp);
	test_batch(sp);
	test_consume_batch(sp);
	test_lock(sp);
	test_moves(sp);
	test_bad_ids(sp);
	spool_close(sp);
	test_stale();
	test_chroot_name();
	buf_free(&err);
	return unit_status_rm(top);
}
