/*
 * fuzz_alertsub - libFuzzer target for the reader of the alert
 * subscriptions file (lib/alertsub: "DOMAIN TAB KIND TAB TARGET" lines,
 * each field as esc_line() writes it).
 * SPDX-License-Identifier: ISC
 *
 * The input is a subscriptions file.  Whatever it holds, it is read
 * without a crash, and what was read, written by alertsub_file_write()
 * and read again, is the same list, entry for entry.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alertsub.h"
#include "buf.h"
#include "fuzz.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char fuzz_dir[] = "/tmp/fuzz_alertsub.XXXXXX";

static void
fuzz_cleanup(void)
{
	rmdir(fuzz_dir);
}

/* A deep copy of what alertsub_load() read last. */
static void
fuzz_copy(struct alertsub_list *out)
{
	const struct alertsub_list *l = alertsub_loaded();
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < l->n; i++)
		alertsub_file_add(out, l->v[i].domain, l->v[i].kind,
		    l->v[i].target);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int ready;
	struct alertsub_list first, *second;
	struct buf err = BUF_INIT;
	char path[64], again[64];
	size_t i;
	FILE *fp;

	if (!ready) {
		log_init("fuzz_alertsub", 0);	/* warnings go nowhere */
		if (mkdtemp(fuzz_dir) == NULL)
			abort();
		atexit(fuzz_cleanup);
		ready = 1;
	}
	snprintf(path, sizeof(path), "%s/in", fuzz_dir);
	snprintf(again, sizeof(again), "%s/again", fuzz_dir);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fwrite(data, 1, len, fp);
	fclose(fp);
	alertsub_load(path);
	fuzz_copy(&first);
	if (alertsub_file_write(again, &first, &err) < 0)
		abort();
	alertsub_load(again);
	second = (struct alertsub_list *)alertsub_loaded();
	if (second->n != first.n)
		abort();
	for (i = 0; i < first.n; i++)
		if (strcmp(first.v[i].domain, second->v[i].domain) != 0 ||
		    strcmp(first.v[i].kind, second->v[i].kind) != 0 ||
		    strcmp(first.v[i].target, second->v[i].target) != 0)
			abort();
	alertsub_list_free(&first);
	unlink(path);
	unlink(again);
	buf_free(&err);
	return 0;
}
