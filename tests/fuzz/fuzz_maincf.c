/*
 * fuzz_maincf - libFuzzer target for the main.cf reader (lib/cfg).
 * SPDX-License-Identifier: ISC
 *
 * Each input is the content of a main.cf.  The reader must either
 * accept it, after which every table parameter is looked up with its
 * type (cfg fills every var_NAME, lib/cfgbind) and as written, or
 * refuse it with one line of error; it must never crash, leak or read
 * out of bounds.  Corpus: tests/fuzz/corpus/maincf/.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "params.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int initialized;
	struct buf err = BUF_INIT;
	const struct param *p;
	const char **names;

	if (!initialized) {
		log_init("fuzz_maincf", 0);	/* warnings go nowhere */
		initialized = 1;
	}
	if (cfg_read_buf("/fuzz/main.cf", (const char *)data, len, &err) == 0) {
		for (p = param_table; p->name != NULL; p++)
			(void)cfg_raw(p->name);
		names = cfg_set_names();
		for (size_t i = 0; names[i] != NULL; i++)
			(void)cfg_str(names[i]);
		free(names);
		/* An override that must fail, and one that may succeed. */
		buf_reset(&err);
		(void)cfg_override("ipc_timeout", "1x", &err);
		buf_reset(&err);
		(void)cfg_override("policy_host", "mta-sts.$sts_zone", &err);
	} else if (err.len == 0 || memchr(err.s, '\n', err.len) != NULL) {
		abort();	/* an error must be exactly one line */
	}
	cfg_free();
	buf_free(&err);
	return 0;
}
