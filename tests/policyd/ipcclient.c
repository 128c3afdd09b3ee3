/*
 * ipcclient - a test client for stsd sockets: sends one JSON request
 * and prints what comes back.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	ipcclient [-n count] [-t seconds] SOCKET 'JSON'
 *
 * DESCRIPTION
 *	Connects to the unix socket SOCKET, sends JSON (one object) as one
 *	message with lib/ipc, then prints every message received, one
 *	compact line each with sorted keys, flushing after each, until it
 *	has printed count messages (default 1), end of file, or seconds
 *	(default 10) have passed.  Used by tests/policyd to read policyd's
 *	subscription stream.
 *
 * DIAGNOSTICS
 *	Exit 0 after count messages, 1 on any error or time-out (reason on
 *	stderr).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "ipc.h"
#include "log.h"

int
main(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	long count = 1, seconds = 10, got = 0;
	json_error_t jerr;
	json_t *req, *msg;
	time_t end;
	char *line;
	int c, fd, rc;

	log_init("ipcclient", LOG_TO_STDERR);
	while ((c = getopt(argc, argv, "n:t:")) != -1) {
		switch (c) {
		case 'n':
			count = atol(optarg);
			break;
		case 't':
			seconds = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: ipcclient [-n count] [-t seconds]"
			    " SOCKET JSON\n");
			return 1;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: ipcclient [-n count] [-t seconds] SOCKET JSON\n");
		return 1;
	}
	if ((req = json_loads(argv[optind + 1], 0, &jerr)) == NULL) {
		fprintf(stderr, "ipcclient: bad JSON: %s\n", jerr.text);
		return 1;
	}
	end = time(NULL) + seconds;
	if ((fd = ipc_connect_unix(argv[optind], (int)seconds * 1000, &err)) < 0 ||
	    ipc_send(fd, req, (int)seconds * 1000, &err) < 0) {
		fprintf(stderr, "ipcclient: %s\n", err.s);
		return 1;
	}
	json_decref(req);
	while (got < count) {
		rc = ipc_recv(fd, IPC_SIZE_LIMIT_DEFAULT, &msg,
		    (int)(end - time(NULL)) * 1000, &err);
		if (rc <= 0) {
			fprintf(stderr, "ipcclient: %s\n", rc == 0 ?
			    "end of file" : err.s);
			return 1;
		}
		line = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
		printf("%s\n", line);
		fflush(stdout);
		free(line);
		json_decref(msg);
		got++;
	}
	close(fd);
	buf_free(&err);
	return 0;
}
