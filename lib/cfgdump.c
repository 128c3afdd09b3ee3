/*
 * cfgdump - the whole current configuration as text; see cfgdump.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "cfgdump.h"
#include "params.h"

static int
cfg_dump_namecmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *
cfg_dump(void)
{
	struct buf b = BUF_INIT;
	const struct param *p;
	const char **names;
	size_t i, n;

	for (p = param_table; p->name != NULL; p++)
		buf_printf(&b, "%s=%s\n", p->name, cfg_str(p->name));
	names = cfg_set_names();
	for (n = 0; names[n] != NULL; n++)
		;
	qsort(names, n, sizeof(*names), cfg_dump_namecmp);
	for (i = 0; i < n; i++)
		if (param_find(names[i]) == NULL)
			buf_printf(&b, "%s=%s\n", names[i], cfg_str(names[i]));
	free(names);
	return buf_steal(&b);
}
