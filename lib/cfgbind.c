/*
 * cfgbind - every parameter's variable follows the current configuration;
 * see cfgbind.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>

#include "cfg.h"
#include "cfgbind.h"

static void
cfg_bind_one(const struct param *p)
{
	switch (p->type) {
	case PARAM_STRING:
		*(const char **)p->var = cfg_str(p->name);
		break;
	case PARAM_BOOL:
		*(int *)p->var = cfg_bool(p->name);
		break;
	case PARAM_INT:
		*(long long *)p->var = cfg_int(p->name);
		break;
	case PARAM_SIZE:
		*(unsigned long long *)p->var = cfg_size(p->name);
		break;
	case PARAM_TIME:
		*(long long *)p->var = cfg_time(p->name);
		break;
	case PARAM_PERCENT:
		*(double *)p->var = cfg_percent(p->name);
		break;
	case PARAM_LIST:
		*(char ***)p->var = cfg_list(p->name);
		break;
	}
}

void
cfg_bind_all(void)
{
	const struct param *p;

	for (p = param_table; p->name != NULL; p++)
		cfg_bind_one(p);
}

/* Zero every variable: NULL, 0 or 0.0 (all bits zero on every target). */
void
cfg_bind_clear(void)
{
	const struct param *p;

	for (p = param_table; p->name != NULL; p++)
		memset(p->var, 0, p->size);
}

void
cfg_bind_now(void)
{
	(void)cfg_str("config_directory");	/* loads the defaults once */
}
