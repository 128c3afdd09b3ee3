/*
 * stsctl - the operator's command for hosted domains and policies.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsctl [-c config_dir] [-v] domain add|set|del|list|show|records ...
 *	stsctl [-c config_dir] check DOMAIN [--json]
 *	stsctl [-c config_dir] report list|show|summary|export|html ...
 *	stsctl [-c config_dir] queue list|show|requeue|delete ...
 *	stsctl [-c config_dir] cert list | renew HOST [--json]
 *	stsctl [-c config_dir] account add|set|del|list|show|token ...
 *	stsctl [-c config_dir] audit [--domain D] [--account A] [--since T]
 *	stsctl [-c config_dir] alert add|list|del DOMAIN ...
 *	stsctl [-c config_dir] node list [--json]
 *
 * DESCRIPTION
 *	Reads main.cf of the instance (-c, else $STSD_CONFIG_DIR, else the
 *	compiled-in configuration directory) and talks to policyd over
 *	$queue_directory/public/policyd, one request and one reply per
 *	command, within ipc_timeout; it never opens policy.db.  domain
 *	needs no privilege beyond membership of setgid_group (the group of
 *	the public socket); check runs the checks in-process; report reads
 *	reports.db read-only; cert reads acmed's state and asks acmed over
 *	public/acmed; queue works on the spool files and so runs as root or
 *	mail_owner.  See stsctl(1).
 *
 * DIAGNOSTICS
 *	Every error is one line "stsctl: what is wrong" on stderr, exit 1.
 *	A refused request changes nothing (policyd checks it whole first).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "esc.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "proto.h"
#include "timefmt.h"
#include "cert.h"
#include "check.h"
#include "fetchlist.h"
#include "queue.h"
#include "reports.h"
#include "perm.h"
#include "stsctl.h"
#include "usage.h"

int	stsctl_json;

static char *stsctl_socket;

const char *
stsctl_policyd_path(void)
{
	return stsctl_socket;
}

static void __attribute__((noreturn))
stsctl_vdie(int status, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "stsctl: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	exit(status);
}

void
stsctl_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stsctl_vdie(1, fmt, ap);
}

void
stsctl_usage_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stsctl_vdie(USAGE_EXIT_ERROR, fmt, ap);
}

time_t
stsctl_since(const char *arg, const char *what, int usage)
{
	const char *dev;
	time_t t;

	if (timefmt_rfc3339_parse(arg, &t, &dev) == 0)
		return t;
	if (usage)
		stsctl_usage_die("%s%s--since %s: expected YYYY-MM-DD or"
		    " YYYY-MM-DDTHH:MM:SSZ", what ? what : "", what ? ": " : "",
		    esc_printable(arg));
	stsctl_die("%s%s--since %s: expected YYYY-MM-DD or"
	    " YYYY-MM-DDTHH:MM:SSZ", what ? what : "", what ? ": " : "",
	    esc_printable(arg));
}

json_t *
stsctl_request(json_t *req, struct buf *why)
{
	struct buf err = BUF_INIT;
	json_t *reply = NULL;
	int timeout = (int)(var_ipc_timeout * 1000);
	int fd;

	if ((fd = ipc_connect_unix(stsctl_socket, timeout, &err)) < 0) {
		perm_check(stsctl_socket, W_OK);
		stsctl_die("cannot reach policyd: %s (is the instance running?"
		    " stsd -c %s start)", err.s, cfg_config_dir());
	}
	if (ipc_call(fd, req, &reply, timeout, &err) < 0)
		stsctl_die("policyd: %s (is it running? stsd -c %s status)",
		    err.s, cfg_config_dir());
	close(fd);
	json_decref(req);
	buf_free(&err);
	if (!json_is_true(json_object_get(reply, "ok"))) {
		const char *e = json_string_value(json_object_get(reply, "error"));

		buf_puts(why, e ? e : "request refused without a reason");
		json_decref(reply);
		return NULL;
	}
	return reply;
}

json_t *
stsctl_call(json_t *req)
{
	struct buf why = BUF_INIT;
	json_t *reply;

	if ((reply = stsctl_request(req, &why)) == NULL)
		stsctl_die("%s", why.s);
	return reply;
}

void
stsctl_print_json(json_t *reply)
{
	json_object_del(reply, "ok");
	if (json_dumpf(reply, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
		stsctl_die("cannot write JSON output");
	printf("\n");
}

static const struct stsctl_command {
	const char *name;
	int	(*main)(int, char **);
} stsctl_commands[] = {
	{ "domain", domain_main },
	{ "check", check_main },
	{ "report", report_main },
	{ "queue", queue_main },
	{ "cert", cert_main },
	{ "fetch", fetch_main },
	{ "account", account_main },
	{ "audit", audit_main },
	{ "alert", alert_main },
	{ "node", node_main },
	{ NULL, NULL }
};

static const char stsctl_usage_text[] =
	"usage: stsctl [-c config_dir] [-v] COMMAND ...\n"
	    "       stsctl -h | --help | --version\n"
	    "  domain add|set|del|list|show|records ... [--json]\n"
	    "  check DOMAIN [--json]\n"
	    "  report list|show|summary|export|html ... [--json]\n"
	    "  queue list|show ID|requeue ID|ALL|delete ID [--json]\n"
	    "  cert list [--json] | cert renew HOST [--json]\n"
	    "  fetch list DOMAIN [--since DATE] [--limit N] [--json]\n"
	    "  account add|set|del|list|show|token ... [--json]\n"
	    "  audit [--domain D] [--account A] [--since DATE] [--json]\n"
	    "  alert add|list|del DOMAIN ... [--json]\n"
	    "  node list [--json]\n"
	    "  (stsctl COMMAND without arguments, or stsctl(1), for more)\n";

static void __attribute__((noreturn))
stsctl_usage(void)
{
	usage_print(stsctl_usage_text, USAGE_EXIT_ERROR);
}

int
main(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	const char *config_dir = getenv("STSD_CONFIG_DIR");
	const struct stsctl_command *cmd;
	int c, rc;

	log_init("stsctl", LOG_TO_STDERR);
	while ((c = usage_getopt(argc, argv, "+c:vh", "stsctl",
	    stsctl_usage_text, &config_dir)) != -1) {
		switch (c) {
		case 'v':
			log_verbose++;
			break;
		default:
			stsctl_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		stsctl_usage();
	if (config_dir == NULL || *config_dir == '\0')
		config_dir = STS_CONFIG_DIR;
	if (cfg_read(config_dir, &err) < 0)
		stsctl_die("%s", err.s);
	buf_free(&err);
	stsctl_socket = proto_path(PROTO_POLICYD_PUBLIC);

	for (cmd = stsctl_commands; cmd->name != NULL; cmd++)
		if (strcmp(argv[0], cmd->name) == 0)
			break;
	if (cmd->name == NULL) {
		fprintf(stderr, "stsctl: %s: unknown command (domain, check, report,"
		    " queue, cert, fetch, account, audit, alert, node)\n",
		    argv[0]);
		exit(USAGE_EXIT_ERROR);
	}
	rc = cmd->main(argc, argv);
	free(stsctl_socket);
	return rc;
}
