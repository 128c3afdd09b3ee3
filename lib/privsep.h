/*
 * privsep - give up root: chroot, groups, gid and uid, for good.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	privsep_drop(user, chroot_dir)
 *
 * DESCRIPTION
 *	Run as root, privsep_drop() looks up user (NULL: stay root, only
 *	chroot), sets its supplementary groups (initgroups), chroots to
 *	chroot_dir when that is not NULL (then chdir "/"), sets the real,
 *	effective and saved gid and uid, and checks that root cannot be
 *	regained.  Everything that needs root or the file system outside
 *	the jail (files to open, the user database, shared libraries,
 *	syslog) must be done before.
 *
 *	Run as another user (a test or demo instance), it changes nothing
 *	and says so with log_debug: such an instance cannot switch users
 *	and needs no protection from itself.
 *
 * DIAGNOSTICS
 *	Every failure is fatal (log_fatal) with the user or directory and
 *	the reason: a process that asked to drop privileges must not go on
 *	with them.  A user with uid 0 is refused.
 */
#ifndef STS_PRIVSEP_H
#define STS_PRIVSEP_H

void	privsep_drop(const char *user, const char *chroot_dir);

#endif
