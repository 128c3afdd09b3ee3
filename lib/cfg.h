/*
 * cfg - main.cf: read, expand, type-check and look up parameters.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	cfg_read(config_dir, &err)	reads config_dir/main.cf
 *	cfg_read_buf(file, data, len, &err)	the same, from memory
 *	cfg_override("name", "value", &err)	a master.cf "-o name=value"
 *	cfg_check_override("name", "value", &err)	the same checks only
 *	cfg_str("queue_directory")	expanded value, never NULL
 *	cfg_bool/cfg_int/cfg_size/cfg_time/cfg_percent/cfg_list
 *	cfg_raw/cfg_default/cfg_is_default/cfg_set_names
 *	cfg_check_host(&err)		users and groups of the table exist
 *	cfg_check_required(&err)	every PARAM_REQUIRED parameter is set
 *	cfg_check_value(param, "value", &why)	the table's rule of a value
 *	cfg_allowed(param, &buf)	what the rule allows, in words
 *	saved = cfg_save(); ... cfg_restore(saved) or cfg_forget(saved)
 *
 *	The tokenizer (cfg_scan, cfg_split_line, cfg_read_file) is
 *	cfgscan.h, the value parsers and the rules of the table
 *	(cfg_parse_*, cfg_check_value, cfg_allowed) cfgcheck.h, typed
 *	access (cfg_str, cfg_bool, ...) cfgget.h; this header includes
 *	them.
 *
 * DESCRIPTION
 *	Every parameter has one entry in the table of params.h (name, type,
 *	default, one-line description).  main.cf holds "name = value" lines;
 *	a line that starts with white space continues the previous one; a
 *	line whose first non-blank character is "#" is a comment, and
 *	comment lines and blank lines are skipped (also inside a continued
 *	line).  Values may refer to other parameters as $name or ${name};
 *	"$$" stands for one "$".  After reading, every parameter of the
 *	table is expanded and checked against its rule in the table (type,
 *	bounds, choices, syntax: params.h), so a program that started has
 *	a valid configuration and reads typed values without checking
 *	ranges again.  A parameter that refers to a PARAM_REQUIRED one left
 *	unset (sts_zone, until the operator sets it) is not checked; that
 *	the required one is missing is cfg_check_required()'s to say.
 *	cfg_check_host() checks what needs the host's databases (mail_owner
 *	exists and is not root, setgid_group exists); stsd check, start
 *	and reload, master and stsconf -e call it.
 *
 *	cfg_save() keeps the current configuration when the next one is
 *	read, so that a program that must check more than main.cf (master
 *	on SIGHUP: master.cf against the new main.cf, the host) can go
 *	back to it with cfg_restore(), or free it with cfg_forget().  One
 *	configuration is saved at a time.
 *
 *	Units: time values are a number with an optional unit s, m, h, d
 *	or w (no unit: seconds); sizes a number with an optional k, m or g
 *	(1024-based; no unit: bytes); booleans yes or no.
 *
 *	config_directory is always the directory read, whatever main.cf
 *	says; myhostname defaults to the system host name.
 *
 *	Lookups of a name that is neither in the table nor set in main.cf
 *	are a bug (log_panic), as is a typed lookup of a parameter of
 *	another type.  Strings and lists returned stay valid until the next
 *	successful cfg_read, cfg_read_buf or cfg_override, or cfg_free.
 *	Lookups before any cfg_read see the built-in defaults.
 *
 * LIMITS
 *	main.cf: CFG_FILE_MAX bytes; a logical line or an expanded value:
 *	CFG_LINE_MAX bytes; $name nesting: CFG_EXPAND_DEPTH levels.
 *
 * DIAGNOSTICS
 *	Functions that return int return 0 or -1 and then put one line in
 *	err, of the form "FILE:LINE: parameter NAME: what is wrong" ("-o
 *	name=value: parameter NAME: ..." for overrides).  Unknown parameter
 *	names in main.cf give a warning (log_warn) with file and line and
 *	are otherwise kept, so that they can be used in $name.  A failed
 *	cfg_read or cfg_override leaves the previous configuration in use.
 *	A value outside its rule gives, after "FILE:LINE: parameter NAME: ",
 *	'bad time value "400d": expected from 0s to 8766h' or 'bad value
 *	"root": expected a user that exists and is not root (it has uid 0)'.
 *	cfg_check_required() puts one line per missing parameter.
 */
#ifndef STS_CFG_H
#define STS_CFG_H

#include <stddef.h>

#include "buf.h"
#include "params.h"

#define CFG_FILE_MAX	(1024 * 1024)	/* bytes of main.cf or master.cf */
#define CFG_LINE_MAX	(64 * 1024)	/* bytes of a logical line or value */
#define CFG_EXPAND_DEPTH 32		/* $a -> $b -> ... levels */

#include "cfgscan.h"
#include "cfgcheck.h"
#include "cfgget.h"

int	cfg_read(const char *config_dir, struct buf *err);
int	cfg_read_buf(const char *file, const char *data, size_t len,
	    struct buf *err);
void	cfg_read_or_die(const char *config_dir);	/* log_fatal on error */
int	cfg_override(const char *name, const char *value, struct buf *err);
int	cfg_check_override(const char *name, const char *value,
	    struct buf *err);
void	cfg_free(void);

const char *cfg_raw(const char *name);		/* as written, before expansion */
const char *cfg_default(const char *name);	/* the table's (or computed) */
int	cfg_is_default(const char *name);	/* not set in main.cf nor -o */
const char *cfg_config_dir(void);		/* the directory read */
const char *cfg_file(void);			/* the main.cf read */
const char **cfg_set_names(void);		/* set in main.cf or -o; free()
						 * the array, not the names */

int	cfg_check_host(struct buf *err);
int	cfg_check_required(struct buf *err);

struct cfg;
struct cfg *cfg_save(void);
void	cfg_restore(struct cfg *);
void	cfg_forget(struct cfg *);

#endif
