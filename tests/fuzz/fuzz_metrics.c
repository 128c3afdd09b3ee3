/*
 * fuzz_metrics - libFuzzer target for the metrics file reader
 * (metrics_table_parse in lib/metrics).
 *
 * The input is read as a metrics file.  Whatever it holds, the
 * exposition of the table must read back (as a file) to a table whose
 * exposition is the same text: the reader never keeps a series that
 * it cannot write back.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct metrics_table *t = metrics_table_new(), *u;
	struct buf out = BUF_INIT, again = BUF_INIT;

	metrics_table_parse(t, (const char *)data, len, 0);
	metrics_table_expose(t, &out);
	u = metrics_table_new();
	metrics_table_parse(u, out.s ? out.s : "", out.len, 0);
	metrics_table_expose(u, &again);
	if (out.len != again.len || (out.len > 0 &&
	    memcmp(out.s, again.s, out.len) != 0))
		abort();
	if (metrics_table_count(t) != metrics_table_count(u))
		abort();
	metrics_table_free(t);
	metrics_table_free(u);
	buf_free(&out);
	buf_free(&again);
	return 0;
}
