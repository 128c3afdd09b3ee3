/*
 * spoolput - puts files into a spool as messages and tells rptparse, for
 * the tests of tests/rptparse.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	spoolput [-n] QUEUE_DIR FILE...
 *	spoolput -N COUNT QUEUE_DIR FILE
 *
 * DESCRIPTION
 *	Each FILE ("-" for standard input) becomes one message of
 *	QUEUE_DIR/incoming through lib/spool, exactly as rptrecv and
 *	httpd write them; its id is printed once it is committed.  Then
 *	{"op":"spooled","id":ID} goes to QUEUE_DIR/private/rptparse for
 *	the last one, unless -n is given (or rptparse does not listen).
 *	-N COUNT writes COUNT messages from FILE, each with every
 *	"@SEQ@" in it replaced by the message's number (1 to COUNT), so
 *	that each holds a report of its own.
 *
 * LIMITS
 *	A file: SPOOLPUT_MAX bytes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "cfg.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"
#include "spool.h"

#define SPOOLPUT_MAX	(64 * 1024 * 1024)
#define SPOOLPUT_SEQ	"@SEQ@"
#define SPOOLPUT_TIMEOUT_MS	5000

static int
spoolput_read(const char *file, struct buf *data)
{
	char chunk[65536];
	FILE *fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	size_t n;

	if (fp == NULL) {
		perror(file);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (data->len + n > SPOOLPUT_MAX) {
			fprintf(stderr, "%s: larger than %d bytes\n", file,
			    SPOOLPUT_MAX);
			return -1;
		}
		buf_append(data, chunk, n);
	}
	if (fp != stdin)
		fclose(fp);
	return 0;
}

static void
spoolput_subst(const struct buf *in, long seq, struct buf *out)
{
	const char *p = in->s, *q;
	size_t k = strlen(SPOOLPUT_SEQ);

	buf_reset(out);
	while ((q = strstr(p, SPOOLPUT_SEQ)) != NULL) {
		buf_append(out, p, (size_t)(q - p));
		buf_printf(out, "%ld", seq);
		p = q + k;
	}
	buf_append(out, p, in->len - (size_t)(p - in->s));
}

static char *
spoolput_one(struct spool *sp, const struct buf *data)
{
	struct buf err = BUF_INIT;
	struct spool_msg *msg;
	char *id;

	if (spool_create(sp, SPOOLPUT_MAX, &msg, &err) < 0 ||
	    spool_write(msg, data->s, data->len, &err) < 0) {
		fprintf(stderr, "spoolput: %s\n", err.s);
		exit(1);
	}
	id = xstrdup(spool_msg_id(msg));
	if (spool_commit(msg, &err) < 0) {
		fprintf(stderr, "spoolput: %s\n", err.s);
		exit(1);
	}
	printf("%s\n", id);
	fflush(stdout);
	return id;
}

static void
spoolput_notify(const char *queue, const char *id)
{
	struct buf err = BUF_INIT;
	char *path = xasprintf("%s/private/rptparse", queue);
	json_t *msg;
	int fd;

	if ((fd = ipc_connect_unix(path, SPOOLPUT_TIMEOUT_MS, &err)) >= 0) {
		msg = ipc_request("spooled");
		json_object_set_new(msg, "id", json_string(id));
		ipc_send(fd, msg, SPOOLPUT_TIMEOUT_MS, &err);
		json_decref(msg);
		close(fd);
	}
	buf_free(&err);
	free(path);
}

int
main(int argc, char **argv)
{
	struct buf err = BUF_INIT, data = BUF_INIT, one = BUF_INIT;
	struct spool *sp;
	char *last = NULL;
	long count = 0, i;
	int c, notify = 1;

	log_init("spoolput", LOG_TO_STDERR);
	while ((c = getopt(argc, argv, "nN:")) != -1) {
		switch (c) {
		case 'n':
			notify = 0;
			break;
		case 'N':
			count = strtol(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || (count > 0 && argc != 2))
		goto usage;
	if ((sp = spool_open(argv[0], SPOOL_WRITER, &err)) == NULL) {
		fprintf(stderr, "spoolput: %s\n", err.s);
		return 1;
	}
	if (count > 0) {
		if (spoolput_read(argv[1], &data) < 0)
			return 1;
		for (i = 1; i <= count; i++) {
			spoolput_subst(&data, i, &one);
			free(last);
			last = spoolput_one(sp, &one);
		}
	} else {
		for (i = 1; i < argc; i++) {
			buf_reset(&data);
			if (spoolput_read(argv[i], &data) < 0)
				return 1;
			free(last);
			last = spoolput_one(sp, &data);
		}
	}
	if (notify && last != NULL)
		spoolput_notify(argv[0], last);
	free(last);
	spool_close(sp);
	buf_free(&data);
	buf_free(&one);
	buf_free(&err);
	return 0;
usage:
	fprintf(stderr, "usage: spoolput [-n] QUEUE_DIR FILE...\n"
	    "       spoolput [-n] -N COUNT QUEUE_DIR FILE\n");
	return 1;
}
