/*
 * dirs_test - stsd/dirs creates the instance directories with their
 * modes (and, as root, owners), reports what is wrong and fixes it.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "dirs.h"
#include "log.h"
#include "unit.h"

static struct buf lines = BUF_INIT;
static int nproblems, nchanges;

static void
collect(int problem, const char *line, void *ctx)
{
	buf_printf(&lines, "%s %s\n", problem ? "P" : "C", line);
	if (problem)
		nproblems++;
	else
		nchanges++;
}

static int
check(int fix)
{
	buf_reset(&lines);
	nproblems = nchanges = 0;
	return dirs_check(fix, collect, NULL);
}

static unsigned
mode_of(const char *dir, const char *sub)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (stat(path, &st) < 0)
		return 0;
	return st.st_mode & 07777;
}

static int
owner_is(const char *dir, const char *sub, uid_t uid, gid_t gid)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	return stat(path, &st) == 0 && st.st_uid == uid && st.st_gid == gid;
}

static int
config(const char *dir, const char *owner, const char *group)
{
	struct buf cf = BUF_INIT, err = BUF_INIT;
	int rc;

	buf_printf(&cf, "data_directory = %s/data\nqueue_directory = %s/q/spool\n",
	    dir, dir);
	if (owner)
		buf_printf(&cf, "mail_owner = %s\nsetgid_group = %s\n", owner, group);
	rc = cfg_read_buf("main.cf", cf.s, cf.len, &err);
	if (rc < 0)
		printf("# main.cf: %s\n", err.s);
	buf_free(&cf);
	buf_free(&err);
	return rc;
}

int
main(void)
{
	char dir[] = "/tmp/dirs_test.XXXXXX", want[16384], path[1024];
	int root = geteuid() == 0, n, rc;
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");
	uid_t uid = root && pw ? pw->pw_uid : geteuid();
	gid_t gid = root && pw ? pw->pw_gid : getegid();

	log_init("dirs_test", 0);
	if (mkdtemp(dir) == NULL)
		return 1;
	if (root && (pw == NULL || gr == NULL)) {
		printf("# skip: root run needs user nobody and group nogroup\n");
		return 0;
	}
	CHECK(config(dir, root ? "nobody" : NULL, "nogroup") == 0, "main.cf read");

	for (n = 0; dirs_table[n].param; n++)
		;
	rc = check(0);
	CHECK(rc == 0 && nproblems == 0 && nchanges == n,
	    "every missing directory is created, one line each");
	snprintf(want, sizeof(want), "C %s/q/spool/public: created (mode 0710, owner ",
	    dir);
	CHECK(strstr(lines.s, want) != NULL, "creation line names path, mode, owner");
	CHECK(mode_of(dir, "data") == 0710 && mode_of(dir, "q/spool/certs") == 0700,
	    "data_directory is 0710 (setgid_group reaches reports.db), certs 0700");
	CHECK(mode_of(dir, "q") == 0755, "missing parent of queue_directory made 0755");
	CHECK(mode_of(dir, "q/spool") == 0755 && mode_of(dir, "q/spool/pid") == 0755,
	    "queue_directory and pid are 0755");
	CHECK(mode_of(dir, "q/spool/incoming") == 0700 &&
	    mode_of(dir, "q/spool/active") == 0700 &&
	    mode_of(dir, "q/spool/deferred") == 0700 &&
	    mode_of(dir, "q/spool/corrupt") == 0700 &&
	    mode_of(dir, "q/spool/private") == 0700, "queue subdirectories are 0700");
	CHECK(mode_of(dir, "q/spool/public") == 0710, "public is 0710");
	if (root) {
		CHECK(owner_is(dir, "q/spool/private", uid, gid) &&
		    owner_is(dir, "data", uid, gid), "mail_owner owns private and data");
		CHECK(owner_is(dir, "q/spool/public", uid, gr->gr_gid),
		    "public belongs to mail_owner:setgid_group");
		CHECK(owner_is(dir, "q/spool", 0, 0) && owner_is(dir, "q/spool/pid", 0, 0),
		    "queue_directory and pid belong to root");
	}

	rc = check(0);
	CHECK(rc == 0 && nproblems == 0 && nchanges == 0, "second run: nothing to say");

	snprintf(path, sizeof(path), "%s/q/spool/private", dir);
	chmod(path, 0755);
	rc = check(0);
	snprintf(want, sizeof(want), "P %s: mode 0755, expected 0700 (fix: chmod 0700 %s)\n",
	    path, path);
	CHECK(rc == 1 && strcmp(lines.s, want) == 0,
	    "wrong mode: one problem line with the fix");
	CHECK(mode_of(dir, "q/spool/private") == 0755, "without fix the mode stays");
	rc = check(1);
	snprintf(want, sizeof(want), "C %s: changed mode 0755 to 0700\n", path);
	CHECK(rc == 0 && strcmp(lines.s, want) == 0 &&
	    mode_of(dir, "q/spool/private") == 0700, "with fix the mode is changed");

	if (root) {
		if (chown(path, 0, 0) < 0)
			return 1;
		rc = check(0);
		snprintf(want, sizeof(want), "P %s: owner root:root, expected nobody:nogroup "
		    "(fix: chown nobody:nogroup %s)\n", path, path);
		CHECK(rc == 1 && strcmp(lines.s, want) == 0,
		    "wrong owner: one problem line with the fix");
		rc = check(1);
		CHECK(rc == 0 && owner_is(dir, "q/spool/private", uid, gid),
		    "with fix the owner is changed");
	}

	snprintf(path, sizeof(path), "%s/q/spool/corrupt", dir);
	rmdir(path);
	rc = check(0);
	CHECK(rc == 0 && nchanges == 1 && mode_of(dir, "q/spool/corrupt") == 0700,
	    "a removed directory is created again");
	snprintf(path, sizeof(path), "%s/q/spool/active", dir);
	rmdir(path);
	fclose(fopen(path, "w"));
	rc = check(1);
	snprintf(want, sizeof(want), "P %s: not a directory", path);
	CHECK(rc == 1 && strstr(lines.s, want), "a file in place of a directory is a problem");
	unlink(path);

	if (root) {
		config(dir, "nosuchuser-stsd", "nogroup");
		rc = check(0);
		CHECK(rc == 1 && strstr(lines.s, "P mail_owner nosuchuser-stsd: no such user "
		    "(fix: groupadd --system nosuchuser-stsd; useradd"),
		    "missing mail_owner is reported with how to create it");
	}

	snprintf(want, sizeof(want), "rm -rf %s", dir);
	if (system(want) != 0)
		return 1;
	buf_free(&lines);
	cfg_free();
	return unit_failures ? 1 : 0;
}
