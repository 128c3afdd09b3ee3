/*
 * cfgdump - the whole current configuration as text, to compare two.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	char *cfg_dump(void)	"name=value\n" lines; free() it
 *
 * DESCRIPTION
 *	One line for every parameter of the table (lib/params_table.h), in its
 *	order, then one for every other name that main.cf sets (a master.cf
 *	"-o name=$other" may use it), sorted; every value expanded, as a
 *	program binds it.  Two configurations that a program can tell apart
 *	give different texts: a change that shows only through $name
 *	expansion or a default that follows the host does; comments, order
 *	and spelling do not.  master compares the texts on reload.
 *
 * LIMITS
 *	The size of main.cf (CFG_FILE_MAX) and of the parameter table
 *	bound the text.
 *
 * DIAGNOSTICS
 *	None: before any cfg_read the built-in defaults are dumped.
 */
#ifndef STS_CFGDUMP_H
#define STS_CFGDUMP_H

char	*cfg_dump(void);

#endif
