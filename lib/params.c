/*
 * params - the table of every main.cf parameter and its variable; see
 * params.h.  The parameters themselves are in params_table.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "params.h"
#include "policy.h"		/* POLICY_MAX_AGE_MAX */

/*
 * An entry without its rule is written with the six leading fields only;
 * the rule's fields are then zero (no bound, no check), not an omission
 * that -Wextra should flag.
 */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* Bounds, in seconds and bytes. */
#define HOUR	3600LL
#define DAY	(24 * HOUR)
#define WEEK	(7 * DAY)
#define KIB	1024LL
#define MIB	(1024 * KIB)
#define GIB	(1024 * MIB)

/* The variables, var_NAME, of the type of each parameter's kind. */
#define PARAM(kind, name, ...)	PARAM_CTYPE_##kind var_##name;
#include "params_table.h"
#undef PARAM

const struct param param_table[] = {
#define PARAM(kind, name, ...) \
	{ #name, PARAM_##kind, __VA_ARGS__, \
	    .var = &var_##name, .size = sizeof(var_##name) },
#include "params_table.h"
#undef PARAM
	{ NULL, PARAM_STRING, NULL, NULL, NULL, NULL }
};

const struct param *
param_find(const char *name)
{
	const struct param *p;

	for (p = param_table; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

size_t
param_count(void)
{
	/* Not counting the entry that ends the table. */
	return sizeof(param_table) / sizeof(param_table[0]) - 1;
}

const char *
param_type_name(enum param_type type)
{
	switch (type) {
	case PARAM_STRING:
		return "string";
	case PARAM_BOOL:
		return "boolean";
	case PARAM_INT:
		return "integer";
	case PARAM_SIZE:
		return "size";
	case PARAM_TIME:
		return "time";
	case PARAM_LIST:
		return "list";
	case PARAM_PERCENT:
		return "percentage";
	}
	return "unknown";
}
