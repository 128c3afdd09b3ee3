/*
 * rptparse-floor - the floor under bench/rptparse: only gunzip and the
 * JSON parse of the same report files, in a loop.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	rptparse-floor [-a] [-r ROUNDS] LIST
 *
 * DESCRIPTION
 *	LIST names one gzip report file per line.  Every file is read
 *	into memory first (not timed); then, ROUNDS times (default
 *	FLOOR_ROUNDS), each one is inflated with rptparse's gunzip (the
 *	same code and limits as rptparse) and parsed with jansson's
 *	json_loadb() as it comes (malloc() and free() for each node), and
 *	the tree freed: the bare floor.  With -a the tree is made in the
 *	arena of lib/tlsrpt instead (tlsrpt_json_load(), what rptparse
 *	does).  Nothing else: no MIME, no checks, no database, no spool.
 *	Prints one line:
 *
 *		floor REPORTS SECONDS REPORTS_PER_SECOND
 *
 *	with the CPU time of the process (so a busy machine moves it
 *	less than wall time would), which bench/rptparse prints beside
 *	the rate of rptparse.
 *
 * LIMITS
 *	FLOOR_FILES_MAX files, FLOOR_FILE_MAX bytes each.
 *
 * DIAGNOSTICS
 *	Exit 1 with a message naming the file and the cause when a file
 *	cannot be read, inflated or parsed; 2 on a usage error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "gunzip.h"
#include "mymalloc.h"
#include "tlsrpt.h"

#define FLOOR_ROUNDS		3
#define FLOOR_FILES_MAX		1000000
#define FLOOR_FILE_MAX		(64 * 1024 * 1024)
#define FLOOR_GUNZIP_SIZE	(20 * 1024 * 1024)	/* as rptparse */
#define FLOOR_GUNZIP_RATIO	200

struct floor_file {
	char	*name;
	struct buf data;
};

static void
floor_usage(void)
{
	fprintf(stderr, "usage: rptparse-floor [-a] [-r ROUNDS] LIST\n");
	exit(2);
}

static void
floor_read(struct floor_file *f)
{
	FILE *fp;
	char chunk[64 * 1024];
	size_t n;

	if ((fp = fopen(f->name, "rb")) == NULL) {
		perror(f->name);
		exit(1);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		buf_append(&f->data, chunk, n);
		if (f->data.len > FLOOR_FILE_MAX) {
			fprintf(stderr, "%s: larger than %d bytes\n", f->name,
			    FLOOR_FILE_MAX);
			exit(1);
		}
	}
	if (ferror(fp)) {
		perror(f->name);
		exit(1);
	}
	fclose(fp);
}

static size_t
floor_load(const char *list, struct floor_file **files)
{
	FILE *fp;
	char line[4096];
	size_t n = 0, len;

	if ((fp = fopen(list, "r")) == NULL) {
		perror(list);
		exit(1);
	}
	*files = NULL;
	while (fgets(line, sizeof(line), fp) != NULL && n < FLOOR_FILES_MAX) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (len == 0)
			continue;
		*files = xreallocarray(*files, n + 1, sizeof(**files));
		(*files)[n].name = xstrdup(line);
		memset(&(*files)[n].data, 0, sizeof((*files)[n].data));
		floor_read(&(*files)[n]);
		n++;
	}
	fclose(fp);
	return n;
}

/* One report: inflate and parse, as rptparse does before its checks. */
static void
floor_one(const struct floor_file *f, struct buf *json, int arena)
{
	static const struct gunzip_limits lim = {
		FLOOR_GUNZIP_SIZE, FLOOR_GUNZIP_RATIO
	};
	struct buf err = BUF_INIT;
	json_error_t jerr;
	json_t *top;

	buf_reset(json);
	if (gunzip(f->data.s, f->data.len, &lim, json, &err) < 0) {
		fprintf(stderr, "%s: %s\n", f->name, err.s);
		exit(1);
	}
	if (arena)
		top = tlsrpt_json_load(json->s, json->len, &jerr);
	else
		top = json_loadb(json->s, json->len, JSON_REJECT_DUPLICATES,
		    &jerr);
	if (top == NULL) {
		fprintf(stderr, "%s: not valid JSON: %s\n", f->name, jerr.text);
		exit(1);
	}
	if (arena)
		tlsrpt_json_free(top);
	else
		json_decref(top);
}

int
main(int argc, char **argv)
{
	struct floor_file *files;
	struct buf json = BUF_INIT;
	struct timespec t0, t1;
	size_t n, i;
	double secs;
	long rounds = FLOOR_ROUNDS, r;
	int c, arena = 0;

	while ((c = getopt(argc, argv, "ar:")) != -1) {
		switch (c) {
		case 'a':
			arena = 1;
			break;
		case 'r':
			rounds = strtol(optarg, NULL, 10);
			if (rounds < 1)
				floor_usage();
			break;
		default:
			floor_usage();
		}
	}
	if (optind + 1 != argc)
		floor_usage();
	n = floor_load(argv[optind], &files);
	if (n == 0) {
		fprintf(stderr, "%s: no files\n", argv[optind]);
		return 1;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++)
			floor_one(&files[i], &json, arena);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("floor %zu %.3f %.1f\n", n * (size_t)rounds, secs,
	    secs > 0 ? (double)(n * (size_t)rounds) / secs : 0.0);
	for (i = 0; i < n; i++) {
		free(files[i].name);
		buf_free(&files[i].data);
	}
	free(files);
	buf_free(&json);
	return 0;
}
