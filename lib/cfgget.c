/*
 * cfgget - typed access to the parameters of the current configuration;
 * see cfgget.h.
 * SPDX-License-Identifier: ISC
 *
 * The one place that turns an entry's expanded text into a typed value:
 * the value was checked against its rule when it was read (cfgcheck),
 * so a parse here cannot fail.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfgpriv.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"

static struct cfg_entry *
cfg_get_typed(const char *name, enum param_type type, const char *caller)
{
	struct cfg_entry *e = cfg_get(name, caller);

	if (e->param == NULL || e->param->type != type)
		log_panic("%s: parameter %s is not of type %s", caller, name,
		    param_type_name(type));
	return e;
}

const char *
cfg_str(const char *name)
{
	return cfg_get(name, "cfg_str")->value;
}

/*
 * The typed getters: each looks its parameter up as its type (a wrong
 * type is a bug) and converts the value, which cfg_check has accepted.
 */
#define CFG_GETTER(fn, ctype, type, parse) \
	ctype \
	fn(const char *name) \
	{ \
		ctype v = 0; \
\
		parse(cfg_get_typed(name, type, #fn)->value, &v); \
		return v; \
	}

CFG_GETTER(cfg_bool, int, PARAM_BOOL, cfg_parse_bool)
CFG_GETTER(cfg_int, long long, PARAM_INT, cfg_parse_int)
CFG_GETTER(cfg_size, unsigned long long, PARAM_SIZE, cfg_parse_size)
CFG_GETTER(cfg_time, long long, PARAM_TIME, cfg_parse_time)
CFG_GETTER(cfg_percent, double, PARAM_PERCENT, cfg_parse_percent)

char **
cfg_list(const char *name)
{
	struct cfg_entry *e = cfg_get_typed(name, PARAM_LIST, "cfg_list");
	const char *p = e->value, *end;
	size_t n = 0;

	if (e->list != NULL)
		return e->list;
	e->list = xcalloc(strlen(p) / 2 + 2, sizeof(char *));
	for (;;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		for (end = p; *end && *end != ',' && !isspace((unsigned char)*end);
		    end++)
			;
		e->list[n++] = xstrndup(p, end - p);
		p = end;
	}
	return e->list;
}
