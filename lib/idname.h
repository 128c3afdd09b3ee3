/*
 * idname - the user or group name of a numeric id, for messages.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	char buf[IDNAME_MAX];
 *
 *	idname(IDNAME_USER, uid, buf, sizeof(buf))
 *	idname(IDNAME_GROUP, gid, buf, sizeof(buf))
 *
 * DESCRIPTION
 *	idname() writes into buf the name of a user (getpwuid) or group
 *	(getgrgid) id, or the decimal number when the id has no entry,
 *	and returns buf.  The name is copied: a later lookup does not
 *	change it.
 *
 * LIMITS
 *	IDNAME_MAX (64) bytes hold any name of the user database on
 *	Linux (32) and every id; a longer name is cut at size - 1.
 *
 * DIAGNOSTICS
 *	None: an id without an entry is shown as its number.
 */
#ifndef STS_IDNAME_H
#define STS_IDNAME_H

#include <stddef.h>

#define IDNAME_MAX	64

#define IDNAME_USER	0
#define IDNAME_GROUP	1

const char *idname(int kind, unsigned long id, char *buf, size_t size);

#endif
