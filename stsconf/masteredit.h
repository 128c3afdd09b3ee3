/*
 * masteredit - change one service of master.cf as text (stsconf -M, -F).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	masteredit_service(file, data, len, "name/type=line", &out, &err)
 *	masteredit_field(file, data, len, "name/type/field=value", &out, &err)
 *	masteredit_show(file, data, len, "name/type/field" or NULL, &out, &err)
 *	masteredit_comment(file, data, len, "name/type", &out, &err)
 *	masteredit_uncomment(file, data, len, "name/type", &out, &err)
 *	masteredit_remove(file, data, len, "name/type", &out, &err)
 *
 * DESCRIPTION
 *	A service is named as postconf(1) names it: its service column and
 *	its type, "127.0.0.1:25/inet" or "policyd/unix"; a field adds one
 *	of service, type, private, unpriv, chroot, wakeup, process_limit or
 *	command (command is the command with all its arguments).
 *
 *	Each function writes the whole new master.cf to out: the logical
 *	line of the service is replaced (service; a field: the column is
 *	replaced in place, padded with spaces to keep the next column where
 *	it was, or, for the command or a column not on the first physical
 *	line, the entry is written with one space between words), prefixed with "#"
 *	on each of its physical lines (comment), found among the comment
 *	lines and given back (uncomment) or dropped (remove).  Every other
 *	byte is copied as it was, the comment lines inside the service's
 *	logical line too.  masteredit_service() appends a service that is
 *	not there yet.  Whether the result loads is the caller's check
 *	(mastercf_parse()).  masteredit_show() appends "name/type/field =
 *	value" lines, every field of every service when the key is NULL.
 *
 * LIMITS
 *	A key or value: MASTEREDIT_ARG_MAX bytes, printable characters and
 *	spaces only (no line break, no control character); a column value
 *	is one word.
 *
 * DIAGNOSTICS
 *	0, or -1 with one line in err, e.g. "no service smtp/inet in
 *	master.cf", "bad field "maxproc": expected one of ...".
 */
#ifndef STS_MASTEREDIT_H
#define STS_MASTEREDIT_H

#include <stddef.h>

#include "buf.h"

#define MASTEREDIT_ARG_MAX	4096	/* bytes of one -M or -F argument */

/* One edit of master.cf's text; masteredit_show() lists instead. */
typedef int masteredit_fn(const char *file, const char *data, size_t len,
	    const char *arg, struct buf *out, struct buf *err);

masteredit_fn masteredit_service;
masteredit_fn masteredit_field;
masteredit_fn masteredit_show;
masteredit_fn masteredit_comment;
masteredit_fn masteredit_uncomment;
masteredit_fn masteredit_remove;

#endif
