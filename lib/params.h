/*
 * params - the one table of every main.cf parameter.
 *
 * stsconf prints it, stsd.conf(5) is generated from it, cfg(3) checks
 * main.cf against it.  A program's parameters are added here, never in
 * the program itself.
 */
#ifndef STS_PARAMS_H
#define STS_PARAMS_H

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
};

extern const struct param param_table[];	/* ends with name == NULL */

const struct param *param_find(const char *name);
const char *param_type_name(enum param_type);

#endif
