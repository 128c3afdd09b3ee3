/*
 * fuzz_metrics - libFuzzer target for the metrics file reader
 * (metrics_table_parse in lib/metrics).
 * SPDX-License-Identifier: ISC
 *
 * The input is read as a metrics file.  Whatever it holds, the
 * exposition of the table must read back (as a file) to a table whose
 * exposition is the same text: the reader never keeps a series that
 * it cannot write back.  Summing the series of a per-domain metric over
 * their domain label (metrics_table_fold, as the metrics worker does
 * above metrics_domain_series_limit) leaves no domain label, keeps the
 * total (unless it saturated) and writes back the same way.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "metrics.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The sum of the values of name in t, or -1 when it may have saturated. */
static long long
fuzz_sum(const struct metrics_table *t, const char *name)
{
	struct buf out = BUF_INIT;
	long long sum = 0, v;
	const char *p, *sp;
	size_t n = strlen(name);

	metrics_table_expose(t, &out);
	for (p = out.s; p != NULL && *p; p = strchr(p, '\n') + 1) {
		if (strncmp(p, name, n) == 0 && (p[n] == '{' || p[n] == ' ')) {
			sp = strchr(p, '\n');
			while (sp[-1] != ' ')
				sp--;
			v = strtoll(sp, NULL, 10);
			if (__builtin_add_overflow(sum, v, &sum) ||
			    v == LLONG_MAX || v == LLONG_MIN) {
				sum = -1;
				break;
			}
		}
		if (strchr(p, '\n') == NULL)
			break;
	}
	buf_free(&out);
	return sum;
}

/*
 * t exposed, read back into a new table and exposed again: the same
 * text, or abort.  Returns the new table.
 */
static struct metrics_table *
fuzz_reread(const struct metrics_table *t)
{
	struct metrics_table *u = metrics_table_new();
	struct buf out = BUF_INIT, again = BUF_INIT;

	metrics_table_expose(t, &out);
	metrics_table_parse(u, out.s ? out.s : "", out.len, 0);
	metrics_table_expose(u, &again);
	if (!fuzz_same(&out, &again))
		abort();
	buf_free(&out);
	buf_free(&again);
	return u;
}

static void
fuzz_fold(struct metrics_table *t)
{
	long long before = fuzz_sum(t, METRIC_POLICY_FETCHES), after;

	metrics_table_domains(t, METRIC_POLICY_FETCHES, 3);
	metrics_table_fold(t, METRIC_POLICY_FETCHES, "domain");
	if (metrics_table_domains(t, METRIC_POLICY_FETCHES, 3) != 0)
		abort();
	after = fuzz_sum(t, METRIC_POLICY_FETCHES);
	if (before >= 0 && after >= 0 && before != after)
		abort();
	metrics_table_free(fuzz_reread(t));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct metrics_table *t = metrics_table_new(), *u;

	metrics_table_parse(t, (const char *)data, len, 0);
	u = fuzz_reread(t);
	if (metrics_table_count(t) != metrics_table_count(u))
		abort();
	fuzz_fold(t);
	metrics_table_free(t);
	metrics_table_free(u);
	return 0;
}
