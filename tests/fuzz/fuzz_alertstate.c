/*
 * fuzz_alertstate - libFuzzer target for the reader of lib/alert's
 * state file (alert_store_file: "domain TAB kind [TAB key]" lines,
 * each field as esc_line() writes it).
 * SPDX-License-Identifier: ISC
 *
 * The input is a state file.  Whatever it holds, it is read without
 * a crash, and what the reader wrote back (the live entries, when the
 * file held anything else) reads back to itself: opening the file a
 * second time leaves it byte for byte as the first left it.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "buf.h"
#include "fuzz.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char fuzz_dir[] = "/tmp/fuzz_alertstate.XXXXXX";

static void
fuzz_cleanup(void)
{
	rmdir(fuzz_dir);
}

static int
fuzz_slurp(const char *path, struct buf *out)
{
	char chunk[4096];
	size_t n;
	FILE *fp;

	buf_reset(out);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(out, chunk, n);
	fclose(fp);
	return 0;
}

/* The state file read and written back (by alert_store_close), in b. */
static void
fuzz_store_round(const char *path, struct buf *b)
{
	if (alert_store_file(path, NULL) != 0)
		abort();
	alert_store_close();
	fuzz_slurp(path, b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int ready;
	struct buf first = BUF_INIT, second = BUF_INIT;
	char path[64];
	FILE *fp;

	if (!ready) {
		log_init("fuzz_alertstate", 0);	/* warnings go nowhere */
		/* The state file, and no metrics/ for lib/metrics to
		 * write into, in a directory of its own. */
		if (mkdtemp(fuzz_dir) == NULL || chdir(fuzz_dir) != 0)
			abort();
		atexit(fuzz_cleanup);
		ready = 1;
	}
	snprintf(path, sizeof(path), "%s/alerts.state", fuzz_dir);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fwrite(data, 1, len, fp);
	fclose(fp);
	fuzz_store_round(path, &first);
	fuzz_store_round(path, &second);
	if (!fuzz_same(&first, &second))
		abort();
	unlink(path);
	buf_free(&first);
	buf_free(&second);
	return 0;
}
