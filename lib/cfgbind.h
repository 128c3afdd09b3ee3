/*
 * cfgbind - a program's parameters bound once to typed variables.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	static struct { const char *zone; long long timeout; } conf;
 *	static const struct cfg_bind mod_params[] = {
 *		CFG_BIND_STR("sts_zone", &conf.zone),
 *		CFG_BIND_TIME("ipc_timeout", &conf.timeout),
 *		CFG_BIND_END
 *	};
 *	CFG_BIND_REGISTER(mod_params)
 *
 *	The usual form names each parameter once, in a list that gives
 *	both the struct's fields and the table:
 *
 *	#define MOD_PARAMS(X, V) \
 *		X(V, STR, sts_zone) \
 *		X(V, TIME, ipc_timeout)
 *	struct mod_conf { CFG_FIELDS(MOD_PARAMS) };
 *	struct mod_conf mod_conf;
 *	CFG_BIND_TABLE(mod_params, mod_conf, MOD_PARAMS)
 *
 *	cfg_bind_now()			load the defaults if nothing was
 *					read yet, so that the variables hold
 *	cfg_bind_check(&err)		every registered table against
 *					lib/params.c (for tests)
 *
 * DESCRIPTION
 *	A module that reads main.cf parameters declares them once, in a
 *	table of its own that binds each name to a variable of the
 *	parameter's type: strings (the expanded text: any parameter may
 *	be bound as a string), int (yes/no), long long (integers and times
 *	in seconds), unsigned long long (sizes in bytes), double
 *	(percentages) and char ** (lists, NULL-terminated).  A variable of
 *	the wrong type does not compile.
 *
 *	CFG_BIND_REGISTER adds the table when the program starts (a
 *	constructor: only the modules a program links register).  cfg(3)
 *	fills every registered variable whenever the current configuration
 *	changes: after a successful cfg_read or cfg_read_buf, an override,
 *	a restore; cfg_free clears them.  Code then reads its variables,
 *	never a parameter by name: the names, types and bounds stay in
 *	lib/params.c, where stsconf and "stsd check" read them.
 *
 *	Strings and lists point into the configuration and stay valid
 *	until the next change, as with cfg_str.
 *
 * LIMITS
 *	CFG_BIND_TABLES_MAX tables per program.
 *
 * DIAGNOSTICS
 *	A name that lib/params.c does not declare, or declares with
 *	another type, is a bug: log_panic when the configuration is first
 *	loaded, and cfg_bind_check says which in a test.
 */
#ifndef STS_CFGBIND_H
#define STS_CFGBIND_H

#include "buf.h"
#include "params.h"

#define CFG_BIND_TABLES_MAX	64

struct cfg_bind {
	const char *name;
	enum param_type type;	/* PARAM_STRING: the text, of any type */
	void	*var;
};

/* The conditional makes a variable of another type a compile error. */
#define CFG_BIND_STR(n, v)	{ (n), PARAM_STRING, 1 ? (v) : (const char **)0 }
#define CFG_BIND_BOOL(n, v)	{ (n), PARAM_BOOL, 1 ? (v) : (int *)0 }
#define CFG_BIND_INT(n, v)	{ (n), PARAM_INT, 1 ? (v) : (long long *)0 }
#define CFG_BIND_SIZE(n, v)	{ (n), PARAM_SIZE, \
				    1 ? (v) : (unsigned long long *)0 }
#define CFG_BIND_TIME(n, v)	{ (n), PARAM_TIME, 1 ? (v) : (long long *)0 }
#define CFG_BIND_PERCENT(n, v)	{ (n), PARAM_PERCENT, 1 ? (v) : (double *)0 }
#define CFG_BIND_LIST(n, v)	{ (n), PARAM_LIST, 1 ? (v) : (char ***)0 }
#define CFG_BIND_END		{ NULL, PARAM_STRING, NULL }

/* The C type of each kind, for CFG_FIELDS. */
#define CFG_CTYPE_STR		const char *
#define CFG_CTYPE_BOOL		int
#define CFG_CTYPE_INT		long long
#define CFG_CTYPE_SIZE		unsigned long long
#define CFG_CTYPE_TIME		long long
#define CFG_CTYPE_PERCENT	double
#define CFG_CTYPE_LIST		char **

/* A list X(V, KIND, name) ... as struct fields, or as a bound table. */
#define CFG_FIELD(v, kind, name)	CFG_CTYPE_##kind name;
#define CFG_ROW(v, kind, name)		CFG_BIND_##kind(#name, &(v).name),
#define CFG_FIELDS(list)		list(CFG_FIELD, _)
#define CFG_BIND_TABLE(table, var, list) \
	static const struct cfg_bind table[] = { \
		list(CFG_ROW, var) CFG_BIND_END \
	}; \
	CFG_BIND_REGISTER(table)

#define CFG_BIND_REGISTER(table) \
	static void table##_register(void) __attribute__((constructor)); \
	static void table##_register(void) { cfg_bind_register(table); }

void	cfg_bind_register(const struct cfg_bind *table);
void	cfg_bind_now(void);
int	cfg_bind_check(struct buf *err);

/* For lib/cfg.c: fill every variable from the current configuration,
 * or clear them (cfg_free). */
void	cfg_bind_all(void);
void	cfg_bind_clear(void);

#endif
