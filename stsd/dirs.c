/*
 * dirs - create and check the directories of an instance; see dirs.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: the directories of the table (mkdir, chown, chmod) and the
 * parents of data_directory and queue_directory (mkdir only).  Reads
 * the user and group databases.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "dirs.h"
#include "idname.h"
#include "mymalloc.h"
#include "proto.h"

#define DIRS_PARENT_MODE	0755	/* parents that mkdir -p makes */

const struct dirs_entry dirs_table[] = {
	{ "data_directory", NULL, 0710, DIRS_MAIL_OWNER, DIRS_GROUP_SETGID },
	{ "data_directory", "acme", 0700, DIRS_MAIL_OWNER, DIRS_GROUP_OWNER },
	{ "queue_directory", NULL, 0755, DIRS_ROOT, DIRS_GROUP_OWNER },
	{ "queue_directory", "incoming", 0700, DIRS_MAIL_OWNER, DIRS_GROUP_OWNER },
	{ "queue_directory", "active", 0700, DIRS_MAIL_OWNER, DIRS_GROUP_OWNER },
	{ "queue_directory", "deferred", 0700, DIRS_MAIL_OWNER, DIRS_GROUP_OWNER },
	{ "queue_directory", "corrupt", 0700, DIRS_MAIL_OWNER, DIRS_GROUP_OWNER },
	{ "queue_directory", PROTO_PRIVATE_DIR, 0700, DIRS_MAIL_OWNER, DIRS_GROUP_OWNER },
	{ "queue_directory", "metrics", 0700, DIRS_MAIL_OWNER, DIRS_GROUP_OWNER },
	{ "queue_directory", "certs", 0700, DIRS_MAIL_OWNER, DIRS_GROUP_OWNER },
	{ "queue_directory", "snapshot", 0700, DIRS_MAIL_OWNER, DIRS_GROUP_OWNER },
	{ "queue_directory", PROTO_PUBLIC_DIR, 0710, DIRS_MAIL_OWNER, DIRS_GROUP_SETGID },
	{ "queue_directory", "pid", 0755, DIRS_ROOT, DIRS_GROUP_OWNER },
	{ NULL, NULL, 0, 0, 0 },
};

/* Who owns what, for this run. */
struct dirs_ids {
	int	 enforce;		/* owners are checked (root runs) */
	uid_t	 root_uid;
	gid_t	 root_gid;
	uid_t	 owner_uid;
	gid_t	 owner_gid;
	gid_t	 setgid_gid;
};

struct dirs_run {
	dirs_report_fn report;
	void	*ctx;
	int	 fix;
	int	 problems;
};

static void __attribute__((format(printf, 3, 4)))
dirs_say(struct dirs_run *run, int problem, const char *fmt, ...)
{
	char line[PATH_MAX * 3];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (problem)
		run->problems++;
	if (run->report)
		run->report(problem, line, run->ctx);
}

char *
dirs_path(const struct dirs_entry *e)
{
	const char *top = cfg_str(e->param);

	if (e->sub == NULL)
		return xstrdup(top);
	return xasprintf("%s/%s", top, e->sub);
}

static int
dirs_ids(struct dirs_run *run, struct dirs_ids *ids)
{
	const char *owner = cfg_str("mail_owner");
	const char *group = cfg_str("setgid_group");
	struct passwd *pw;
	struct group *gr;

	memset(ids, 0, sizeof(*ids));
	if (geteuid() != 0) {
		ids->root_uid = ids->owner_uid = geteuid();
		ids->root_gid = ids->owner_gid = ids->setgid_gid = getegid();
		return 0;
	}
	ids->enforce = 1;
	if ((pw = getpwnam(owner)) == NULL) {
		dirs_say(run, 1, "mail_owner %s: no such user (fix: groupadd "
		    "--system %s; useradd --system --gid %s --home-dir "
		    "/nonexistent --shell /usr/sbin/nologin %s)", owner, owner,
		    owner, owner);
		return -1;
	}
	if (pw->pw_uid == 0) {
		dirs_say(run, 1, "mail_owner %s: must not be root (set it to an "
		    "unprivileged user in main.cf)", owner);
		return -1;
	}
	ids->owner_uid = pw->pw_uid;
	ids->owner_gid = pw->pw_gid;
	if ((gr = getgrnam(group)) == NULL) {
		dirs_say(run, 1, "setgid_group %s: no such group (fix: groupadd "
		    "--system %s)", group, group);
		return -1;
	}
	ids->setgid_gid = gr->gr_gid;
	return 0;
}

static void
dirs_want(const struct dirs_entry *e, const struct dirs_ids *ids,
    uid_t *uid, gid_t *gid)
{
	*uid = e->owner == DIRS_ROOT ? ids->root_uid : ids->owner_uid;
	*gid = e->owner == DIRS_ROOT ? ids->root_gid : ids->owner_gid;
	if (e->group == DIRS_GROUP_SETGID)
		*gid = ids->setgid_gid;
}

/* mkdir -p of the parents of path. */
static int
dirs_mkparents(struct dirs_run *run, const char *path)
{
	char tmp[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(tmp)) {
		dirs_say(run, 1, "%s: path longer than %d bytes", path, PATH_MAX);
		return -1;
	}
	strcpy(tmp, path);
	for (p = tmp + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(tmp, DIRS_PARENT_MODE) < 0 && errno != EEXIST) {
			dirs_say(run, 1, "%s: cannot create directory: %s", tmp,
			    strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static void
dirs_create(struct dirs_run *run, const struct dirs_entry *e,
    const char *path, const struct dirs_ids *ids)
{
	char u[IDNAME_MAX], g[IDNAME_MAX];
	uid_t uid;
	gid_t gid;

	if (e->sub == NULL && dirs_mkparents(run, path) < 0)
		return;
	dirs_want(e, ids, &uid, &gid);
	if (mkdir(path, e->mode) < 0) {
		dirs_say(run, 1, "%s: cannot create directory: %s", path,
		    strerror(errno));
		return;
	}
	/* The mode without the umask, then the owner. */
	if (chmod(path, e->mode) < 0 ||
	    (ids->enforce && chown(path, uid, gid) < 0)) {
		dirs_say(run, 1, "%s: cannot set mode or owner: %s", path,
		    strerror(errno));
		return;
	}
	dirs_say(run, 0, "%s: created (mode %04o, owner %s:%s)", path,
	    (unsigned)e->mode, idname(IDNAME_USER, uid, u, sizeof(u)),
	    idname(IDNAME_GROUP, gid, g, sizeof(g)));
}

static void
dirs_fix_owner(struct dirs_run *run, const struct dirs_entry *e,
    const char *path, const struct stat *st, const struct dirs_ids *ids)
{
	char u1[IDNAME_MAX], g1[IDNAME_MAX];
	char u2[IDNAME_MAX], g2[IDNAME_MAX];
	uid_t uid;
	gid_t gid;

	dirs_want(e, ids, &uid, &gid);
	if (!ids->enforce || (st->st_uid == uid && st->st_gid == gid))
		return;
	idname(IDNAME_USER, st->st_uid, u1, sizeof(u1));
	idname(IDNAME_GROUP, st->st_gid, g1, sizeof(g1));
	idname(IDNAME_USER, uid, u2, sizeof(u2));
	idname(IDNAME_GROUP, gid, g2, sizeof(g2));
	if (!run->fix) {
		dirs_say(run, 1, "%s: owner %s:%s, expected %s:%s (fix: chown "
		    "%s:%s %s)", path, u1, g1, u2, g2, u2, g2, path);
		return;
	}
	if (chown(path, uid, gid) < 0) {
		dirs_say(run, 1, "%s: cannot change owner to %s:%s: %s", path,
		    u2, g2, strerror(errno));
		return;
	}
	dirs_say(run, 0, "%s: changed owner %s:%s to %s:%s", path, u1, g1,
	    u2, g2);
}

static void
dirs_fix_mode(struct dirs_run *run, const struct dirs_entry *e,
    const char *path, const struct stat *st)
{
	unsigned have = st->st_mode & 07777;

	if (have == (unsigned)e->mode)
		return;
	if (!run->fix) {
		dirs_say(run, 1, "%s: mode %04o, expected %04o (fix: chmod %04o %s)",
		    path, have, (unsigned)e->mode, (unsigned)e->mode, path);
		return;
	}
	if (chmod(path, e->mode) < 0) {
		dirs_say(run, 1, "%s: cannot change mode to %04o: %s", path,
		    (unsigned)e->mode, strerror(errno));
		return;
	}
	dirs_say(run, 0, "%s: changed mode %04o to %04o", path, have,
	    (unsigned)e->mode);
}

static void
dirs_check_one(struct dirs_run *run, const struct dirs_entry *e,
    const struct dirs_ids *ids)
{
	char *path = dirs_path(e);
	struct stat st;
	int rc;

	/* The top directories may be symbolic links; what is below not. */
	rc = e->sub == NULL ? stat(path, &st) : lstat(path, &st);
	if (rc < 0 && errno == ENOENT)
		dirs_create(run, e, path, ids);
	else if (rc < 0)
		dirs_say(run, 1, "%s: %s", path, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		dirs_say(run, 1, "%s: not a directory (fix: move it away)", path);
	else {
		dirs_fix_owner(run, e, path, &st, ids);
		dirs_fix_mode(run, e, path, &st);
	}
	free(path);
}

int
dirs_check(int fix, dirs_report_fn report, void *ctx)
{
	struct dirs_run run = { report, ctx, fix, 0 };
	const struct dirs_entry *e;
	struct dirs_ids ids;

	if (dirs_ids(&run, &ids) < 0)
		return run.problems;
	for (e = dirs_table; e->param; e++) {
		if (*cfg_str(e->param) != '/') {
			if (e->sub == NULL)
				dirs_say(&run, 1, "%s = %s: not an absolute path",
				    e->param, cfg_str(e->param));
			continue;
		}
		dirs_check_one(&run, e, &ids);
	}
	return run.problems;
}
