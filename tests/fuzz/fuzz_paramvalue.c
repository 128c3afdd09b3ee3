/*
 * fuzz_paramvalue - libFuzzer target for the rules of the parameter
 * table (cfg_check_value, cfg_allowed; lib/cfg).
 * SPDX-License-Identifier: ISC
 *
 * Each input is one value, offered to every parameter of the table:
 * each rule (type, bounds, choices, path, domain, addresses, URL, URL
 * path, host:port, percentage) must accept it or refuse it with one
 * line that quotes at most CFG_QUOTE_MAX bytes of it; a value it
 * accepts must read back through cfg_override() and the typed lookup.
 * Host lookups (users, groups) are not made.  Corpus:
 * tests/fuzz/corpus/paramvalue/.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "params.h"

#define FUZZ_VALUE_MAX	4096	/* bytes of one value tried */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A value the rule accepted reads back with its type. */
static void
fuzz_read_back(const struct param *p, const char *value)
{
	struct buf err = BUF_INIT;

	if (strchr(value, '$') != NULL || cfg_override(p->name, value, &err) != 0) {
		buf_free(&err);
		return;		/* $name expands; other rules may refuse it */
	}
	switch (p->type) {
	case PARAM_PERCENT:
		if (cfg_percent(p->name) < 0 || cfg_percent(p->name) > 100)
			abort();
		break;
	case PARAM_TIME:
		if ((p->min || p->max) && (cfg_time(p->name) < p->min ||
		    cfg_time(p->name) > p->max))
			abort();
		break;
	case PARAM_INT:
		if ((p->min || p->max) && (cfg_int(p->name) < p->min ||
		    cfg_int(p->name) > p->max))
			abort();
		break;
	default:
		(void)cfg_str(p->name);
	}
	buf_free(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int initialized;
	struct buf why = BUF_INIT, allowed = BUF_INIT;
	const struct param *p;
	char *value;

	if (!initialized) {
		log_init("fuzz_paramvalue", 0);
		initialized = 1;
	}
	if (len > FUZZ_VALUE_MAX || memchr(data, '\0', len) != NULL ||
	    memchr(data, '\n', len) != NULL)
		return 0;
	value = strndup((const char *)data, len);
	if (value == NULL)
		return 0;
	for (p = param_table; p->name != NULL; p++) {
		buf_reset(&why);
		buf_reset(&allowed);
		cfg_allowed(p, &allowed);
		if (cfg_check_value(p, value, &why) == 0) {
			if (why.len != 0)
				abort();	/* accepted, yet a reason */
			fuzz_read_back(p, value);
		} else if (why.len == 0 || memchr(why.s, '\n', why.len) != NULL) {
			abort();		/* one line, always */
		}
	}
	cfg_free();
	free(value);
	buf_free(&why);
	buf_free(&allowed);
	return 0;
}
