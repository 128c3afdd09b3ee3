/*
 * params - the one table of every main.cf parameter.
 *
 * stsconf prints it, stsd.conf(5) is generated from it, cfg(3) checks
 * main.cf against it.  A program's parameters are added here, never in
 * the program itself.
 *
 * SYNOPSIS
 *	param_find("queue_directory")	the table entry, or NULL
 *	param_type_name(PARAM_TIME)	"time"
 *	param_count()			number of entries
 *
 * DESCRIPTION
 *	defval is the default as it would be written in main.cf, and may
 *	refer to other parameters ($name).  defval == NULL means that cfg
 *	computes the default when it reads main.cf (myhostname: the host
 *	name).  choices, when not NULL, lists the only accepted values,
 *	separated by "|".  mandefault, when not NULL, is what stsd.conf(5)
 *	shows instead of defval, for defaults that depend on the build or
 *	on the host, so that the page is the same on every build.
 */
#ifndef STS_PARAMS_H
#define STS_PARAMS_H

#include <stddef.h>

enum param_type {
	PARAM_STRING,
	PARAM_BOOL,		/* yes | no */
	PARAM_INT,		/* decimal integer */
	PARAM_SIZE,		/* bytes, with optional k, m, g suffix */
	PARAM_TIME,		/* seconds, with optional s, m, h, d, w suffix */
	PARAM_LIST,		/* comma- or space-separated words */
};

struct param {
	const char *name;
	enum param_type type;
	const char *defval;	/* as it would be written in main.cf */
	const char *doc;	/* one line, for stsconf and stsd.conf(5) */
	const char *choices;	/* "a|b|c": the only valid values, or NULL */
	const char *mandefault;	/* default as stsd.conf(5) shows it, or NULL */
};

extern const struct param param_table[];	/* ends with name == NULL */

const struct param *param_find(const char *name);
const char *param_type_name(enum param_type);
size_t	param_count(void);

#endif
