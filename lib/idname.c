/*
 * idname - the user or group name of a numeric id, for messages; see
 * idname.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <sys/types.h>

#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>

#include "idname.h"

const char *
idname(int kind, unsigned long id, char *buf, size_t size)
{
	const char *name = NULL;
	struct passwd *pw;
	struct group *gr;

	if (kind == IDNAME_USER) {
		if ((pw = getpwuid((uid_t)id)) != NULL)
			name = pw->pw_name;
	} else if ((gr = getgrgid((gid_t)id)) != NULL) {
		name = gr->gr_name;
	}
	if (name != NULL)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%lu", id);
	return buf;
}
