/*
 * fuzz_repquery - libFuzzer target for repquery_parse(), the query
 * string of the portal's report pages and their API (after=, limit=,
 * days=; webd/repquery.c), and repquery_domains(), that of the API's
 * domain list (after=NAME, limit=).
 * SPDX-License-Identifier: ISC
 *
 * The input is the query string, any bytes.  Aborts when a promise of
 * repquery.h breaks: a query it takes gives a limit from 1 to
 * REPQUERY_LIMIT_MAX, days 0 or from 1 to REPQUERY_DAYS_MAX and a
 * cursor that repquery_cursor() writes back and repquery_parse() reads
 * again to the same values; one it refuses gives a reason of one line
 * without a control character.  repquery_domains() gives a limit from
 * 1 to REPQUERY_DOMAINS_MAX and a cursor of at most REPQUERY_NAME_MAX
 * bytes without upper case, or such a reason.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "../../webd/repquery.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_domains(const uint8_t *data, size_t size)
{
	struct repquery_domains q;
	struct buf err = BUF_INIT;
	size_t i;

	if (repquery_domains((const char *)data, size, &q, &err) == 0) {
		if (q.limit < 1 || q.limit > REPQUERY_DOMAINS_MAX)
			abort();
		if (q.after != NULL) {
			if (strlen(q.after) > REPQUERY_NAME_MAX)
				abort();
			for (i = 0; q.after[i] != '\0'; i++)
				if (q.after[i] >= 'A' && q.after[i] <= 'Z')
					abort();
		}
		repquery_domains_free(&q);
	} else
		fuzz_said(&err);
	buf_free(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT, again = BUF_INIT;
	struct repquery q, q2;
	char cur[REPQUERY_CURSOR_MAX];

	if (repquery_parse((const char *)data, size, &q, &err) == 0) {
		if (q.limit < 1 || q.limit > REPQUERY_LIMIT_MAX ||
		    q.days < 0 || q.days > REPQUERY_DAYS_MAX ||
		    q.after.end < 0 || q.after.policy < 0)
			abort();
		if (q.after.policy > 0) {
			repquery_cursor(&q.after, cur, sizeof(cur));
			buf_printf(&again, "after=%s", cur);
			if (repquery_parse(again.s, again.len, &q2, &err) != 0 ||
			    q2.after.end != q.after.end ||
			    q2.after.policy != q.after.policy)
				abort();
		}
	} else
		fuzz_said(&err);
	buf_free(&err);
	buf_free(&again);
	fuzz_domains(data, size);
	return 0;
}
