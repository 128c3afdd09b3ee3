/*
 * stsdinit - stsd init: the main.cf, master.cf and directories of an
 * instance that lives in one directory; see stsd.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: the instance directory given, and what stsd check --fix
 * creates there.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <getopt.h>

#include "buf.h"
#include "cfg.h"
#include "dirs.h"
#include "fileio.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "stsd.h"

#define STSD_INSTANCE_OWNER	"stsd"	/* mail_owner of a root instance */
#define STSD_INIT_ZONE		"demo.test"

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
	{ "webd", PORT_NONE, "y y n - 1", "webd",
	    "the portal of domain owners, behind httpd (portal_enabled)" },
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

int
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

