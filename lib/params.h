/*
 * params - the one table of every main.cf parameter.
 * SPDX-License-Identifier: ISC
 *
 * stsconf prints it, stsd.conf(5) is generated from it, cfg(3) checks
 * main.cf against it and fills its variables.  A program's parameters
 * are added to params_table.h, never in the program itself.
 *
 * SYNOPSIS
 *	var_queue_directory		the value of queue_directory
 *	param_find("queue_directory")	the table entry, or NULL
 *	param_type_name(PARAM_TIME)	"time"
 *	param_count()			number of entries
 *
 * DESCRIPTION
 *	Each parameter has a variable, var_NAME, of the C type of its
 *	kind: const char * (strings: the expanded text), int (booleans),
 *	long long (integers, and times in seconds), unsigned long long
 *	(sizes in bytes), double (percentages), char ** (lists,
 *	NULL-terminated).  cfg(3) fills every variable whenever the current
 *	configuration changes: after a successful cfg_read or cfg_read_buf,
 *	an override, a restore; cfg_free clears them (lib/cfgbind).  Code
 *	reads its variables, never a parameter by name: the names, types
 *	and bounds stay in one place, where stsconf and "stsd check" read
 *	them.  Strings and lists point into the configuration and stay
 *	valid until its next change.  Before any configuration is read
 *	they are zero; cfg_bind_now() loads the defaults.
 *
 *	defval is the default as it would be written in main.cf, and may
 *	refer to other parameters ($name).  defval == NULL means that cfg
 *	computes the default when it reads main.cf (myhostname: the host
 *	name).  choices, when not NULL, lists the only accepted values,
 *	separated by "|".  mandefault, when not NULL, is what stsd.conf(5)
 *	shows instead of defval, for defaults that depend on the build or
 *	on the host, so that the page is the same on every build.
 *
 *	The trailing fields are the bounds of a value, the one rule that
 *	cfg applies to every value it reads (main.cf, master.cf -o), so
 *	that stsconf -e, stsd check, start and reload, master and every
 *	daemon refuse the same values (cfg_check_value() in cfg.h): min
 *	and max bound an integer, size or time (in bytes or seconds; both
 *	0: not bounded); check names a syntax, or a fact about the host
 *	(PARAM_CHECK_USER, _GROUP: made by cfg_check_host()); flags:
 *	PARAM_EMPTY_OK, an empty value passes the check ("none"), and
 *	PARAM_REQUIRED, a parameter without a usable default that the
 *	operator must set (an empty value is refused; left unset, stsd
 *	check says so, and values that refer to it are not checked until
 *	it is set).  An entry written without these fields has its type
 *	as its only rule.
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
	PARAM_PERCENT,		/* 0 to 100, decimals allowed, optional % */
};

/* What a value must be beyond its type. */
enum param_check {
	PARAM_CHECK_NONE,
	PARAM_CHECK_PATH,	/* an absolute path */
	PARAM_CHECK_USER,	/* a user that exists and is not root */
	PARAM_CHECK_GROUP,	/* a group that exists */
	PARAM_CHECK_DOMAIN,	/* a DNS name: letters, digits, - and . */
	PARAM_CHECK_ADDRESS_LIST, /* local@domain words */
	PARAM_CHECK_RCPT_LIST,	/* local@domain or local+*@domain words */
	PARAM_CHECK_URL,	/* an http:// or https:// URL */
	PARAM_CHECK_HTTPS_URL,	/* an https:// URL */
	PARAM_CHECK_URL_PATH,	/* "/" and printable characters but ? and # */
	PARAM_CHECK_HOSTPORT,	/* host:port or [v6]:port */
	PARAM_CHECK_CONNINFO,	/* libpq's conninfo without a password */
	PARAM_CHECK_ENGINE,	/* a storage engine of this build */
	PARAM_CHECK_NETWORK_LIST, /* ADDRESS[/BITS] words (lib/pubaddr) */
};

#define PARAM_EMPTY_OK	(1 << 0)	/* flags: "" passes the check */
#define PARAM_REQUIRED	(1 << 1)	/* flags: must be set in main.cf */

#define PARAM_DOMAIN_MAX	253	/* bytes of a DNS name (RFC 1035) */
#define PARAM_LABEL_MAX		63	/* bytes of one label */

struct param {
	const char *name;
	enum param_type type;
	const char *defval;	/* as it would be written in main.cf */
	const char *doc;	/* one line, for stsconf and stsd.conf(5) */
	const char *choices;	/* "a|b|c": the only valid values, or NULL */
	const char *mandefault;	/* default as stsd.conf(5) shows it, or NULL */
	long long min;		/* bytes, seconds or number; */
	long long max;		/* both 0: not bounded */
	enum param_check check;
	int	 flags;		/* PARAM_EMPTY_OK, PARAM_REQUIRED */
	void	*var;		/* var_NAME, of the type of its kind */
	size_t	 size;		/* sizeof(var_NAME) */
};

/* The C type of each kind. */
#define PARAM_CTYPE_STRING	const char *
#define PARAM_CTYPE_BOOL	int
#define PARAM_CTYPE_INT		long long
#define PARAM_CTYPE_SIZE	unsigned long long
#define PARAM_CTYPE_TIME	long long
#define PARAM_CTYPE_PERCENT	double
#define PARAM_CTYPE_LIST	char **

#define PARAM(kind, name, ...)	extern PARAM_CTYPE_##kind var_##name;
#include "params_table.h"
#undef PARAM

extern const struct param param_table[];	/* ends with name == NULL */

const struct param *param_find(const char *name);
const char *param_type_name(enum param_type);
size_t	param_count(void);

#endif
