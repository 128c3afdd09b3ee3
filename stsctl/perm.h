/*
 * perm - why stsctl may not use a file of the instance.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	if (perm_denied(path, R_OK, &why)) stsctl_die("%s", why.s);
 *	perm_check(path, R_OK);		the same, dying
 *
 * DESCRIPTION
 *	perm_denied() tells whether the caller may not reach path (search
 *	every directory on the way) or use it as amode says (R_OK, W_OK),
 *	for lack of permission; then why gets one line naming the first
 *	directory or file that stops it, its mode, owner and group, and
 *	who may: "run stsctl as root or as a member of group stsd" when
 *	the group may, else root and the owner only.  A path that is
 *	missing, or usable, is not denied (0): the caller reports that
 *	in its own words.
 *
 * LIMITS
 *	PERM_PATH_MAX bytes of path.
 */
#ifndef STSCTL_PERM_H
#define STSCTL_PERM_H

#include "buf.h"

#define PERM_PATH_MAX	4096

int	perm_denied(const char *path, int amode, struct buf *why);
void	perm_check(const char *path, int amode);

#endif
