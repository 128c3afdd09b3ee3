/*
 * fuzz_masteredit - stsconf's master.cf edits (stsconf/masteredit.c):
 * the first line of the input is the -M/-F argument, the rest is
 * master.cf.  Every operation must give a file or one error line,
 * without crashing or leaking.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "../../stsconf/masteredit.h"
#include "mymalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

typedef int (*fuzz_edit_fn)(const char *, const char *, size_t, const char *,
    struct buf *, struct buf *);

static void
fuzz_one(fuzz_edit_fn fn, const char *text, size_t len, const char *arg)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	if (fn("master.cf", text, len, arg, &out, &err) < 0 &&
	    (err.s == NULL || strchr(err.s, '\n') != NULL))
		abort();
	buf_free(&out);
	buf_free(&err);
}

static void
fuzz_show(const char *text, size_t len, const char *arg)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	if (masteredit_show("master.cf", text, len, *arg ? arg : NULL, &out,
	    &err) < 0 && (err.s == NULL || strchr(err.s, '\n') != NULL))
		abort();
	buf_free(&out);
	buf_free(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialized;
	const char *nl = memchr(data, '\n', size);
	char *arg, *text;
	size_t alen = nl ? (size_t)(nl - (const char *)data) : size;
	size_t tlen = nl ? size - alen - 1 : 0;

	if (!initialized) {
		log_init("fuzz_masteredit", 0);
		initialized = 1;
	}
	arg = xstrndup((const char *)data, alen);
	text = xmalloc(tlen + 1);
	memcpy(text, nl ? nl + 1 : "", tlen);
	text[tlen] = '\0';
	fuzz_one(masteredit_service, text, tlen, arg);
	fuzz_one(masteredit_field, text, tlen, arg);
	fuzz_one(masteredit_comment, text, tlen, arg);
	fuzz_one(masteredit_uncomment, text, tlen, arg);
	fuzz_one(masteredit_remove, text, tlen, arg);
	fuzz_show(text, tlen, arg);
	free(arg);
	free(text);
	return 0;
}
