/*
 * stsdcheck - stsd check: the configuration as master would take it, the
 * directories, programs, ports, keys, databases and throttled services;
 * see stsd.h.
 * SPDX-License-Identifier: ISC
 *
 * The certificates are stsdcert.c's.  May touch: the directories of the
 * dirs(3) table (created with --fix), test binds of master.cf's inet
 * addresses, a read-only PRAGMA quick_check of the databases.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "dirs.h"
#include "esc.h"
#include "mastercf.h"
#include "mymalloc.h"
#include "params.h"
#include "sqldb_conf.h"
#include "stsd.h"

#define STSD_DB_CHECK_MS	30000	/* PRAGMA quick_check of one database */

static int stsd_check_program(const char *dir, const char *program,
	    const char *why);

/*
 * Parameters that need others: the portal answers only to its host name
 * (httpd passes no other request to webd).  The number of problems said.
 */
static int
stsd_check_depends(void)
{
	if (!var_portal_enabled || *var_portal_hostname != '\0')
		return 0;
	stsd_say("error: %s: portal_enabled = yes needs portal_hostname, the"
	    " name the portal answers to on the HTTPS listener (fix: stsconf"
	    " -e portal_hostname=NAME, or portal_enabled=no)", cfg_file());
	return 1;
}

/*
 * The configuration as master would take it: main.cf against the rules
 * of the parameter table, its users and groups, the parameters that
 * must be set and those that need others, then master.cf (its -o overrides against main.cf) and
 * the program of each service.  -1: main.cf itself is refused (said);
 * else the number of problems said.  *table is master.cf, or NULL.
 */
int
stsd_check_config(struct mastercf **table)
{
	struct buf err = BUF_INIT;
	const char *daemon_dir;
	char *path, *why;
	int problems = 0, i;

	*table = NULL;
	if (stsd_read_config() != 0)
		return -1;
	if (cfg_check_host(&err) != 0) {
		stsd_say_lines(&err);
		buf_free(&err);
		return -1;
	}
	if (cfg_check_required(&err) != 0)
		problems += stsd_say_lines(&err);
	problems += stsd_check_depends();
	buf_reset(&err);
	path = xasprintf("%s/master.cf", stsd_config_dir);
	if (mastercf_read(path, 0, table, &err) != 0) {
		stsd_say("error: %s", err.s);
		problems++;
	}
	free(path);
	buf_free(&err);
	daemon_dir = cfg_str("daemon_directory");
	problems += stsd_check_program(daemon_dir, "master",
	    "the stsd master");
	for (i = 0; *table && i < (*table)->nservices; i++) {
		const struct mastercf_service *svc = &(*table)->services[i];

		why = xasprintf("master.cf:%d: service %s %s", svc->lineno,
		    svc->name, mastercf_type_name(svc->type));
		problems += stsd_check_program(daemon_dir, svc->command, why);
		free(why);
	}
	return problems;
}

void
stsd_dirs_report(int problem, const char *line, void *ctx)
{
	if (problem)
		stsd_say("error: %s", line);
	else if (ctx == NULL || stsd_verbose)
		stsd_say("%s", line);
}

static int
stsd_check_program(const char *dir, const char *program, const char *why)
{
	char *path = program[0] == '/' ? xstrdup(program) :
	    xasprintf("%s/%s", dir, program);
	struct stat st;
	int rc = 0;

	if (stat(path, &st) != 0) {
		stsd_say("error: %s: %s (%s; fix: install it or set "
		    "daemon_directory in main.cf)", path, strerror(errno), why);
		rc = 1;
	} else if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0) {
		stsd_say("error: %s: not an executable file (%s)", path, why);
		rc = 1;
	}
	free(path);
	return rc;
}

static int
stsd_check_maillog(void)
{
	const char *file = cfg_str("maillog_file");
	char *dir;
	const char *slash;
	int rc = 0;

	if (*file == '\0' || (slash = strrchr(file, '/')) == NULL ||
	    slash == file)
		return 0;
	dir = xstrndup(file, (size_t)(slash - file));
	if (access(dir, F_OK) != 0) {
		if (stsd_mkdirs(dir, 0755) == 0)
			stsd_say("%s: created for maillog_file", dir);
		else
			rc = 1;
	}
	free(dir);
	return rc;
}

/*
 * Writable directories: the directories that mail_owner owns are tried
 * by a child that has become mail_owner (when run by root), so that a
 * read-only mount or a wrong ACL shows before a daemon fails on it.
 */
/*
 * fn(arg) run by a child that has become mail_owner (when run by root:
 * without supplementary groups, as the daemons run), so that what it
 * finds is what a daemon will find; its number of problems (at most
 * 100), or 1 when the child could not be made.
 */
int
stsd_as_owner(int (*fn)(void *), void *arg)
{
	struct passwd *pw = NULL;
	pid_t child;
	int status;

	if (geteuid() == 0 && (pw = getpwnam(cfg_str("mail_owner"))) == NULL)
		return 0;	/* dirs_check said so */
	fflush(stderr);
	if ((child = fork()) < 0) {
		stsd_say("error: fork: %s", strerror(errno));
		return 1;
	}
	if (child == 0) {
		int n;

		if (pw != NULL && (setgroups(0, NULL) != 0 ||
		    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0))
			_exit(1);
		n = fn(arg);
		fflush(stderr);
		_exit(n > 100 ? 100 : n);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int
stsd_writable_dirs(void *arg)
{
	const struct dirs_entry *e;
	char *path;
	int n = 0;

	(void)arg;
	for (e = dirs_table; e->param; e++) {
		if (e->owner != DIRS_MAIL_OWNER)
			continue;
		path = dirs_path(e);
		if (access(path, W_OK | X_OK) != 0 && errno != ENOENT) {
			stsd_say("error: %s: not writable by %s: %s (fix: "
			    "make it writable: a read-write mount, "
			    "chown %s, chmod u+rwx)", path,
			    cfg_str("mail_owner"), strerror(errno),
			    cfg_str("mail_owner"));
			n++;
		}
		free(path);
	}
	return n;
}

static int
stsd_check_writable(void)
{
	return stsd_as_owner(stsd_writable_dirs, NULL);
}

/*
 * Ports: each inet service of master.cf is bound once, as master will;
 * only "in use" is a problem (a port below 1024 needs root, which the
 * operator may not be).  Not done while master runs: it holds them.
 */
static int
stsd_check_ports(const struct mastercf *table)
{
	const struct mastercf_service *svc;
	char addr[128];
	int i, j, fd, one = 1, n = 0;

	for (i = 0; table && i < table->nservices; i++) {
		svc = &table->services[i];
		for (j = 0; svc->type == MASTERCF_INET && j < svc->naddrs; j++) {
			fd = socket(svc->addrs[j].ss.ss_family, SOCK_STREAM |
			    SOCK_CLOEXEC, 0);
			if (fd < 0)
				continue;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (svc->addrs[j].ss.ss_family == AF_INET6)
				setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				    sizeof(one));
			if (bind(fd, (const struct sockaddr *)&svc->addrs[j].ss,
			    svc->addrs[j].len) != 0 && errno == EADDRINUSE) {
				mastercf_addr_str(&svc->addrs[j], addr,
				    sizeof(addr));
				stsd_say("error: master.cf:%d: service %s: %s is "
				    "already in use (fix: stop what listens there, "
				    "see ss -ltnp, or change the address in "
				    "master.cf)", svc->lineno, svc->name, addr);
				n++;
			}
			close(fd);
		}
	}
	return n;
}

/* The TSIG key of dns_update_key_file: 0600 or stricter, ours. */
static int
stsd_check_key_file(void)
{
	const char *file = cfg_str("dns_update_key_file");
	const char *owner = cfg_str("mail_owner");
	struct passwd *pw;
	struct stat st;

	if (*file == '\0')
		return 0;
	if (stat(file, &st) != 0) {
		stsd_say("error: dns_update_key_file %s: %s (fix: create it, "
		    "or empty dns_update_key_file)", file, strerror(errno));
		return 1;
	}
	if ((st.st_mode & 077) != 0) {
		stsd_say("error: dns_update_key_file %s: mode %04o, readable "
		    "by group or others (fix: chmod 0600 %s)", file,
		    (unsigned)(st.st_mode & 07777), file);
		return 1;
	}
	if (geteuid() == 0 && (pw = getpwnam(owner)) != NULL &&
	    st.st_uid != pw->pw_uid && st.st_uid != 0) {
		pw = getpwuid(st.st_uid);
		stsd_say("error: dns_update_key_file %s: owner %s, expected "
		    "%s or root (fix: chown %s %s)", file,
		    pw ? pw->pw_name : "unknown", owner, owner, file);
		return 1;
	}
	return 0;
}

/*
 * The databases: PRAGMA quick_check, read-only, on each file that
 * exists (a daemon creates its database at its first start).
 */
static int
stsd_check_databases(void)
{
	static const char *const files[] = { "policy.db", "reports.db" };
	struct buf err = BUF_INIT;
	char *path;
	size_t i;
	int n = 0, rc;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		path = xasprintf("%s/%s", cfg_str("data_directory"), files[i]);
		buf_reset(&err);
		if (access(path, F_OK) != 0)
			rc = 0;
		else
			rc = db_quick_check(path, STSD_DB_CHECK_MS, &err);
		if (rc > 0)
			stsd_say("warning: %s: not judged", err.s);
		else if (rc < 0) {
			stsd_say("error: %s (fix: stop stsd, restore %s from a "
			    "backup or recover it with sqlite3 .recover)", err.s,
			    files[i]);
			n++;
		}
		free(path);
	}
	buf_free(&err);
	return n;
}

/*
 * The storage engine, as policyd will take it (run as mail_owner):
 * postgresql_conninfo set, postgresql_password_file readable by
 * mail_owner alone: errors.  The database reached (its collation and
 * encoding looked at; nothing is created or migrated): a warning when
 * it cannot be, since a database down must not keep httpd from serving
 * the snapshot.
 */
static int
stsd_storage(void *arg)
{
	struct sqldb_target t;
	struct buf err = BUF_INIT;
	int n = 0;

	(void)arg;
	if (sqldb_conf_target(&t, "policy.db", "", &err) < 0) {
		stsd_say("error: %s", err.s);
		n++;
	} else if (sqldb_check(&t, &err) < 0)
		stsd_say("warning: %s (policyd starts once it can be"
		    " reached; httpd serves the snapshot meanwhile)", err.s);
	sqldb_conf_free(&t);
	buf_free(&err);
	return n;
}

static int
stsd_check_storage(void)
{
	return stsd_as_owner(stsd_storage, NULL);
}

/*
 * Services that master throttles: their processes keep exiting, and
 * the "throttled" line of $queue_directory/pid/services says so.
 */
static int
stsd_check_throttled(void)
{
	char line[STSD_SERVICES_LINE_MAX], service[256], type[16], state[24];
	char *path = xasprintf("%s/%s", cfg_str("queue_directory"),
	    STSD_SERVICES_FILE);
	long long since, pid;
	int restarts, n = 0;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL) {
		free(path);
		return 0;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%255s %15s %lld %23s %lld %d", service, type,
		    &pid, state, &since, &restarts) != 6 ||
		    strcmp(state, "throttled") != 0)
			continue;
		stsd_say("error: service %s (%s) is throttled by master: its "
		    "processes keep exiting (%d restarts, throttled for %lld s; "
		    "fix: see why in the log, e.g. grep '%s' in maillog_file "
		    "or syslog)", esc_printable(service), type, restarts,
		    (long long)time(NULL) - since, esc_printable(service));
		n++;
	}
	fclose(fp);
	free(path);
	return n;
}

/*
 * Checks the configuration and the directories; with quiet, changes
 * made are only said with -v.  Returns the number of problems.
 */
int
stsd_check(int fix, int quiet)
{
	struct mastercf *table = NULL;
	int problems, running, n;
	long pid;

	if ((problems = stsd_check_config(&table)) < 0)
		return 1;
	problems += dirs_check(fix, stsd_dirs_report, quiet ? &quiet : NULL);
	problems += stsd_certs_migrate();
	/* An expired certificate does not stop a start: the rest serve. */
	n = stsd_check_cert_store();
	if (!quiet)
		problems += n;
	problems += stsd_check_maillog();
	problems += stsd_check_writable();
	problems += stsd_check_key_file();
	problems += stsd_check_storage();
	n = stsd_check_cert_access(!quiet);
	if (!quiet)
		problems += n;
	if (!quiet)
		problems += stsd_check_databases();	/* may take seconds */
	if ((running = stsd_master_pid(&pid)) == 0)
		problems += stsd_check_ports(table);
	else if (running > 0)
		problems += stsd_check_throttled();
	problems += stsd_check_certs();
	mastercf_free(table);
	if (problems == 0 && stsd_verbose)
		stsd_say("%s: configuration and directories are fine",
		    stsd_config_dir);
	return problems;
}

