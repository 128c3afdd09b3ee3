/*
 * stsd - the operator command of the stsd suite.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsd [-c config_dir] [-v] init DIR [--address ADDR] [--https-port N]
 *	    [--http-port N] [--smtp-port N] [--metrics-port N]
 *	    [--daemon-directory DIR] [--acme-directory URL] [--force]
 *	stsd [-c config_dir] [-v] check [--fix]
 *	stsd [-c config_dir] [-v] start | start-fg | stop | reload | status
 *
 * DESCRIPTION
 *	init writes the main.cf and master.cf of an instance that lives in
 *	one directory, and creates its directories; its master.cf has
 *	the metrics service on the host of metrics_listen (loopback)
 *	whatever --address says.  check validates main.cf and master.cf,
 *	creates missing directories (stsd/dirs), looks for the programs,
 *	and catches the usual mistakes, one line each with the fix: a
 *	directory that mail_owner cannot write (tried by a child that
 *	became mail_owner), a TSIG key (dns_update_key_file) that is
 *	missing, readable by group or others, or owned by another user, an
 *	inet address of master.cf already in use (a bind test; skipped
 *	while master runs), and an active domain without a certificate
 *	(asks policyd for the domains; skipped, said with -v, when policyd
 *	does not run).  start checks, then runs master, which
 *	becomes a daemon once it holds its lock and has bound its sockets;
 *	start-fg runs master in the foreground instead.  stop, reload and
 *	status find master through the lock of
 *	$queue_directory/pid/master.pid (held while master runs) and read
 *	$queue_directory/pid/services, which master keeps up to date.
 *
 *	The configuration directory is -c, else $STSD_CONFIG_DIR, else the
 *	one chosen at build time.  Messages for the operator start with
 *	"stsd: " and go to stderr; status and init write their report to
 *	stdout.  The full description is stsd(1).
 *
 *	This file holds main and the helpers of stsd.h; init is
 *	stsdinit.c, check stsdcheck.c and stsdcert.c (the certificates),
 *	start, stop, reload and status stsdcontrol.c.
 *
 * MAY TOUCH
 *	The instance directory given to init; the directories of the
 *	dirs(3) table; signals to the master process of the instance;
 *	public/policyd (domain-list, for check); test binds of master.cf's
 *	inet addresses.
 *
 * LIMITS
 *	stop waits STSD_STOP_WAIT seconds for master to exit.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "mymalloc.h"
#include "stsd.h"
#include "usage.h"

#define STSD_PID_FILE		"pid/master.pid"
#define STSD_PID_TEXT_MAX	32

const char *stsd_config_dir;
int stsd_verbose;

void
stsd_say(const char *fmt, ...)
{
	va_list ap;

	fputs("stsd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char stsd_usage_text[] =
	    "usage: stsd [-c config_dir] [-v] COMMAND\n"
	    "       stsd -h | --help | --version\n"
	    "commands:\n"
	    "  init DIR [--address ADDR] [--https-port N] [--http-port N]\n"
	    "      [--smtp-port N] [--metrics-port N] [--daemon-directory DIR]\n"
	    "      [--acme-directory URL] [--force]\n"
	    "  check [--fix]\n"
	    "  start | start-fg | stop | reload | status\n";

void
stsd_usage(void)
{
	usage_print(stsd_usage_text, USAGE_EXIT_ERROR);
}

/*
 * Files.
 */

/* mkdir -p with mode for what it creates. */
int
stsd_mkdirs(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(tmp)) {
		stsd_say("error: %s: path too long", path);
		return -1;
	}
	strcpy(tmp, path);
	for (p = tmp + 1;; p++) {
		p = strchr(p, '/');
		if (p)
			*p = '\0';
		if (mkdir(tmp, mode) != 0 && errno != EEXIST) {
			stsd_say("error: %s: cannot create directory: %s", tmp,
			    strerror(errno));
			return -1;
		}
		if (p == NULL)
			return 0;
		*p = '/';
	}
}

/*
 * The master process, found through its lock.
 */

/* 1: running (pid set), 0: not running, -1: cannot tell (said why). */
int
stsd_master_pid(long *pid)
{
	char *path = xasprintf("%s/%s", cfg_str("queue_directory"),
	    STSD_PID_FILE);
	char text[STSD_PID_TEXT_MAX];
	ssize_t n;
	int fd, rc;

	*pid = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc < 0)
			stsd_say("error: %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		rc = 0;
	} else if (errno == EWOULDBLOCK) {
		n = pread(fd, text, sizeof(text) - 1, 0);
		text[n > 0 ? n : 0] = '\0';
		*pid = strtol(text, NULL, 10);
		rc = 1;
		if (*pid <= 0) {
			stsd_say("error: %s: locked but holds no pid", path);
			rc = -1;
		}
	} else {
		stsd_say("error: %s: lock: %s", path, strerror(errno));
		rc = -1;
	}
	close(fd);
	free(path);
	return rc;
}

int
stsd_read_config(void)
{
	struct buf err = BUF_INIT;

	if (cfg_read(stsd_config_dir, &err) != 0) {
		stsd_say("error: %s", err.s);
		buf_free(&err);
		return -1;
	}
	buf_free(&err);
	return 0;
}

/* Says each line of err as an error; returns their number. */
int
stsd_say_lines(const struct buf *err)
{
	const char *p = err->s, *nl;
	int n = 0;

	for (; p != NULL && *p != '\0'; p = nl ? nl + 1 : NULL, n++) {
		nl = strchr(p, '\n');
		stsd_say("error: %.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
	}
	return n;
}

static int
stsd_command(const char *cmd, int argc, char **argv)
{
	if (strcmp(cmd, "init") == 0)
		return stsd_init(argc, argv);
	if (strcmp(cmd, "check") == 0) {
		if (argc > 2 || (argc == 2 && strcmp(argv[1], "--fix") != 0))
			stsd_usage();
		return stsd_check(argc == 2, 0) > 0;
	}
	if (argc != 1)
		stsd_usage();
	if (strcmp(cmd, "start") == 0)
		return stsd_start(0);
	if (strcmp(cmd, "start-fg") == 0)
		return stsd_start(1);
	if (strcmp(cmd, "stop") == 0)
		return stsd_stop();
	if (strcmp(cmd, "reload") == 0)
		return stsd_reload();
	if (strcmp(cmd, "status") == 0)
		return stsd_status();
	stsd_say("error: unknown command %s", cmd);
	stsd_usage();
}

int
main(int argc, char **argv)
{
	char resolved[PATH_MAX];
	const char *dir = usage_config_dir();
	int ch, rc;

	log_init("stsd", LOG_TO_STDERR);
	while ((ch = usage_getopt(argc, argv, "+c:vh", "stsd",
	    stsd_usage_text, &dir)) != -1) {
		switch (ch) {
		case 'v':
			stsd_verbose = 1;
			log_verbose = 1;
			break;
		default:
			stsd_usage();
		}
	}
	if (optind >= argc)
		stsd_usage();
	/* master runs with an absolute path: it may change directory. */
	stsd_config_dir = realpath(dir, resolved) ? resolved : dir;
	rc = stsd_command(argv[optind], argc - optind, argv + optind);
	cfg_free();
	return rc;
}

