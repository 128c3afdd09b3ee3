/*
 * fuzz_changes - libFuzzer target for the payload of a policy.db change
 * notification (lib/policydb_follow.c: policydb_changes_parse(), domain
 * names separated by spaces, or "*").
 * SPDX-License-Identifier: ISC
 *
 * The input, cut at its first NUL and at SQLDB_NOTIFY_MAX bytes (what
 * the server delivers), is a payload.  Whatever it holds, it is split
 * without a crash; "*" alone means every domain; otherwise every name
 * is non-empty and holds no space, and the names joined by one space
 * are the payload with its runs of spaces made one and its ends
 * trimmed.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "mymalloc.h"
#include "policydb.h"
#include "sqldb.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The payload as the names should come out of it. */
static void
fuzz_squeeze(const char *s, struct buf *out)
{
	for (; *s != '\0'; s++) {
		if (*s == ' ' && (out->len == 0 || s[1] == ' ' || s[1] == '\0'))
			continue;
		buf_putc(out, *s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct buf want = BUF_INIT, got = BUF_INIT;
	char *payload, **names;
	size_t n, i;
	int all;

	if (len > SQLDB_NOTIFY_MAX)
		len = SQLDB_NOTIFY_MAX;
	payload = xstrndup((const char *)data, len);
	all = policydb_changes_parse(payload, &names, &n);
	if (all != (strcmp(payload, POLICYDB_CHANGED_ALL) == 0))
		abort();
	if (all && (n != 0 || names != NULL))
		abort();
	for (i = 0; i < n; i++) {
		if (names[i][0] == '\0' || strchr(names[i], ' ') != NULL)
			abort();
		buf_printf(&got, "%s%s", i > 0 ? " " : "", names[i]);
	}
	if (!all) {
		fuzz_squeeze(payload, &want);
		if (!fuzz_same(&want, &got))
			abort();
	}
	xfreev(names, n);
	free(payload);
	buf_free(&want);
	buf_free(&got);
	return 0;
}
