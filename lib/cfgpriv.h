/*
 * cfgpriv - the entries of a configuration, shared by the files of the
 * cfg module only (cfg.c, cfgget.c).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	e = cfg_get("name", "caller")	the entry of the current
 *					configuration, expanded
 *
 * DESCRIPTION
 *	Not an interface: programs use cfg.h.  An entry holds the default,
 *	the value set in main.cf or by -o (with where it was set, for
 *	messages) and, once expanded, the expanded value.  cfg_get() reads
 *	the built-in defaults when no configuration was read yet.
 *
 * LIMITS
 *	Those of cfg.h.
 *
 * DIAGNOSTICS
 *	cfg_get() of a name that is neither in the table nor set in
 *	main.cf is a bug: log_panic naming caller and name.
 */
#ifndef STS_CFGPRIV_H
#define STS_CFGPRIV_H

#include <stddef.h>

#include "params.h"

struct cfg_entry {
	char	*name;
	const struct param *param;	/* NULL: not in the table */
	char	*defval;		/* NULL for names only in main.cf */
	char	*setval;		/* main.cf or -o value, or NULL */
	char	*where;			/* "FILE:LINE" or "-o name=value" */
	char	*value;			/* expanded, NULL until expanded */
	char	**list;			/* value split into words, on demand */
	int	 busy;			/* being expanded: loop detection */
	int	 unset;			/* refers to a required parameter that
					 * is not set: not checked */
};

struct cfg {
	char	*dir;			/* the configuration directory */
	char	*file;			/* the main.cf read, for messages */
	struct cfg_entry *ent;
	size_t	 nent, capent;
	size_t	*slot;			/* hash of names -> index in ent */
	size_t	 nslot;			/* a power of two */
	size_t	*setorder;		/* entries set in main.cf or -o */
	size_t	 nset, capset;
};

struct cfg_entry *cfg_get(const char *name, const char *caller);

#endif
