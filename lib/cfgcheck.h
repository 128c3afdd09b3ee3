/*
 * cfgcheck - the value parsers and the rules of the parameter table.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	cfg_parse_bool/int/size/time/percent(s, &out)	0 or -1
 *	cfg_check_value(param, "value", &why)	the table's rule of a value
 *	cfg_check_lookup(param, "value", &why)	users and groups exist
 *	cfg_allowed(param, &buf)		what the rule allows, in words
 *	cfg_format_number(type, v, &buf)	v with its largest exact unit
 *
 * DESCRIPTION
 *	Units: time values are a number with an optional unit s, m, h, d
 *	or w (no unit: seconds); sizes a number with an optional k, m or g
 *	(1024-based; no unit: bytes); booleans yes or no; percentages a
 *	number with an optional "%".  The parsers are shared with
 *	master.cf and command options.
 *
 *	cfg_check_value() checks a value against the type, bounds, choices
 *	and syntax that params.h gives the parameter; cfg_check_lookup()
 *	what needs the host's databases (PARAM_CHECK_USER: exists, not
 *	uid 0; PARAM_CHECK_GROUP: exists).
 *
 * LIMITS
 *	Numbers up to LLONG_MAX after their unit.
 *
 * DIAGNOSTICS
 *	cfg_check_value() and cfg_check_lookup() return 0, or -1 and
 *	append to why: 'bad time value "400d": expected from 0s to 8766h',
 *	'bad value "root": expected a user that exists and is not root (it
 *	has uid 0)'.
 */
#ifndef STS_CFGCHECK_H
#define STS_CFGCHECK_H

#include "buf.h"
#include "params.h"

int	cfg_parse_bool(const char *s, int *out);
int	cfg_parse_int(const char *s, long long *out);
int	cfg_parse_size(const char *s, unsigned long long *out);
int	cfg_parse_time(const char *s, long long *out);	/* default unit: s */
int	cfg_parse_percent(const char *s, double *out);	/* "0.5%", "1" */
int	cfg_check_value(const struct param *, const char *value,
	    struct buf *why);
int	cfg_check_lookup(const struct param *, const char *value,
	    struct buf *why);		/* PARAM_CHECK_USER, _GROUP */
void	cfg_allowed(const struct param *, struct buf *);
void	cfg_format_number(enum param_type, long long, struct buf *);

#endif
