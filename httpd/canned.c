/*
 * canned - httpd's fixed answers to requests it refuses, and the text of
 * an error answer that says why.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canned.h"
#include "http.h"
#include "log.h"
#include "mymalloc.h"

static struct canned canned_table[] = {
	{ 400, "", NULL, 0, NULL, 0 },
	{ 404, "", NULL, 0, NULL, 0 },
	{ 405, "Allow: GET, HEAD\r\n", NULL, 0, NULL, 0 },
	{ 408, "", NULL, 0, NULL, 0 },
	{ 414, "", NULL, 0, NULL, 0 },
	{ 421, "", NULL, 0, NULL, 0 },
	{ 431, "", NULL, 0, NULL, 0 },
	{ 505, "", NULL, 0, NULL, 0 },
};

#define CANNED_N	(sizeof(canned_table) / sizeof(canned_table[0]))

void
canned_init(void)
{
	struct canned *k;

	for (k = canned_table; k < canned_table + CANNED_N; k++) {
		k->body = xasprintf("%d %s\n", k->status, http_reason(k->status));
		k->body_len = strlen(k->body);
		k->head = xasprintf("%sContent-Type: text/plain\r\n"
		    "Content-Length: %zu\r\n", k->extra, k->body_len);
		k->head_len = strlen(k->head);
	}
}

void
canned_free(void)
{
	struct canned *k;

	for (k = canned_table; k < canned_table + CANNED_N; k++) {
		free(k->head);
		free(k->body);
		k->head = k->body = NULL;
	}
}

const struct canned *
canned_find(int status)
{
	struct canned *k;

	for (k = canned_table; k < canned_table + CANNED_N; k++)
		if (k->status == status)
			return k;
	log_panic("httpd: no answer for status %d", status);
}

int
canned_reason(char *body, size_t size, int status, const char *why)
{
	int blen;

	blen = snprintf(body, size, "%d %s: %s\n", status,
	    http_reason(status), why);
	if (blen < 0 || (size_t)blen >= size)
		blen = (int)size - 1;
	return blen;
}
