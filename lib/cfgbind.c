/*
 * cfgbind - a program's parameters bound once to typed variables; see
 * cfgbind.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>

#include "cfg.h"
#include "cfgbind.h"
#include "log.h"

static const struct cfg_bind *cfg_bind_tables[CFG_BIND_TABLES_MAX];
static size_t cfg_bind_ntables;

void
cfg_bind_register(const struct cfg_bind *table)
{
	if (cfg_bind_ntables == CFG_BIND_TABLES_MAX)
		log_panic("cfg_bind_register: more than %d tables",
		    CFG_BIND_TABLES_MAX);
	cfg_bind_tables[cfg_bind_ntables++] = table;
}

/* Whether b names a parameter of its type; the reason in err if not. */
static int
cfg_bind_ok(const struct cfg_bind *b, struct buf *err)
{
	const struct param *p = param_find(b->name);

	if (p == NULL) {
		buf_printf(err, "parameter %s is bound but not declared in"
		    " lib/params.c", b->name);
		return 0;
	}
	if (b->type != PARAM_STRING && b->type != p->type) {
		buf_printf(err, "parameter %s is bound as %s but is %s",
		    b->name, param_type_name(b->type),
		    param_type_name(p->type));
		return 0;
	}
	return 1;
}

static void
cfg_bind_one(const struct cfg_bind *b)
{
	switch (b->type) {
	case PARAM_STRING:
		*(const char **)b->var = cfg_str(b->name);
		break;
	case PARAM_BOOL:
		*(int *)b->var = cfg_bool(b->name);
		break;
	case PARAM_INT:
		*(long long *)b->var = cfg_int(b->name);
		break;
	case PARAM_SIZE:
		*(unsigned long long *)b->var = cfg_size(b->name);
		break;
	case PARAM_TIME:
		*(long long *)b->var = cfg_time(b->name);
		break;
	case PARAM_PERCENT:
		*(double *)b->var = cfg_percent(b->name);
		break;
	case PARAM_LIST:
		*(char ***)b->var = cfg_list(b->name);
		break;
	}
}

void
cfg_bind_all(void)
{
	struct buf err = BUF_INIT;
	const struct cfg_bind *b;
	size_t i;

	for (i = 0; i < cfg_bind_ntables; i++)
		for (b = cfg_bind_tables[i]; b->name != NULL; b++) {
			if (!cfg_bind_ok(b, &err))
				log_panic("cfg_bind: %s", err.s);
			cfg_bind_one(b);
		}
}

void
cfg_bind_clear(void)
{
	const struct cfg_bind *b;
	size_t i;

	for (i = 0; i < cfg_bind_ntables; i++)
		for (b = cfg_bind_tables[i]; b->name != NULL; b++)
			switch (b->type) {
			case PARAM_STRING:
				*(const char **)b->var = NULL;
				break;
			case PARAM_LIST:
				*(char ***)b->var = NULL;
				break;
			case PARAM_PERCENT:
				*(double *)b->var = 0;
				break;
			case PARAM_BOOL:
				*(int *)b->var = 0;
				break;
			case PARAM_SIZE:
				*(unsigned long long *)b->var = 0;
				break;
			case PARAM_INT:
			case PARAM_TIME:
				*(long long *)b->var = 0;
				break;
			}
}

void
cfg_bind_now(void)
{
	(void)cfg_str("config_directory");	/* loads the defaults once */
}

int
cfg_bind_check(struct buf *err)
{
	const struct cfg_bind *b;
	size_t i;
	int bad = 0;

	for (i = 0; i < cfg_bind_ntables; i++)
		for (b = cfg_bind_tables[i]; b->name != NULL; b++)
			if (!cfg_bind_ok(b, err)) {
				buf_puts(err, "\n");
				bad++;
			}
	return bad ? -1 : 0;
}
