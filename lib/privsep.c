/*
 * privsep - drop root privileges; see privsep.h.
 * SPDX-License-Identifier: ISC
 *
 * Order matters: the user database is read and the groups are set while
 * still root and outside the jail; the gid is set before the uid (after
 * setuid there is no right left to change it); the final check tries to
 * get root back and must fail.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "log.h"
#include "privsep.h"

static void
privsep_chroot(const char *dir)
{
	if (chroot(dir) != 0)
		log_fatal("privsep: chroot %s: %s", dir, strerror(errno));
	if (chdir("/") != 0)
		log_fatal("privsep: chdir / in chroot %s: %s", dir,
		    strerror(errno));
}

void
privsep_drop(const char *user, const char *chroot_dir)
{
	struct passwd *pw = NULL;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0) {
		log_debug("privsep: not running as root: keeping uid %ld%s%s",
		    (long)geteuid(), chroot_dir ? ", no chroot to " : "",
		    chroot_dir ? chroot_dir : "");
		return;
	}
	if (user != NULL) {
		errno = 0;
		if ((pw = getpwnam(user)) == NULL)
			log_fatal("privsep: user %s: %s", user, errno ?
			    strerror(errno) : "no such user");
		if (pw->pw_uid == 0)
			log_fatal("privsep: user %s has uid 0: refusing to run "
			    "a daemon as root", user);
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		if (initgroups(user, gid) != 0)
			log_fatal("privsep: initgroups %s: %s", user,
			    strerror(errno));
	}
	if (chroot_dir != NULL)
		privsep_chroot(chroot_dir);
	if (user == NULL) {
		log_debug("privsep: chroot %s, staying root", chroot_dir);
		return;
	}
	if (setresgid(gid, gid, gid) != 0)
		log_fatal("privsep: setgid %ld (%s): %s", (long)gid, user,
		    strerror(errno));
	if (setresuid(uid, uid, uid) != 0)
		log_fatal("privsep: setuid %ld (%s): %s", (long)uid, user,
		    strerror(errno));
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0)
		log_fatal("privsep: user %s could get root back after setuid",
		    user);
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid)
		log_fatal("privsep: user %s: ids did not change", user);
	log_debug("privsep: now user %s (uid %ld gid %ld)%s%s", user,
	    (long)uid, (long)gid, chroot_dir ? " in chroot " : "",
	    chroot_dir ? chroot_dir : "");
}
