/*
 * cfg - main.cf: read, expand, type-check and look up parameters.
 *
 * SYNOPSIS
 *	cfg_read(config_dir, &err)	reads config_dir/main.cf
 *	cfg_override("name", "value")	a master.cf "-o name=value"
 *	cfg_str("queue_directory")	expanded value, never NULL
 *	cfg_bool/cfg_int/cfg_size/cfg_time/cfg_list
 *
 * DESCRIPTION
 *	Every parameter has one entry in the table of params.h (name, type,
 *	default, one-line description).  main.cf holds "name = value" lines;
 *	a line that starts with white space continues the previous one; "#"
 *	starts a comment line.  Values may refer to other parameters as
 *	$name or ${name}.  After reading, every parameter of the table is
 *	expanded and checked against its type, so a program that started
 *	has a valid configuration.
 *
 *	Lookups of a name that is not in the table are a bug (log_panic).
 *
 * DIAGNOSTICS
 *	cfg_read() and cfg_override() return -1 and put one line in err,
 *	of the form "FILE:LINE: parameter NAME: what is wrong".  Unknown
 *	parameter names in main.cf give a warning (log_warn) with file and
 *	line and are otherwise kept, so that they can be used in $name.
 */
#ifndef STS_CFG_H
#define STS_CFG_H

#include "buf.h"

int	cfg_read(const char *config_dir, struct buf *err);
void	cfg_read_or_die(const char *config_dir);	/* log_fatal on error */
int	cfg_override(const char *name, const char *value, struct buf *err);

const char *cfg_str(const char *name);
int	cfg_bool(const char *name);
long long cfg_int(const char *name);
unsigned long long cfg_size(const char *name);	/* bytes */
long long cfg_time(const char *name);		/* seconds */
char	**cfg_list(const char *name);		/* NULL-terminated, owned by cfg */
const char *cfg_raw(const char *name);		/* as written, before expansion */
int	cfg_is_default(const char *name);	/* not set in main.cf nor -o */
const char *cfg_config_dir(void);		/* the directory read */

/* Value parsers, shared with master.cf and command options. */
int	cfg_parse_bool(const char *s, int *out);
int	cfg_parse_int(const char *s, long long *out);
int	cfg_parse_size(const char *s, unsigned long long *out);
int	cfg_parse_time(const char *s, long long *out);	/* default unit: s */

#endif
