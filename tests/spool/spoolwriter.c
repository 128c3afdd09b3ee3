/*
 * spoolwriter - drives lib/spool for the crash tests in tests/spool.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	spoolwriter write QUEUE_DIR COUNT [BATCH]
 *	spoolwriter consume QUEUE_DIR STORE_FILE [locked]
 *	spoolwriter check QUEUE_DIR
 *
 * DESCRIPTION
 *	write queues COUNT messages, each with content no other message
 *	has (the writer's pid, a sequence number and the time, then a
 *	random body, then "end"), written in random-sized pieces, and
 *	prints each message's SHA-256 in hex on stdout, one per line, only
 *	once spool_commit() returned: a printed hash is a message that was
 *	acknowledged.  It pauses briefly between pieces, as data from
 *	the network comes, so that a kill often lands in the middle of a
 *	message.  With BATCH greater than 1, it writes BATCH messages
 *	side by side, piece by piece, and commits them together with
 *	spool_commit_batch(), printing the hash of each one whose status
 *	is 0.
 *
 *	consume works as a consumer does: messages left in active/ first,
 *	then those of incoming/, each claimed, read, "stored" by appending
 *	its SHA-256 to STORE_FILE (with fsync) unless the file already has
 *	it (an idempotent store: see spool.h), and then removed with
 *	spool_done(), until incoming/ is empty.  It pauses briefly
 *	between storing and spool_done(), so that kills land there too.
 *	It prints "consuming" once the spool is open.  With "locked" it
 *	takes the consumer lock first (spool_lock; it exits 1 when
 *	another process holds it) and takes the messages of incoming/
 *	where they are, without a claim, removing each with
 *	spool_done_from(SPOOL_INCOMING), as rptparse does.
 *
 *	check reads every message of incoming/ and active/ and prints
 *	"bad DIR/ID: why" for each one that is not a complete message as
 *	write makes them; it exits 1 if there was one.
 *
 *	The tests kill write and consume with SIGKILL at random moments.
 *
 * LIMITS
 *	A message body has at most BODY_MAX bytes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"
#include "log.h"
#include "spool.h"

#define BODY_MAX	16384	/* bytes of random body */
#define PIECE_MAX	4096	/* bytes per spool_write */
#define PIECE_PAUSE_US	300	/* at most, between pieces, as a network is */
#define MSG_MAX		(BODY_MAX + 256)
#define BATCH_MAX	64	/* messages per spool_commit_batch */
#define HASH_HEX	(2 * 32)
#define TRAILER		"end\n"

static void
usage(void)
{
	fprintf(stderr, "usage: spoolwriter write QUEUE_DIR COUNT [BATCH]\n"
	    "       spoolwriter consume QUEUE_DIR STORE_FILE [locked]\n"
	    "       spoolwriter check QUEUE_DIR\n");
	exit(2);
}

static void
hash_hex(const void *data, size_t len, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen, i;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
		log_fatal("EVP_Digest failed");
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* make_message - header line, random body, trailer */
static void
make_message(struct buf *m, unsigned seq)
{
	struct timeval tv;
	size_t len, i;

	gettimeofday(&tv, NULL);
	len = (size_t)random() % BODY_MAX + 1;
	buf_reset(m);
	buf_printf(m, "spoolwriter pid=%ld seq=%u time=%lld.%06ld len=%zu\n",
	    (long)getpid(), seq, (long long)tv.tv_sec, (long)tv.tv_usec, len);
	for (i = 0; i < len; i++)
		buf_putc(m, 'a' + (int)(random() % 26));
	buf_puts(m, TRAILER);
}

/* write_batch - n messages written side by side, committed together */
static void
write_batch(struct spool *sp, unsigned seq, int n)
{
	struct spool_msg *msgs[BATCH_MAX];
	struct buf m[BATCH_MAX], err = BUF_INIT;
	size_t off[BATCH_MAX], piece;
	char hex[HASH_HEX + 1];
	int status[BATCH_MAX], i, busy;

	for (i = 0; i < n; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		make_message(&m[i], seq + (unsigned)i);
		off[i] = 0;
		if (spool_create(sp, MSG_MAX, &msgs[i], &err) != 0)
			log_fatal("%s", err.s);
	}
	do {
		busy = 0;
		for (i = 0; i < n; i++) {
			if (off[i] == m[i].len)
				continue;
			piece = (size_t)random() % PIECE_MAX + 1;
			if (piece > m[i].len - off[i])
				piece = m[i].len - off[i];
			if (spool_write(msgs[i], m[i].s + off[i], piece, &err)
			    != 0)
				log_fatal("%s", err.s);
			off[i] += piece;
			busy = 1;
		}
		usleep((useconds_t)(random() % PIECE_PAUSE_US));
	} while (busy);
	if (spool_commit_batch(msgs, (size_t)n, status, &err) != 0)
		log_fatal("%s", err.s);
	for (i = 0; i < n; i++) {
		if (status[i] == 0) {
			hash_hex(m[i].s, m[i].len, hex);
			printf("%s\n", hex);
		}
		buf_free(&m[i]);
	}
	fflush(stdout);
	buf_free(&err);
}

static int
do_write(const char *dir, long count, int batch)
{
	struct buf err = BUF_INIT, m = BUF_INIT;
	struct spool_msg *msg;
	struct spool *sp;
	char hex[HASH_HEX + 1];
	size_t off, piece;
	long n;

	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	if ((sp = spool_open(dir, SPOOL_WRITER, &err)) == NULL)
		log_fatal("%s", err.s);
	for (n = 0; batch > 1 && n < count; n += batch)
		write_batch(sp, (unsigned)n, count - n < batch ?
		    (int)(count - n) : batch);
	for (n = 0; batch <= 1 && n < count; n++) {
		make_message(&m, (unsigned)n);
		if (spool_create(sp, MSG_MAX, &msg, &err) != 0)
			log_fatal("%s", err.s);
		for (off = 0; off < m.len; off += piece) {
			piece = (size_t)random() % PIECE_MAX + 1;
			if (piece > m.len - off)
				piece = m.len - off;
			if (spool_write(msg, m.s + off, piece, &err) != 0)
				log_fatal("%s", err.s);
			usleep((useconds_t)(random() % PIECE_PAUSE_US));
		}
		if (spool_commit(msg, &err) != 0)
			log_fatal("%s", err.s);
		hash_hex(m.s, m.len, hex);
		printf("%s\n", hex);
		fflush(stdout);
	}
	spool_close(sp);
	buf_free(&m);
	buf_free(&err);
	return 0;
}

struct consumer {
	struct spool *sp;
	const char *store_path;
	struct buf store;		/* the store file's lines */
	int	 store_fd;
	int	 claim;			/* ids come from incoming/ */
	int	 locked;		/* ... and are taken there */
	long	 handled;
};

/* store - the idempotent store: append the hash unless it is there */
static void
store(struct consumer *c, const char *hex)
{
	char line[HASH_HEX + 2];

	snprintf(line, sizeof(line), "%s\n", hex);
	if (c->store.s != NULL && strstr(c->store.s, line) != NULL)
		return;
	if (write(c->store_fd, line, HASH_HEX + 1) != HASH_HEX + 1 ||
	    fsync(c->store_fd) != 0)
		log_fatal("%s: %s", c->store_path, strerror(errno));
	buf_puts(&c->store, line);
}

static int
consume_one(const char *id, void *ctx)
{
	struct consumer *c = ctx;
	struct buf err = BUF_INIT, data = BUF_INIT;
	char hex[HASH_HEX + 1];

	char one[1][SPOOL_ID_SIZE];
	enum spool_dir from = SPOOL_ACTIVE;
	int status;

	if (c->claim && c->locked)
		from = SPOOL_INCOMING;
	else if (c->claim && spool_claim(c->sp, id, &err) != 0)
		log_fatal("%s", err.s);
	if (spool_read_msg(c->sp, from, id, MSG_MAX, &data, &err) != 0)
		log_fatal("%s", err.s);
	hash_hex(data.s, data.len, hex);
	store(c, hex);
	/* A kill here is the crash that needs an idempotent store. */
	usleep((useconds_t)(random() % PIECE_PAUSE_US));
	snprintf(one[0], sizeof(one[0]), "%s", id);
	if (spool_done_from(c->sp, from, (const char (*)[SPOOL_ID_SIZE])one,
	    1, &status, &err) != 0)
		log_fatal("%s", err.s);
	c->handled++;
	buf_free(&data);
	buf_free(&err);
	return 0;
}

static void
load_store(struct consumer *c)
{
	char chunk[4096];
	ssize_t n;

	c->store_fd = open(c->store_path, O_RDWR | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0600);
	if (c->store_fd < 0)
		log_fatal("%s: %s", c->store_path, strerror(errno));
	while ((n = read(c->store_fd, chunk, sizeof(chunk))) > 0)
		buf_append(&c->store, chunk, (size_t)n);
	if (n < 0)
		log_fatal("%s: %s", c->store_path, strerror(errno));
}

static int
do_consume(const char *dir, const char *store_path, int locked)
{
	struct consumer c;
	struct buf err = BUF_INIT;
	int n;

	memset(&c, 0, sizeof(c));
	c.store_path = store_path;
	load_store(&c);
	if ((c.sp = spool_open(dir, 0, &err)) == NULL)
		log_fatal("%s", err.s);
	c.locked = locked;
	if (locked && spool_lock(c.sp, &err) != 0)
		log_fatal("%s", err.s);
	printf("consuming\n");
	fflush(stdout);
	/* What a crash left in active/ first, then new work. */
	if (spool_scan(c.sp, SPOOL_ACTIVE, consume_one, &c, &err) < 0)
		log_fatal("%s", err.s);
	c.claim = 1;
	while ((n = spool_scan(c.sp, SPOOL_INCOMING, consume_one, &c,
	    &err)) > 0)
		;
	if (n < 0)
		log_fatal("%s", err.s);
	printf("handled %ld\n", c.handled);
	spool_close(c.sp);
	close(c.store_fd);
	buf_free(&c.store);
	buf_free(&err);
	return 0;
}

/* check_msg - is data a complete message as do_write makes them? */
static const char *
check_msg(const struct buf *data)
{
	const char *nl, *p;
	size_t len;

	if (data->len == 0 || strncmp(data->s, "spoolwriter pid=", 16) != 0)
		return "no header";
	if ((nl = memchr(data->s, '\n', data->len)) == NULL)
		return "header not terminated";
	if ((p = strstr(data->s, " len=")) == NULL || p > nl)
		return "no length in header";
	len = strtoul(p + 5, NULL, 10);
	if ((size_t)(nl + 1 - data->s) + len + strlen(TRAILER) != data->len)
		return "wrong length: partial message";
	if (strcmp(data->s + data->len - strlen(TRAILER), TRAILER) != 0)
		return "no trailer";
	return NULL;
}

struct checker {
	struct spool *sp;
	enum spool_dir dir;
	int	 bad;
};

static int
check_one(const char *id, void *ctx)
{
	struct checker *k = ctx;
	struct buf err = BUF_INIT, data = BUF_INIT;
	const char *why;

	if (spool_read_msg(k->sp, k->dir, id, MSG_MAX, &data, &err) != 0)
		why = err.s;
	else
		why = check_msg(&data);
	if (why != NULL) {
		printf("bad %s/%s: %s\n", spool_dir_name(k->dir), id, why);
		k->bad++;
	}
	buf_free(&data);
	buf_free(&err);
	return 0;
}

static int
do_check(const char *dir)
{
	struct checker k;
	struct buf err = BUF_INIT;

	memset(&k, 0, sizeof(k));
	if ((k.sp = spool_open(dir, 0, &err)) == NULL)
		log_fatal("%s", err.s);
	for (k.dir = SPOOL_INCOMING; k.dir <= SPOOL_ACTIVE; k.dir++)
		if (spool_scan(k.sp, k.dir, check_one, &k, &err) < 0)
			log_fatal("%s", err.s);
	spool_close(k.sp);
	buf_free(&err);
	return k.bad != 0;
}

int
main(int argc, char **argv)
{
	char *end;
	long count, batch = 1;

	log_init("spoolwriter", LOG_TO_STDERR);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "write") == 0) {
		count = strtol(argv[3], &end, 10);
		if (*end != '\0' || count < 0)
			usage();
		if (argc == 5) {
			batch = strtol(argv[4], &end, 10);
			if (*end != '\0' || batch < 1 || batch > BATCH_MAX)
				usage();
		}
		return do_write(argv[2], count, (int)batch);
	}
	if (argc == 4 && strcmp(argv[1], "consume") == 0)
		return do_consume(argv[2], argv[3], 0);
	if (argc == 5 && strcmp(argv[1], "consume") == 0 &&
	    strcmp(argv[4], "locked") == 0)
		return do_consume(argv[2], argv[3], 1);
	if (argc == 3 && strcmp(argv[1], "check") == 0)
		return do_check(argv[2]);
	usage();
}
