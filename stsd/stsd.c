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
#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "certstore.h"
#include "cfg.h"
#include "db.h"
#include "dirs.h"
#include "esc.h"
#include "fileio.h"
#include "log.h"
#include "mastercf.h"
#include "mymalloc.h"
#include "plural.h"
#include "policyc.h"
#include "proto.h"
#include "proctitle.h"
#include "usage.h"

#define STSD_STOP_WAIT		30	/* seconds that stop waits */
#define STSD_POLL_US		100000	/* between looks at the lock */
#define STSD_PID_FILE		"pid/master.pid"
#define STSD_SERVICES_FILE	"pid/services"
#define STSD_PID_TEXT_MAX	32
#define STSD_SERVICES_LINE_MAX	1024
#define STSD_INSTANCE_OWNER	"stsd"	/* mail_owner of a root instance */
#define STSD_INIT_ZONE		"demo.test"
#define STSD_POLICYD_SOCKET	PROTO_POLICYD_PUBLIC
#define STSD_ACME_STATE		"acme/state.json"	/* acmed's, in data_directory */
#define STSD_POLICYD_TIMEOUT_MS	5000	/* for the domain list */
#define STSD_DB_CHECK_MS	30000	/* PRAGMA quick_check of one database */
#define STSD_OLD_CERTS		"certs"	/* under data_directory, before */

static const char *stsd_config_dir;
static int stsd_verbose;

/*
 * The services of the suite, as stsd init writes them into master.cf.
 * A line is enabled when its program is in daemon_directory; a daemon
 * that arrives later only needs its program installed and init run
 * again.  "%s:%d" services are inet, on --address and the given port.
 */
enum stsd_port {
	PORT_NONE,
	PORT_HTTPS,
	PORT_HTTP,
	PORT_SMTP,
	PORT_METRICS,
	PORT_COUNT,
};

struct stsd_service {
	const char *name;	/* unix service name; NULL for inet */
	enum stsd_port port;	/* inet: which port */
	const char *columns;	/* private unpriv chroot wakeup maxproc */
	const char *command;	/* program and arguments */
	const char *what;	/* a comment line above it */
};

static const struct stsd_service stsd_services[] = {
	{ "policyd", PORT_NONE, "n y n - 1", "policyd",
	    "policies and domains (private/ and public/policyd)" },
	{ NULL, PORT_HTTPS, "n y y - 2", "httpd",
	    "MTA-STS policies over HTTPS" },
	{ NULL, PORT_HTTP, "n y y - 1", "httpd -o httpd_tls=no",
	    "plain HTTP: ACME challenges" },
	{ NULL, PORT_SMTP, "n y y - 1", "rptrecv",
	    "TLS reports by mail" },
	{ "rptparse", PORT_NONE, "y y n 60 1", "rptparse",
	    "parses spooled reports into reports.db" },
	{ "acmed", PORT_NONE, "n y n 60 1", "acmed",
	    "certificates by ACME" },
	{ "dnsmon", PORT_NONE, "y y n - 1", "dnsmon",
	    "DNS and MX checks" },
	{ NULL, PORT_METRICS, "n y n - 1", "metrics",
	    "metrics for scraping" },
	{ NULL, PORT_NONE, NULL, NULL, NULL },
};

struct stsd_init {
	const char *dir;		/* as given */
	char	*top;			/* absolute */
	const char *address;
	int	 ports[PORT_COUNT];
	char	*daemon_dir;
	const char *acme_dir;		/* acme_directory_url, or NULL */
	int	 force;
};

static void __attribute__((format(printf, 1, 2)))
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

static void __attribute__((noreturn))
stsd_usage(void)
{
	usage_print(stsd_usage_text, USAGE_EXIT_ERROR);
}

/*
 * Files.
 */

/* Writes path atomically (a temporary file, then rename), durably. */
static int
stsd_write_file(const char *path, const char *text, mode_t mode)
{
	struct buf err = BUF_INIT;
	int rc;

	if ((rc = fileio_write_atomic(path, text, strlen(text), mode,
	    FILEIO_SYNC, &err)) < 0)
		stsd_say("error: %s", err.s);
	buf_free(&err);
	return rc;
}

/* mkdir -p with mode for what it creates. */
static int
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
static int
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

static int
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
static int
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

static int stsd_check_program(const char *dir, const char *program,
	    const char *why);

/*
 * The configuration as master would take it: main.cf against the rules
 * of the parameter table, its users and groups, the parameters that
 * must be set, then master.cf (its -o overrides against main.cf) and
 * the program of each service.  -1: main.cf itself is refused (said);
 * else the number of problems said.  *table is master.cf, or NULL.
 */
static int
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

/*
 * check
 */

static void
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
static int
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
 * What acmed says of host (from its state file, loaded by the caller):
 * " (acmed: STATE: LAST_ERROR)", escaped for the terminal, or "".
 */
static void
stsd_acme_state(json_t *acme, const char *host, struct buf *out)
{
	json_t *st = json_object_get(acme, host);
	const char *state = json_string_value(json_object_get(st, "state"));
	const char *last = json_string_value(json_object_get(st, "last_error"));

	buf_reset(out);
	if (acme != NULL && st == NULL) {
		buf_printf(out, " (acmed: no order for %s yet)", host);
		return;
	}
	if (state == NULL)
		return;
	buf_puts(out, " (acmed: ");
	esc_text(out, state);
	if (last != NULL && *last != '\0') {
		buf_puts(out, ": ");
		esc_text(out, last);
	}
	buf_puts(out, ")");
}

static int
stsd_check_domain_cert(json_t *d, json_t *acme)
{
	const char *name = json_string_value(json_object_get(d, "domain"));
	const char *state = json_string_value(json_object_get(d, "state"));
	const char *host = json_string_value(json_object_get(d, "policy_host"));
	struct buf why = BUF_INIT;
	char *path;
	int rc = 0, err;

	if (name == NULL || host == NULL || state == NULL ||
	    strcmp(state, "active") != 0 || strchr(host, '/') != NULL)
		return 0;
	path = xasprintf("%s/%s/%s/%s", cfg_str("queue_directory"),
	    CERTSTORE_DIR, host, CERTSTORE_CHAIN);
	if (access(path, R_OK) != 0) {
		if (cfg_bool("acme_enabled")) {
			err = errno;
			stsd_acme_state(acme, host, &why);
			stsd_say("error: domain %s is active but has no "
			    "certificate: %s: %s%s (fix: acmed has not installed "
			    "one yet: see what it waits for in stsctl cert list "
			    "and in acmed's log, or install fullchain.pem and "
			    "privkey.pem there)", name, path, strerror(err),
			    why.s ? why.s : "");
			buf_free(&why);
		} else
			stsd_say("error: domain %s is active but has no "
			    "certificate: %s: %s (fix: acme_enabled = yes so "
			    "that acmed gets one, or install fullchain.pem and "
			    "privkey.pem there)", name, path, strerror(errno));
		rc = 1;
	}
	free(path);
	return rc;
}

/*
 * One certificate of the store: expired is an error, less than
 * cert_warning_time left a warning (not counted: it is still served).
 */
static int
stsd_check_cert_health(const char *dir, const char *host, long long now,
    long long warning)
{
	struct certstore_leaf leaf;
	struct buf err = BUF_INIT;
	char when[32];
	time_t t;
	struct tm tm;
	int rc = 0;

	if (certstore_leaf_read(dir, host, &leaf, &err) < 0) {
		stsd_say("error: certificate of %s: %s", host, err.s);
		buf_free(&err);
		return 1;
	}
	buf_free(&err);
	t = (time_t)leaf.not_after;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", leaf.not_after);
	switch (certstore_health(leaf.not_after, now, warning)) {
	case CERTSTORE_EXPIRED:
		stsd_say("error: certificate of %s expired on %s (%s/%s/%s):"
		    " senders cannot fetch its policy (fix: stsctl cert renew"
		    " %s, or install a new fullchain.pem and privkey.pem"
		    " there)", host, when, dir, host, CERTSTORE_CHAIN, host);
		rc = 1;
		break;
	case CERTSTORE_WARNING:
		stsd_say("warning: certificate of %s expires on %s, in %lld"
		    " %s (cert_warning_time is %lld %s): renew it", host,
		    when, (leaf.not_after - now) / 86400,
		    plural((leaf.not_after - now) / 86400, "day", "days"),
		    warning / 86400, plural(warning / 86400, "day", "days"));
		break;
	default:
		break;
	}
	return rc;
}

/*
 * Every certificate in $queue_directory/certs, whoever installed it.
 * Returns the number of errors.
 */
static int
stsd_check_cert_store(void)
{
	char *dir = certstore_dir();
	long long now = (long long)time(NULL);
	long long warning = cfg_time("cert_warning_time");
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return 0;		/* dirs_check() said why */
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !certstore_host_ok(de->d_name))
			continue;
		n += stsd_check_cert_health(dir, de->d_name, now, warning);
	}
	closedir(d);
	free(dir);
	return n;
}

/*
 * One host directory of the store, read as a daemon reads it: both
 * files open, and (load: not at start; measured 2 ms a host with the
 * sanitizers, 2000 hosts in 4.1 s) the chain parses and the key
 * matches it.  Run in the
 * child of stsd_check_cert_access().
 */
static int
stsd_check_cert_files(const char *dir, const char *host, int load)
{
	char *chain = xasprintf("%s/%s/%s", dir, host, CERTSTORE_CHAIN);
	char *key = xasprintf("%s/%s/%s", dir, host, CERTSTORE_KEY);
	const char *owner = cfg_str("mail_owner"), *bad;
	SSL_CTX *ctx;
	unsigned long e;
	int rc = 0;

	if (access(chain, F_OK) != 0 && errno == ENOENT &&
	    access(key, F_OK) != 0 && errno == ENOENT)
		goto out;	/* an empty directory: the other checks say */
	if ((bad = chain, access(chain, R_OK) != 0) ||
	    (bad = key, access(key, R_OK) != 0)) {
		stsd_say("error: certificate of %s: %s: not readable by %s: "
		    "%s (fix: chown %s %s; chmod 0600 %s)", host, bad, owner,
		    strerror(errno), owner, bad, bad);
		rc = 1;
		goto out;
	}
	if (!load)
		goto out;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_use_certificate_chain_file(ctx, chain) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		e = ERR_get_error();
		stsd_say("error: certificate of %s: %s and %s cannot be used: "
		    "%s (fix: install a matching fullchain.pem and "
		    "privkey.pem there)", host, chain, key,
		    e ? ERR_reason_error_string(e) : "unknown error");
		rc = 1;
	}
	ERR_clear_error();
	SSL_CTX_free(ctx);
out:
	free(chain);
	free(key);
	return rc;
}

/*
 * Every host directory of the store is read by a child that has
 * become mail_owner (when run by root), as httpd and rptrecv will:
 * a key that root reads and mail_owner cannot is an error here, not
 * an "unrecognized name" alert at the first HTTPS fetch.
 */
static int
stsd_cert_files_all(void *arg)
{
	int load = *(const int *)arg, n = 0;
	struct dirent *de;
	char *dir = certstore_dir();
	DIR *d;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' &&
			    certstore_host_ok(de->d_name))
				n += stsd_check_cert_files(dir, de->d_name,
				    load);
		closedir(d);
	}
	free(dir);
	return n;
}

static int
stsd_check_cert_access(int load)
{
	return stsd_as_owner(stsd_cert_files_all, &load);
}

/*
 * The files of host directory from, copied into to (made with from's
 * mode and owner), each with its mode and owner, then from removed:
 * the move of stsd_certs_migrate() across file systems.
 */
static int
stsd_certs_copy(const char *from, const char *to, struct buf *err)
{
	struct buf data = BUF_INIT;
	struct dirent *de;
	struct stat st;
	char *src, *dst;
	DIR *d;
	int rc = 0;

	if (stat(from, &st) < 0 || (d = opendir(from)) == NULL) {
		buf_printf(err, "%s: %s", from, strerror(errno));
		return -1;
	}
	if (mkdir(to, st.st_mode & 07777) < 0 ||
	    chown(to, st.st_uid, st.st_gid) < 0) {
		buf_printf(err, "%s: %s", to, strerror(errno));
		closedir(d);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		src = xasprintf("%s/%s", from, de->d_name);
		dst = xasprintf("%s/%s", to, de->d_name);
		if (lstat(src, &st) < 0 || !S_ISREG(st.st_mode)) {
			buf_printf(err, "%s: not a regular file", src);
			rc = -1;
		} else if (cfg_read_file(src, &data, err) < 0 ||
		    fileio_write_atomic(dst, data.s, data.len, st.st_mode &
		    07777, FILEIO_SYNC, err) < 0 ||
		    chown(dst, st.st_uid, st.st_gid) < 0) {
			if (err->len == 0)
				buf_printf(err, "%s: %s", dst, strerror(errno));
			rc = -1;
		}
		if (data.s != NULL)
			memset(data.s, 0, data.len);	/* a private key */
		free(src);
		free(dst);
	}
	closedir(d);
	buf_free(&data);
	if (rc < 0)
		return -1;
	/* Copied: only now is the former one removed. */
	if ((d = opendir(from)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			src = xasprintf("%s/%s", from, de->d_name);
			(void)unlink(src);
			free(src);
		}
		closedir(d);
	}
	(void)rmdir(from);
	return 0;
}

/*
 * Certificates used to live in $data_directory/certs, outside the
 * chroot of httpd: each host directory left there is moved into
 * $queue_directory/certs, unless that already has one of the host.
 */
static int
stsd_certs_migrate(void)
{
	char *old = xasprintf("%s/%s", cfg_str("data_directory"),
	    STSD_OLD_CERTS);
	char *dir = certstore_dir(), *from, *to;
	struct buf err = BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int n = 0, left = 0;

	if ((d = opendir(old)) == NULL)
		goto out;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		from = xasprintf("%s/%s", old, de->d_name);
		to = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(to, &st) == 0) {
			stsd_say("warning: %s: not used (%s is): remove it",
			    from, to);
			left++;
		} else if (rename(from, to) == 0 || (errno == EXDEV &&
		    stsd_certs_copy(from, to, &err) == 0)) {
			stsd_say("%s: moved to %s (certificates live inside the"
			    " chroot of httpd)", from, to);
		} else {
			stsd_say("error: %s: cannot move it to %s: %s (fix: mv"
			    " %s %s)", from, to, err.len ? err.s :
			    strerror(errno), from, dir);
			n++;
		}
		buf_reset(&err);
		free(from);
		free(to);
	}
	closedir(d);
	if (left == 0 && n == 0 && rmdir(old) == 0)
		stsd_say("%s: removed (empty)", old);
out:
	buf_free(&err);
	free(old);
	free(dir);
	return n;
}

struct stsd_certs {
	json_t	*acme;		/* acmed's state, or NULL */
	int	 n;		/* problems said */
};

static int
stsd_check_certs_page(json_t *domains, void *arg, struct buf *err)
{
	struct stsd_certs *c = arg;
	json_t *d;
	size_t i;

	(void)err;
	json_array_foreach(domains, i, d)
		c->n += stsd_check_domain_cert(d, c->acme);
	return 0;
}

/*
 * Certificates of active domains, from policyd's domain list (the pages
 * by lib/policyc).  stsd check may run before start: then policyd does
 * not answer and the check is skipped (said with -v).
 */
static int
stsd_check_certs(void)
{
	struct buf err = BUF_INIT;
	struct stsd_certs c = { NULL, 0 };
	struct policyc pc;
	char *sock = proto_path(STSD_POLICYD_SOCKET), *state;

	if (policyc_open(&pc, sock, STSD_POLICYD_TIMEOUT_MS, &err) < 0) {
		if (stsd_verbose)
			stsd_say("policyd is not running (%s): certificates of "
			    "active domains not checked", err.s);
		goto out;
	}
	/* acmed's state of each host, for the domains without a certificate. */
	if (cfg_bool("acme_enabled")) {
		state = xasprintf("%s/%s", cfg_str("data_directory"),
		    STSD_ACME_STATE);
		c.acme = json_load_file(state, 0, NULL);
		if (!json_is_object(c.acme)) {
			json_decref(c.acme);
			c.acme = NULL;
		}
		free(state);
	}
	/* lib/policyc's own errors already name the request. */
	if (policyc_domain_pages(policyc_call, &pc, stsd_check_certs_page, &c,
	    &err) < 0)
		stsd_say("warning: policyd: %s%s: certificates not checked",
		    err.s != NULL && strncmp(err.s, PROTO_OP_DOMAIN_LIST ": ",
		    strlen(PROTO_OP_DOMAIN_LIST ": ")) == 0 ? "" :
		    PROTO_OP_DOMAIN_LIST ": ", err.s ? err.s : "");
	json_decref(c.acme);
	policyc_close(&pc);
out:
	free(sock);
	buf_free(&err);
	return c.n;
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
static int
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

/*
 * init
 */

static int
stsd_parse_port(const char *opt, const char *val)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(val, &end, 10);
	if (*val == '\0' || *end != '\0' || errno || n < 1 || n > 65535) {
		stsd_say("error: %s %s: expected a port number from 1 to 65535",
		    opt, val);
		exit(2);
	}
	return (int)n;
}

/* --acme-directory URL: by the rule of acme_directory_url, or exit 2. */
static void
stsd_init_acme_dir(const char *url)
{
	struct buf why = BUF_INIT;

	if (cfg_check_value(param_find("acme_directory_url"), url, &why) < 0) {
		stsd_say("error: --acme-directory %s: %s", url, why.s);
		exit(2);
	}
	buf_free(&why);
}

static void
stsd_init_args(int argc, char **argv, struct stsd_init *in)
{
	static const char *const port_opts[PORT_COUNT] = {
		NULL, "--https-port", "--http-port", "--smtp-port",
		"--metrics-port",
	};
	unsigned char addr[sizeof(struct in6_addr)];
	const char *opt, *val;
	char *eq, *name;
	int i, p;

	for (i = 1; i < argc; i++) {
		opt = argv[i];
		if (strncmp(opt, "--", 2) != 0) {
			if (in->dir != NULL)
				stsd_usage();
			in->dir = opt;
			continue;
		}
		if (strcmp(opt, "--force") == 0) {
			in->force = 1;
			continue;
		}
		/* --name value or --name=value */
		name = xstrdup(opt);
		if ((eq = strchr(name, '=')) != NULL) {
			*eq = '\0';
			val = opt + (eq - name) + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			stsd_say("error: %s needs a value", opt);
			exit(2);
		}
		for (p = PORT_HTTPS; p < PORT_COUNT; p++)
			if (strcmp(name, port_opts[p]) == 0)
				break;
		if (p < PORT_COUNT) {
			in->ports[p] = stsd_parse_port(name, val);
		} else if (strcmp(name, "--address") == 0) {
			if (inet_pton(AF_INET, val, addr) != 1 &&
			    inet_pton(AF_INET6, val, addr) != 1) {
				stsd_say("error: --address %s: expected a numeric "
				    "IPv4 or IPv6 address", val);
				exit(2);
			}
			in->address = val;
		} else if (strcmp(name, "--daemon-directory") == 0) {
			free(in->daemon_dir);
			in->daemon_dir = xstrdup(val);
		} else if (strcmp(name, "--acme-directory") == 0) {
			stsd_init_acme_dir(val);
			in->acme_dir = val;
		} else {
			stsd_say("error: init: unknown option %s", name);
			stsd_usage();
		}
		free(name);
	}
	if (in->dir == NULL)
		stsd_usage();
}

/*
 * The metrics listener is on the host of metrics_listen (loopback)
 * whatever --address says: it shows the operator's data.  Its port is
 * --metrics-port, else the one of metrics_listen.
 */
static const char *
stsd_metrics_listen(void)
{
	const struct param *p = param_find("metrics_listen");

	return p != NULL && p->defval != NULL ? p->defval : "127.0.0.1:9425";
}

static char *
stsd_inet_service(const struct stsd_init *in, enum stsd_port port)
{
	const char *listen = stsd_metrics_listen();
	const char *colon = strrchr(listen, ':');

	if (port == PORT_METRICS && colon != NULL)
		return xasprintf("%.*s:%d", (int)(colon - listen), listen,
		    in->ports[port]);
	if (strchr(in->address, ':'))
		return xasprintf("[%s]:%d", in->address, in->ports[port]);
	return xasprintf("%s:%d", in->address, in->ports[port]);
}

static void
stsd_init_maincf(const struct stsd_init *in, struct buf *cf)
{
	struct passwd *pw;
	struct group *gr;

	buf_printf(cf,
	    "# main.cf - the stsd instance in %s, written by \"stsd init\".\n"
	    "#\n"
	    "# Every path of the instance is under that directory and its\n"
	    "# listeners are on %s (see master.cf).  \"stsconf -c %s/etc -n\"\n"
	    "# prints what is set here; stsd.conf(5) describes every parameter.\n"
	    "\n", in->top, in->address, in->top);
	buf_printf(cf, "config_directory = %s/etc\n", in->top);
	buf_printf(cf, "daemon_directory = %s\n", in->daemon_dir);
	buf_printf(cf, "data_directory = %s/data\n", in->top);
	buf_printf(cf, "queue_directory = %s/spool\n", in->top);
	buf_printf(cf, "maillog_file = %s/log/stsd.log\n", in->top);
	if (geteuid() == 0) {
		buf_printf(cf, "mail_owner = %s\n", STSD_INSTANCE_OWNER);
	} else {
		/* Run by a user: the daemons stay that user. */
		pw = getpwuid(geteuid());
		gr = getgrgid(getegid());
		buf_printf(cf, "mail_owner = %s\n", pw ? pw->pw_name : "nobody");
		if (gr)
			buf_printf(cf, "setgid_group = %s\n", gr->gr_name);
	}
	buf_printf(cf,
	    "\n"
	    "# A test zone: domains need no DNS proof here (domain_verification\n"
	    "# = none); a real service sets its own zone and dns.\n"
	    "myhostname = localhost\n"
	    "sts_zone = %s\n"
	    "domain_verification = none\n", STSD_INIT_ZONE);
	if (in->acme_dir != NULL)
		buf_printf(cf,
		    "\n"
		    "# The ACME CA (stsd init --acme-directory): a staging\n"
		    "# directory first spares the production rate limits.\n"
		    "acme_directory_url = %s\n", in->acme_dir);
}

/* One master.cf line, in the columns of the header. */
static void
stsd_service_line(struct buf *cf, const char *prefix, const char *name,
    const struct stsd_service *s)
{
	char cols[5][8];

	if (sscanf(s->columns, "%7s %7s %7s %7s %7s", cols[0], cols[1],
	    cols[2], cols[3], cols[4]) != 5)
		log_panic("stsd_services: %s: bad columns", s->command);
	buf_printf(cf, "%s%-*s %-5s %-7s %-6s %-6s %-6s %-7s %s\n", prefix,
	    23 - (int)strlen(prefix), name, s->name ? "unix" : "inet", cols[0],
	    cols[1], cols[2], cols[3], cols[4], s->command);
}

/* Appends the master.cf lines; returns the number of services enabled. */
static int
stsd_init_mastercf(const struct stsd_init *in, struct buf *cf,
    struct buf *enabled)
{
	const struct stsd_service *s;
	struct buf off = BUF_INIT;
	char *name, *prog, *path, *sp;
	int n = 0;

	buf_printf(cf,
	    "# master.cf - the services of the stsd instance in %s, written\n"
	    "# by \"stsd init\".  One service per line; see stsd-master.cf(5).\n"
	    "#\n"
	    "# service               type  private unpriv chroot wakeup maxproc command + args\n"
	    "# =============================================================================\n",
	    in->top);
	for (s = stsd_services; s->command; s++) {
		name = s->name ? xstrdup(s->name) : stsd_inet_service(in, s->port);
		prog = xstrdup(s->command);
		if ((sp = strchr(prog, ' ')) != NULL)
			*sp = '\0';
		path = xasprintf("%s/%s", in->daemon_dir, prog);
		if (access(path, X_OK) == 0) {
			buf_printf(cf, "# %s\n", s->what);
			stsd_service_line(cf, "", name, s);
			buf_printf(enabled, "%s%s", n ? " " : "", name);
			n++;
		} else {
			stsd_service_line(&off, "#", name, s);
		}
		free(path);
		free(prog);
		free(name);
	}
	if (off.len > 0) {
		buf_printf(cf,
		    "\n"
		    "# Not enabled: their programs are not in %s.\n"
		    "# Remove the \"#\" of a line once its program is there.\n",
		    in->daemon_dir);
		buf_append(cf, off.s, off.len);
	}
	buf_free(&off);
	return n;
}

static int
stsd_init(int argc, char **argv)
{
	struct stsd_init in;
	struct buf maincf = BUF_INIT, mastercf = BUF_INIT, enabled = BUF_INIT;
	char resolved[PATH_MAX];
	char *etc = NULL, *main_path = NULL, *master_path = NULL, *log = NULL;
	int rc = 1, n, problems;

	memset(&in, 0, sizeof(in));
	in.address = "127.0.0.1";
	in.ports[PORT_HTTPS] = 8443;
	in.ports[PORT_HTTP] = 8080;
	in.ports[PORT_SMTP] = 2525;
	in.ports[PORT_METRICS] = strrchr(stsd_metrics_listen(), ':') ?
	    atoi(strrchr(stsd_metrics_listen(), ':') + 1) : 0;
	stsd_init_args(argc, argv, &in);
	if (in.daemon_dir == NULL) {
		in.daemon_dir = xstrdup(STS_DAEMON_DIR);
	} else {
		if (realpath(in.daemon_dir, resolved) == NULL) {
			stsd_say("error: --daemon-directory %s: %s", in.daemon_dir,
			    strerror(errno));
			goto out;
		}
		free(in.daemon_dir);
		in.daemon_dir = xstrdup(resolved);
	}
	if (stsd_mkdirs(in.dir, 0755) != 0)
		goto out;
	if (realpath(in.dir, resolved) == NULL) {
		stsd_say("error: %s: %s", in.dir, strerror(errno));
		goto out;
	}
	in.top = xstrdup(resolved);
	etc = xasprintf("%s/etc", in.top);
	main_path = xasprintf("%s/main.cf", etc);
	master_path = xasprintf("%s/master.cf", etc);
	log = xasprintf("%s/log", in.top);
	if (!in.force && (access(main_path, F_OK) == 0 ||
	    access(master_path, F_OK) == 0)) {
		stsd_say("error: %s: already holds an instance (%s exists); "
		    "use --force to write it again", in.top,
		    access(main_path, F_OK) == 0 ? main_path : master_path);
		goto out;
	}
	if (stsd_mkdirs(etc, 0755) != 0 || stsd_mkdirs(log, 0755) != 0)
		goto out;
	stsd_init_maincf(&in, &maincf);
	n = stsd_init_mastercf(&in, &mastercf, &enabled);
	if (stsd_write_file(main_path, maincf.s, 0644) != 0 ||
	    stsd_write_file(master_path, mastercf.s, 0644) != 0)
		goto out;
	printf("stsd: wrote %s and %s\n", main_path, master_path);
	if (n > 0)
		printf("stsd: services in master.cf: %s\n", enabled.s);
	else
		printf("stsd: no service in master.cf yet: no daemon program is "
		    "in %s\n", in.daemon_dir);

	stsd_config_dir = etc;
	if (stsd_read_config() != 0)
		goto out;
	problems = dirs_check(1, stsd_dirs_report, &problems);
	if (problems > 0) {
		stsd_say("fix the problems above, then: stsd -c %s check", etc);
		goto out;
	}
	printf("next:\n"
	    "    stsd -c %s start\n"
	    "    stsd -c %s status\n"
	    "    stsd -c %s stop\n", etc, etc, etc);
	rc = 0;
out:
	stsd_config_dir = NULL;
	free(etc);
	free(main_path);
	free(master_path);
	free(log);
	free(in.top);
	free(in.daemon_dir);
	buf_free(&maincf);
	buf_free(&mastercf);
	buf_free(&enabled);
	return rc;
}

/*
 * start, stop, reload, status
 */

/*
 * The argv of master: argv[0] is "stsd/master", so that ps tells it
 * from Postfix's master; *path is the program to exec.
 */
static char **
stsd_master_argv(int foreground, char **path)
{
	char **argv = xcalloc(6, sizeof(*argv));
	int n = 0;

	*path = xasprintf("%s/master", cfg_str("daemon_directory"));
	argv[n++] = proctitle_name(*path);
	if (foreground)
		argv[n++] = xstrdup("-f");
	if (stsd_verbose)
		argv[n++] = xstrdup("-v");
	argv[n++] = xstrdup("-c");
	argv[n++] = xstrdup(stsd_config_dir);
	argv[n] = NULL;
	return argv;
}

static void
stsd_free_argv(char **argv)
{
	char **p;

	for (p = argv; *p; p++)
		free(*p);
	free(argv);
}

/*
 * master's stderr, while it starts, is a file and not our stderr: what
 * master forks may keep the descriptor open for long, and a caller
 * that reads our output through a pipe ($(stsd start)) would wait for
 * it.  The file is copied to our stderr once master has returned.
 */
static int
stsd_error_file(void)
{
	char path[] = "/tmp/stsd-start.XXXXXX";
	int fd;

	if ((fd = mkstemp(path)) < 0)
		return -1;
	unlink(path);
	return fd;
}

static void
stsd_master_stdio(int errfd)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(null, STDOUT_FILENO) < 0 || dup2(errfd, STDERR_FILENO) < 0)
		_exit(127);
	close(null);
	close(errfd);
}

static void
stsd_copy_errors(int errfd)
{
	char chunk[4096];
	ssize_t n;
	off_t off = 0;

	while ((n = pread(errfd, chunk, sizeof(chunk), off)) > 0) {
		if (write(STDERR_FILENO, chunk, (size_t)n) != n)
			break;
		off += n;
	}
	close(errfd);
}

static int
stsd_start(int foreground)
{
	char **argv, *path;
	long pid;
	pid_t child;
	int status, running, errfd = -1;

	if (stsd_check(0, 1) > 0) {
		stsd_say("fatal: not starting: fix the problems above");
		return 1;
	}
	if ((running = stsd_master_pid(&pid)) != 0) {
		if (running > 0)
			stsd_say("the stsd master is already running (pid %ld)", pid);
		return 1;
	}
	argv = stsd_master_argv(foreground, &path);
	fflush(stdout);
	fflush(stderr);
	if (foreground) {
		execv(path, argv);
		stsd_say("fatal: %s: %s", path, strerror(errno));
		stsd_free_argv(argv);
		free(path);
		return 1;
	}
	if ((errfd = stsd_error_file()) < 0 || (child = fork()) < 0) {
		stsd_say("fatal: %s", strerror(errno));
		stsd_free_argv(argv);
		free(path);
		return 1;
	}
	if (child == 0) {
		stsd_master_stdio(errfd);
		execv(path, argv);
		stsd_say("fatal: %s: %s", path, strerror(errno));
		_exit(127);
	}
	stsd_free_argv(argv);
	free(path);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR) {
			stsd_say("fatal: waitpid: %s", strerror(errno));
			close(errfd);
			return 1;
		}
	stsd_copy_errors(errfd);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		stsd_say("the stsd master did not start");
		return WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
	}
	if (stsd_master_pid(&pid) > 0)
		stsd_say("started the stsd master (pid %ld)", pid);
	return 0;
}

static int
stsd_running_or_say(long *pid)
{
	int rc;

	if (stsd_read_config() != 0)
		return -1;
	if ((rc = stsd_master_pid(pid)) == 0)
		stsd_say("the stsd master is not running");
	return rc;
}

static int
stsd_stop(void)
{
	long pid, now;
	int i;

	if (stsd_running_or_say(&pid) <= 0)
		return 1;
	if (kill((pid_t)pid, SIGTERM) != 0) {
		stsd_say("error: cannot stop the stsd master (pid %ld): %s", pid,
		    strerror(errno));
		return 1;
	}
	stsd_say("stopping the stsd master (pid %ld)", pid);
	for (i = 0; i < STSD_STOP_WAIT * (1000000 / STSD_POLL_US); i++) {
		if (stsd_master_pid(&now) == 0)
			return 0;
		usleep(STSD_POLL_US);
	}
	stsd_say("error: the stsd master (pid %ld) did not stop within %d s",
	    pid, STSD_STOP_WAIT);
	return 1;
}

/*
 * Nothing is signalled unless master would take the new configuration
 * whole: a refused value would otherwise only show in the log, and
 * master would keep the old one while the operator believes otherwise.
 */
static int
stsd_reload(void)
{
	struct mastercf *table;
	long pid;
	int problems;

	problems = stsd_check_config(&table);
	mastercf_free(table);
	if (problems != 0) {
		stsd_say("fatal: not reloading: fix the problems above; the "
		    "running configuration stays in effect");
		return 1;
	}
	if (stsd_running_or_say(&pid) <= 0)
		return 1;
	if (kill((pid_t)pid, SIGHUP) != 0) {
		stsd_say("error: cannot signal the stsd master (pid %ld): %s",
		    pid, strerror(errno));
		return 1;
	}
	stsd_say("refreshing the stsd master (pid %ld)", pid);
	return 0;
}

static void
stsd_status_line(const char *line)
{
	char service[256], type[16], pid[24], state[24];
	long long started;
	int restarts;
	char when[32];
	struct tm tm;
	time_t t;

	if (sscanf(line, "%255s %15s %23s %23s %lld %d", service, type, pid,
	    state, &started, &restarts) != 6) {
		stsd_say("warning: %s/%s: malformed line ignored: %.80s",
		    cfg_str("queue_directory"), STSD_SERVICES_FILE, line);
		return;
	}
	t = (time_t)started;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", started);
	printf("%-23s %-5s %-8s %-10s %-20s %d\n", service, type,
	    strcmp(pid, "0") == 0 ? "-" : pid, state, when, restarts);
}

static int
stsd_status(void)
{
	char line[STSD_SERVICES_LINE_MAX];
	char *path;
	FILE *fp;
	long pid;

	if (stsd_running_or_say(&pid) <= 0)
		return 1;
	printf("the stsd master is running (pid %ld)\n", pid);
	path = xasprintf("%s/%s", cfg_str("queue_directory"),
	    STSD_SERVICES_FILE);
	if ((fp = fopen(path, "re")) == NULL) {
		if (errno != ENOENT)
			stsd_say("warning: %s: %s", path, strerror(errno));
		free(path);
		return 0;
	}
	printf("%-23s %-5s %-8s %-10s %-20s %s\n", "SERVICE", "TYPE", "PID",
	    "STATE", "SINCE", "RESTARTS");
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != '\0')
			stsd_status_line(line);
	}
	fclose(fp);
	free(path);
	return 0;
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
	const char *dir = getenv("STSD_CONFIG_DIR");
	int ch, rc;

	log_init("stsd", LOG_TO_STDERR);
	if (dir == NULL || *dir == '\0')
		dir = STS_CONFIG_DIR;
	while ((ch = getopt_long(argc, argv, "+c:vh", usage_long_options,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			dir = optarg;
			break;
		case 'h':
			usage_print(stsd_usage_text, 0);
		case USAGE_OPT_VERSION:
			usage_version("stsd");
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
