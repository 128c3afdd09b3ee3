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

int
cfg_bool(const char *name)
{
	int v = 0;

	cfg_parse_bool(cfg_get_typed(name, PARAM_BOOL, "cfg_bool")->value, &v);
	return v;
}

long long
cfg_int(const char *name)
{
	long long v = 0;

	cfg_parse_int(cfg_get_typed(name, PARAM_INT, "cfg_int")->value, &v);
	return v;
}

unsigned long long
cfg_size(const char *name)
{
	unsigned long long v = 0;

	cfg_parse_size(cfg_get_typed(name, PARAM_SIZE, "cfg_size")->value, &v);
	return v;
}

long long
cfg_time(const char *name)
{
	long long v = 0;

	cfg_parse_time(cfg_get_typed(name, PARAM_TIME, "cfg_time")->value, &v);
	return v;
}

double
cfg_percent(const char *name)
{
	double v = 0;

	cfg_parse_percent(cfg_get_typed(name, PARAM_PERCENT,
	    "cfg_percent")->value, &v);
	return v;
}

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
