/*
 * perm - why stsctl may not use a file of the instance; see perm.h.
 * SPDX-License-Identifier: ISC
 *
 * MAY TOUCH
 *	nothing: stat(2) and access(2) of the path and its directories.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idname.h"
#include "perm.h"
#include "stsctl.h"

/* The line for what stops the caller: at, a directory or path itself. */
static void
perm_explain(struct buf *why, const char *path, const char *at, int amode)
{
	char ubuf[IDNAME_MAX], gbuf[IDNAME_MAX];
	const char *user, *group;
	struct stat st;
	mode_t grp, own;

	if (stat(at, &st) < 0) {
		buf_printf(why, "%s: permission denied at %s", path, at);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		grp = S_IXGRP;
		own = S_IXUSR;
	} else {
		grp = (amode & W_OK ? S_IWGRP : 0) | (amode & R_OK ? S_IRGRP : 0);
		own = (amode & W_OK ? S_IWUSR : 0) | (amode & R_OK ? S_IRUSR : 0);
	}
	user = idname(IDNAME_USER, st.st_uid, ubuf, sizeof(ubuf));
	group = idname(IDNAME_GROUP, st.st_gid, gbuf,
	    sizeof(gbuf));
	buf_printf(why, "%s: permission denied%s%s (mode %04o, owner %s,"
	    " group %s): ", path, strcmp(at, path) ? " at " : "",
	    strcmp(at, path) ? at : "", (unsigned)(st.st_mode & 07777), user,
	    group);
	if ((st.st_mode & grp) == grp)
		buf_printf(why, "run stsctl as root or as a member of group %s",
		    group);
	else if ((st.st_mode & own) == own)
		buf_printf(why, "only root and user %s may %s it", user,
		    S_ISDIR(st.st_mode) ? "enter" : amode & W_OK ? "write" :
		    "read");
	else
		buf_printf(why, "only root may %s it", S_ISDIR(st.st_mode) ?
		    "enter" : amode & W_OK ? "write" : "read");
}

int
perm_denied(const char *path, int amode, struct buf *why)
{
	char at[PERM_PATH_MAX];
	size_t i, len = strlen(path);

	if (access(path, amode) == 0 || errno != EACCES)
		return 0;
	if (len >= sizeof(at)) {
		buf_printf(why, "%s: permission denied", path);
		return 1;
	}
	/* The first directory on the way that the caller cannot search. */
	for (i = 1; i < len; i++) {
		if (path[i] != '/')
			continue;
		memcpy(at, path, i);
		at[i] = '\0';
		if (access(at, X_OK) < 0 && errno == EACCES) {
			perm_explain(why, path, at, amode);
			return 1;
		}
	}
	perm_explain(why, path, path, amode);
	return 1;
}

void
perm_check(const char *path, int amode)
{
	struct buf why = BUF_INIT;

	if (perm_denied(path, amode, &why))
		stsctl_die("%s", why.s);
	buf_free(&why);
}
