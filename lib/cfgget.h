/*
 * cfgget - typed access to the parameters of the current configuration.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	cfg_str("queue_directory")	expanded value, never NULL
 *	cfg_bool/cfg_int/cfg_size/cfg_time/cfg_percent/cfg_list
 *
 * DESCRIPTION
 *	Each call finds the parameter's expanded value, which passed its
 *	rule when main.cf was read (cfg.h), and gives it as its type:
 *	sizes in bytes, times in seconds, percentages from 0 to 100, lists
 *	split at commas and white space.  Strings and lists stay valid
 *	until the next successful cfg_read, cfg_read_buf or cfg_override,
 *	or cfg_free.  Lookups before any cfg_read see the built-in
 *	defaults.
 *
 * LIMITS
 *	Those of cfg.h.
 *
 * DIAGNOSTICS
 *	A lookup of a name that is neither in the table nor set in main.cf
 *	is a bug (log_panic), as is a typed lookup of a parameter of
 *	another type.
 */
#ifndef STS_CFGGET_H
#define STS_CFGGET_H

const char *cfg_str(const char *name);
int	cfg_bool(const char *name);
long long cfg_int(const char *name);
unsigned long long cfg_size(const char *name);	/* bytes */
long long cfg_time(const char *name);		/* seconds */
double	cfg_percent(const char *name);		/* 0 to 100 */
char	**cfg_list(const char *name);		/* NULL-terminated, owned by cfg */

#endif
