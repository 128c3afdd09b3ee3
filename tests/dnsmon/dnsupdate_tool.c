/*
 * dnsupdate_tool - drive lib/dnsupdate from test scripts.
 * SPDX-License-Identifier: ISC
 *
 *	dnsupdate_tool SERVER KEYFILE ZONE OWNER [TXT ...]
 * replaces OWNER's TXT records by the given ones (none: deletes them).
 * Exit 0, or 1 with "dnsupdate_tool: <error>" on stderr.
 */
#include "config.h"

#include <stdio.h>

#include "buf.h"
#include "dnsupdate.h"
#include "log.h"

#define TOOL_TIMEOUT_MS	3000

int
main(int argc, char **argv)
{
	struct dnsupdate_key key;
	struct buf err = BUF_INIT;
	int rc;

	log_init("dnsupdate_tool", LOG_TO_STDERR);
	if (argc < 5) {
		fprintf(stderr, "usage: dnsupdate_tool server keyfile zone"
		    " owner [txt ...]\n");
		return 2;
	}
	if (dnsupdate_key_read(argv[2], &key, &err) < 0) {
		fprintf(stderr, "dnsupdate_tool: %s\n", err.s);
		buf_free(&err);
		return 1;
	}
	rc = dnsupdate_txt(argv[1], &key, argv[3], argv[4], 60,
	    (const char *const *)argv + 5, (size_t)(argc - 5), TOOL_TIMEOUT_MS,
	    &err);
	if (rc < 0)
		fprintf(stderr, "dnsupdate_tool: %s\n", err.s);
	dnsupdate_key_free(&key);
	buf_free(&err);
	return rc < 0;
}
