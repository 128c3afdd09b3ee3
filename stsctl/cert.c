/*
 * cert - stsctl cert list|renew; see cert.h.
 * SPDX-License-Identifier: ISC
 *
 * Reads acmed's state file and the certificate store
 * $queue_directory/certs (never writes them) and talks to acmed over
 * $queue_directory/public/acmed (master.cf: acmed unix n y n ...).
 * A renewal may take as long as acmed's exchange with the CA: the wait
 * is bounded by CERT_RENEW_TIMEOUT.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "cert.h"
#include "certstore.h"
#include "cfg.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"
#include "perm.h"
#include "proto.h"
#include "stsctl.h"
#include "usage.h"
#include "table.h"

#define CERT_RENEW_TIMEOUT	(15 * 60)	/* seconds */
#define CERT_POLICY_PREFIX	"mta-sts."

static void
cert_usage(void)
{
	fprintf(stderr, "usage: stsctl [-c config_dir] cert list [--json]\n"
	    "       stsctl [-c config_dir] cert renew HOST [--json]\n");
	exit(USAGE_EXIT_ERROR);
}

/* "2031-11-23T19:59:08Z", or "-" for 0 or less. */
static void
cert_time_at(long long at, char *out, size_t size)
{
	time_t t = (time_t)at;
	struct tm tm;

	if (at <= 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(out, size, "-");
	else
		strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
cert_time(json_t *v, char *out, size_t size)
{
	cert_time_at(json_is_integer(v) ? (long long)json_integer_value(v) : 0,
	    out, size);
}

/* The CN of an issuer "/C=../CN=name", or all of it. */
static const char *
cert_issuer_of(const char *s)
{
	const char *cn;

	if (s == NULL || *s == '\0')
		return "-";
	return (cn = strstr(s, "/CN=")) != NULL ? cn + 4 : s;
}

static const char *
cert_issuer(json_t *v)
{
	return cert_issuer_of(json_string_value(v));
}

/*
 * The certificates on disk into state: each host's not_after and
 * issuer from its file, a host acmed does not manage as state
 * "operator", and the health of each (cert_warning_time).  A store
 * that stsctl may not read (not run as root or mail_owner) leaves
 * acmed's view alone, and says so.
 */
static void
cert_merge_leaf(const char *host, const struct certstore_leaf *leaf,
    void *arg)
{
	json_t *state = arg, *st;

	if ((st = json_object_get(state, host)) == NULL) {
		st = json_pack("{s:s}", "state", "operator");
		json_object_set_new(state, host, st);
	}
	json_object_set_new(st, "not_after", json_integer(leaf->not_after));
	json_object_set_new(st, "issuer", json_string(leaf->issuer));
}

static void
cert_merge_store(json_t *state)
{
	char *dir = certstore_dir();

	if (certstore_leaves(dir, cert_merge_leaf, state) < 0)
		fprintf(stderr, "stsctl: warning: %s: %s: certificates installed"
		    " by hand not listed\n", dir, strerror(errno));
	free(dir);
}

/* "health" of each host with a not_after; a line on stderr if not ok. */
static int
cert_health(json_t *state)
{
	long long now = (long long)time(NULL);
	long long warning = var_cert_warning_time;
	enum certstore_health h;
	const char *host;
	json_t *st, *na;
	char when[32];
	int expired = 0;

	json_object_foreach(state, host, st) {
		if (!json_is_integer(na = json_object_get(st, "not_after")))
			continue;
		h = certstore_health(json_integer_value(na), now, warning);
		json_object_set_new(st, "health",
		    json_string(certstore_health_name(h)));
		cert_time(na, when, sizeof(when));
		if (h == CERTSTORE_EXPIRED) {
			fprintf(stderr, "stsctl: error: certificate of %s expired"
			    " on %s\n", host, when);
			expired++;
		} else if (h == CERTSTORE_WARNING)
			fprintf(stderr, "stsctl: warning: certificate of %s"
			    " expires on %s, within cert_warning_time\n", host,
			    when);
	}
	return expired;
}

static int
cert_list(int json)
{
	struct buf err = BUF_INIT;
	char *path = certstore_state_path();
	struct certstore_acme a;
	json_t *state, *st;
	struct table *t;
	const char *host, *e, *h;
	char when[32];
	int expired;

	perm_check(path, R_OK);
	if (certstore_state_read(&state, &err) < 0)
		stsctl_die("%s", err.s);
	cert_merge_store(state);
	expired = cert_health(state);
	if (json) {
		json_t *out = json_pack("{s:O}", "certs", state);

		stsctl_print_json(out);
		json_decref(out);
	} else {
		t = table_new(6, "HOST", "ISSUER", "NOT-AFTER", "STATE",
		    "HEALTH", "LAST-ERROR");
		json_object_foreach(state, host, st) {
			certstore_acme_get(st, &a);
			cert_time_at(a.not_after, when, sizeof(when));
			e = a.last_error;
			h = json_string_value(json_object_get(st, "health"));
			table_row(t, host, cert_issuer_of(a.issuer), when,
			    a.state ? a.state : "-", h ? h : "-",
			    e && *e ? e : "-");
		}
		table_print_or(t, stdout, "no certificates (none in the store,"
		    " none managed by acmed)");
		table_free(t);
	}
	json_decref(state);
	buf_free(&err);
	free(path);
	return expired > 0;
}

/*
 * acmed's refusal; for a name that is not a policy host, the policy
 * host of that domain is mta-sts.DOMAIN (RFC 8461 section 3.3).
 */
static void
cert_refused(const char *host, const char *error)
{
	if (strncasecmp(host, CERT_POLICY_PREFIX,
	    strlen(CERT_POLICY_PREFIX)) != 0 && strchr(host, '.') != NULL)
		stsctl_die("%s (the policy host of %s is %s%s: stsctl cert"
		    " renew %s%s)", error, host, CERT_POLICY_PREFIX, host,
		    CERT_POLICY_PREFIX, host);
	stsctl_die("%s", error);
}

static int
cert_renew(const char *host, int json)
{
	struct buf err = BUF_INIT;
	char *sock = proto_path(PROTO_ACMED_PUBLIC);
	int timeout = (int)(var_ipc_timeout * 1000), fd;
	json_t *req, *reply = NULL;
	const char *e;
	char when[32];

	if ((fd = ipc_connect_unix(sock, timeout, &err)) < 0) {
		perm_check(sock, W_OK);
		stsctl_die("cannot reach acmed: %s (does master.cf have"
		    " \"acmed unix n y n 60 1 acmed\"?)", err.s);
	}
	req = json_pack("{s:s, s:s}", "op", PROTO_OP_CERT_RENEW, "host",
	    host);
	if (ipc_call(fd, req, &reply, CERT_RENEW_TIMEOUT * 1000, &err) < 0)
		stsctl_die("acmed: %s", err.s);
	close(fd);
	json_decref(req);
	if (!json_is_true(json_object_get(reply, "ok"))) {
		e = json_string_value(json_object_get(reply, "error"));
		cert_refused(host, e ? e : "request refused without a reason");
	}
	if (json) {
		stsctl_print_json(reply);
	} else {
		cert_time(json_object_get(reply, "not_after"), when, sizeof(when));
		printf("%s: new certificate, valid until %s, issuer %s\n", host,
		    when, cert_issuer(json_object_get(reply, "issuer")));
	}
	json_decref(reply);
	buf_free(&err);
	free(sock);
	return 0;
}

int
cert_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cmd;
	int c, json = 0;

	if (argc < 2)
		cert_usage();
	cmd = argv[1];
	optind = 0;		/* GNU getopt: again from the start, permuting */
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else
			cert_usage();
	}
	argc -= 1 + optind;
	argv += 1 + optind;
	if (strcmp(cmd, "list") == 0) {
		if (argc != 0)
			stsctl_usage_die("cert list: unexpected argument \"%s\"",
			    argv[0]);
		return cert_list(json);
	}
	if (strcmp(cmd, "renew") == 0) {
		if (argc != 1)
			stsctl_usage_die("cert renew: %s", argc == 0 ?
			    "missing host name" : "one host at a time");
		return cert_renew(argv[0], json);
	}
	stsctl_usage_die("cert %s: unknown command (list, renew)", cmd);
}
