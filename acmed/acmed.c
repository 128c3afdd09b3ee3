/*
 * acmed - certificates by ACME (RFC 8555) for every hosted policy host.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	acmed (started by stsd-master(8) from master.cf:
 *	    acmed  unix  n  y  n  60  1  acmed)
 *
 * DESCRIPTION
 *	acmed asks policyd for the hosted domains (domain-list over
 *	private/policyd) when it starts and at every wakeup, and makes
 *	sure that each active, verified or retiring domain's policy host
 *	has a certificate in $queue_directory/certs/HOST/ (lib/certstore.h,
 *	inside the chroot of httpd) that is not due
 *	for renewal; and so for smtp_hostname, the STARTTLS certificate of
 *	rptrecv, when acme_smtp_certificate = yes and the name is one a CA
 *	issues for (acmed_smtp_host()), and for portal_hostname when
 *	portal_enabled = yes (acmed_portal_host()).  A certificate is due when two
 *	thirds of its lifetime
 *	have passed, or when less than acme_renew_before remains, or when
 *	it is missing, unreadable, or does not match its key.
 *
 *	For a certificate it runs the ACME exchange (acme.c) with the
 *	account key $data_directory/acme/account.key, which it makes once
 *	and never rewrites; a key file that exists but cannot be used
 *	stops acmed (log_fatal) rather than making a new account.
 *	Challenges go to policyd as {"op":"challenge-add",...} and
 *	{"op":"challenge-remove",...}, which policyd passes on to httpd;
 *	after installing a certificate acmed sends {"op":"cert-changed",
 *	"host":H} so that httpd reloads it.
 *
 *	A failure is logged with the CA's problem document, remembered in
 *	acmed's state file (lib/certstore.h: what stsctl cert list shows) and
 *	retried after a delay that doubles from acmed_retry_min up to
 *	acmed_retry_max, or later when the CA said so (Retry-After).  The
 *	certificate in place is left alone until a new one is complete.
 *
 *	Requests on its sockets (private/acmed, and public/acmed for
 *	stsctl when master.cf says private = n):
 *	  {"op":"cert-renew","host":H} renews H now, whatever its state,
 *	    and replies when done: {"ok":true,"host":H,"not_after":T,
 *	    "issuer":S} or {"ok":false,"error":"..."};
 *	  {"op":"cert-list"} -> {"ok":true,"certs":{HOST:{...state...}}};
 *	  {"op":"check-now","domain":D} from policyd (lib/notify), when D
 *	    becomes active: a run within ACMED_CHECK_NOW_DELAY seconds,
 *	    so that a new domain's certificate does not wait for the
 *	    wakeup; no reply.
 *
 *	Several nodes on one database (storage_engine = postgresql): a
 *	run orders and renews only on the node whose policyd holds the
 *	lease acmed (policyc_lease_ask(), asked before each run); another
 *	node skips the run, says so once, and asks again every
 *	cluster_lease_time / 3; its cert-renew is refused, naming the
 *	holder.  On SQLite nothing is asked.
 *
 *	With acme_enabled = no acmed touches nothing and refuses
 *	cert-renew: operator-supplied certificates stay as they are.
 *
 * FILES
 *	$data_directory/acme/account.key; the state file and the
 *	certificate store of lib/certstore.h.
 *
 * LIMITS
 *	One exchange at a time; while it runs (each request at most
 *	acmed_request_timeout, each wait at most acmed_poll_timeout) the
 *	process answers nothing else.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "acme.h"
#include "certstore.h"
#include "esc.h"
#include "events.h"
#include "fetch.h"
#include "ipc.h"
#include "jws.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "notify.h"
#include "params.h"
#include "policyc.h"
#include "proto.h"
#include "server.h"
#include "store.h"
#include "timefmt.h"

#define ACMED_FIRST_RUN_DELAY	1	/* seconds after start */
#define ACMED_CHECK_NOW_DELAY	1	/* seconds after policyd's notice */
#define ACMED_POLICYD_RETRY	10	/* seconds, when policyd is away */

static struct {
	int	 enabled;
	EVP_PKEY *key;
	SSL_CTX	*tls;
	struct acme_client *client;
	struct acme_conf conf;
	char	*acme_dir;
	char	*certs_dir;
	char	*state_path;
	json_t	*state;
	struct event *timer;
	struct ipc_server *srv[SERVER_SOCKETS_MAX];
	int	 nsrv;
	int	 running;
} acmed;

static void acmed_run(void);

/* One node orders and renews (policyd's lease acmed). */
static struct policyc_lease acmed_lease = {
	PROTO_LEASE_ACMED, "certificate orders and renewals",
	POLICYC_LEASE_UNSAID, NULL,
};
static struct policyc_lease acmed_renew_lease = {
	PROTO_LEASE_ACMED, "a renewal asked for", POLICYC_LEASE_UNSAID, NULL,
};

/*
 * policyd
 */
static int
acmed_ipc_timeout(void)
{
	return (int)(var_ipc_timeout * 1000);
}

static json_t *
acmed_policyd_call(json_t *req, struct buf *err)
{
	return proto_call(PROTO_POLICYD_PRIVATE, json_incref(req),
	    acmed_ipc_timeout(), err);
}

/* lib/policyc's call, for the lease. */
static json_t *
acmed_lease_call(json_t *req, void *ctx, struct buf *err)
{
	(void)ctx;
	return proto_call(PROTO_POLICYD_PRIVATE, req, acmed_ipc_timeout(), err);
}

/* Seconds until a node without the lease asks again. */
static long long
acmed_lease_wait(void)
{
	long long s = var_cluster_lease_time / PROTO_LEASE_TICKS;

	return s > 0 ? s : 1;
}

static int
acmed_publish(const json_t *msg, void *arg, struct buf *err)
{
	size_t start = err->len;
	json_t *reply;

	(void)arg;
	if ((reply = acmed_policyd_call((json_t *)msg, err)) == NULL) {
		char *why = xstrdup(err->s ? err->s + start : "");

		err->len = start;
		if (err->s)
			err->s[start] = '\0';
		buf_printf(err, "policyd refused %s for %s: %s",
		    ipc_op(msg), json_string_value(json_object_get(msg, "host")),
		    why);
		free(why);
		return -1;
	}
	json_decref(reply);
	return 0;
}

static void
acmed_cert_changed(const char *host)
{
	struct buf err = BUF_INIT;
	json_t *req = json_pack("{s:s, s:s}", "op", PROTO_OP_CERT_CHANGED,
	    "host", host);
	json_t *reply = acmed_policyd_call(req, &err);

	if (reply == NULL)
		log_warn("%s: cannot tell policyd that the certificate changed:"
		    " %s", host, err.s);
	json_decref(reply);
	json_decref(req);
	buf_free(&err);
}

static void
acmed_hosts_free(char **hosts)
{
	for (char **p = hosts; p && *p; p++)
		free(*p);
	free(hosts);
}

/*
 * A name a CA issues certificates for: with a dot, neither localhost
 * nor an address literal.
 */
static int
acmed_host_issuable(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	size_t len = strlen(host);

	return strchr(host, '.') != NULL && certstore_host_ok(host) &&
	    strcasecmp(host, "localhost") != 0 &&
	    !(len > 10 && strcasecmp(host + len - 10, ".localhost") == 0) &&
	    inet_pton(AF_INET, host, addr) != 1 &&
	    inet_pton(AF_INET6, host, addr) != 1;
}

/*
 * smtp_hostname when rptrecv's STARTTLS certificate is acmed's to get
 * (acme_smtp_certificate = yes) and a CA can issue one for it.
 */
static const char *
acmed_smtp_host(void)
{
	const char *host = var_smtp_hostname;

	if (!var_acme_smtp_certificate || !acmed_host_issuable(host))
		return NULL;
	return host;
}

/*
 * portal_hostname when the portal is on (portal_enabled = yes): httpd
 * serves it on the HTTPS listener, with a certificate got as those of
 * the policy hosts and of smtp_hostname.
 */
static const char *
acmed_portal_host(void)
{
	const char *host = var_portal_hostname;

	if (!var_portal_enabled || *host == '\0' || !acmed_host_issuable(host))
		return NULL;
	return host;
}

/* hosts (*n names) with host (NULL: none) when it is not there yet. */
static char **
acmed_hosts_add(char **hosts, size_t *n, const char *host)
{
	if (host == NULL)
		return hosts;
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp(hosts[i], host) == 0)
			return hosts;
	hosts = xreallocarray(hosts, *n + 2, sizeof(char *));
	hosts[(*n)++] = xstrdup(host);
	hosts[*n] = NULL;
	return hosts;
}

struct acmed_hostlist {
	char	**hosts;		/* NULL-ended */
	size_t	 n;
};

/* The policy hosts of one page of domain-list that need a certificate. */
static int
acmed_hosts_page(json_t *domains, void *arg, struct buf *err)
{
	struct acmed_hostlist *l = arg;
	const char *state, *host, *name;
	json_t *d;
	size_t i;

	(void)err;
	l->hosts = xreallocarray(l->hosts, l->n + json_array_size(domains) + 1,
	    sizeof(char *));
	json_array_foreach(domains, i, d) {
		state = json_string_value(json_object_get(d, "state"));
		host = json_string_value(json_object_get(d, "policy_host"));
		name = json_string_value(json_object_get(d, "domain"));
		if (state == NULL || (strcmp(state, "active") != 0 &&
		    strcmp(state, "verified") != 0 &&
		    strcmp(state, "retiring") != 0))
			continue;
		if (host != NULL)
			l->hosts[l->n++] = xstrdup(host);
		else if (name != NULL)
			l->hosts[l->n++] = xasprintf("mta-sts.%s", name);
	}
	l->hosts[l->n] = NULL;
	return 0;
}

/*
 * The policy hosts that need a certificate, as a NULL-ended array, from
 * every page of domain-list (lib/policyc bounds the pages).
 */
static char **
acmed_hosts(struct buf *err)
{
	struct acmed_hostlist l = { xcalloc(1, sizeof(char *)), 0 };
	struct policyc c;
	int rc;

	if (policyc_open(&c, PROTO_POLICYD_PRIVATE, acmed_ipc_timeout(),
	    err) < 0) {
		acmed_hosts_free(l.hosts);
		return NULL;
	}
	rc = policyc_domain_pages(policyc_call, &c, acmed_hosts_page, &l, err);
	policyc_close(&c);
	if (rc < 0) {
		acmed_hosts_free(l.hosts);
		return NULL;
	}
	l.hosts = acmed_hosts_add(l.hosts, &l.n, acmed_smtp_host());
	return acmed_hosts_add(l.hosts, &l.n, acmed_portal_host());
}

/*
 * The state file.
 */
static json_t *
acmed_host_state(const char *host)
{
	json_t *st = json_object_get(acmed.state, host);

	if (!json_is_object(st)) {
		st = json_object();
		json_object_set_new(acmed.state, host, st);
	}
	return st;
}

static void
acmed_state_save(void)
{
	struct buf err = BUF_INIT;

	if (certstore_state_save(acmed.state_path, acmed.state, &err) < 0)
		log_warn("%s", err.s);
	buf_free(&err);
}

static void
acmed_state_info(json_t *st, const struct store_info *info)
{
	certstore_acme_set_leaf(st, info->not_before, info->not_after,
	    info->issuer);
}

/* The log line of a certificate just installed, its end as a date. */
static void
acmed_log_installed(const char *host, const struct store_info *info)
{
	char *until = timefmt_utc(info->not_after);

	log_info("%s: new certificate installed, valid until %s, issuer %s",
	    host, until, info->issuer);
	free(until);
}

/*
 * One host.
 */
static int
acmed_due(const struct store_info *info, long long now)
{
	long long life = info->not_after - info->not_before;

	if (now >= info->not_before + life * 2 / 3)
		return 1;
	return info->not_after - now <= var_acme_renew_before;
}

static long long
acmed_backoff(long long failures, long long retry_at, long long now)
{
	long long d = var_acmed_retry_min;
	long long hi = var_acmed_retry_max;

	for (long long i = 1; i < failures && d < hi; i++)
		d *= 2;
	if (d > hi)
		d = hi;
	if (retry_at > now + d)
		d = retry_at - now;
	return d;
}

static int
acmed_issue(const char *host, json_t *st, long long now, struct buf *err)
{
	struct acme_challenge_hooks hooks = { acmed_publish, NULL };
	struct acme_result res;
	struct certstore_acme acme;
	struct store_info info;
	long long failures, delay;

	log_info("%s: requesting a certificate from %s (%s)", host,
	    acmed.conf.directory_url, acmed.conf.challenge);
	certstore_acme_set_state(st, "pending", 0);
	if (acme_issue(acmed.client, host, &hooks, &res, err) == 0 &&
	    certstore_install(acmed.certs_dir, host, res.key_pem, res.chain_pem,
	    err) == 0 && store_info(acmed.certs_dir, host, &info, err) == 0) {
		acme_result_clear(&res);
		acmed_state_info(st, &info);
		certstore_acme_set_installed(st, now);
		acmed_state_save();
		acmed_log_installed(host, &info);
		metrics_inc(METRIC_ACME_ORDERS, "result", "issued", NULL);
		acmed_cert_changed(host);
		return 0;
	}
	certstore_acme_get(st, &acme);
	failures = acme.failures + 1;
	delay = acmed_backoff(failures, res.retry_at, now);
	certstore_acme_set_failed(st, failures, now + delay, err->s ? err->s :
	    "", res.problem_type, now);
	acmed_state_save();
	log_warn("%s: certificate request failed (attempt %lld, next in %lld s):"
	    " %s", host, failures, delay, err->s ? err->s : "");
	metrics_inc(METRIC_ACME_ORDERS, "result", "failed", NULL);
	acme_result_clear(&res);
	return -1;
}

/* Checks one host and renews when due (or when forced). */
static int
acmed_host(const char *host, int force, long long now, struct buf *err)
{
	struct certstore_acme acme;
	struct store_info info;
	struct buf why = BUF_INIT;
	json_t *st = acmed_host_state(host);
	int have, rc = 0;

	have = store_info(acmed.certs_dir, host, &info, &why) == 0 &&
	    info.names_host && info.not_after > now;
	if (have) {
		acmed_state_info(st, &info);
		certstore_acme_set_state(st, "valid", 1);
	}
	buf_free(&why);
	if (!force && have && !acmed_due(&info, now)) {
		/* A failed forced renewal leaves a good certificate: valid. */
		certstore_acme_set_state(st, "valid", 0);
		return 0;
	}
	certstore_acme_get(st, &acme);
	if (!force && acme.next_try > now)
		return 0;
	rc = acmed_issue(host, st, now, err);
	return rc;
}

static void
acmed_schedule(long long seconds)
{
	struct timeval tv = { (time_t)(seconds > 0 ? seconds : 1), 0 };

	evtimer_add(acmed.timer, &tv);
}

static void
acmed_run(void)
{
	struct buf err = BUF_INIT;
	long long now, next = 0, t;
	char **hosts;
	const char *host;
	struct certstore_acme acme;
	json_t *st;
	void *it;

	if (!acmed.enabled || acmed.running)
		return;
	if (policyc_lease_ask(&acmed_lease, acmed_lease_call, NULL) != 1) {
		acmed_schedule(acmed_lease_wait());
		return;
	}
	acmed.running = 1;
	if ((hosts = acmed_hosts(&err)) == NULL) {
		log_warn("cannot get the hosted domains from policyd: %s", err.s);
		acmed_schedule(ACMED_POLICYD_RETRY);
		goto out;
	}
	for (char **p = hosts; *p != NULL; p++) {
		buf_reset(&err);
		now = (long long)time(NULL);
		acmed_host(*p, 0, now, &err);
	}
	/* Forget hosts no longer hosted; wake up for the earliest retry. */
	json_object_foreach_safe(acmed.state, it, host, st) {
		int hosted = 0;

		for (char **p = hosts; *p != NULL && !hosted; p++)
			hosted = strcmp(*p, host) == 0;
		if (!hosted) {
			json_object_del(acmed.state, host);
			continue;
		}
		certstore_acme_get(st, &acme);
		t = acme.next_try;
		if (t > (long long)time(NULL) && (next == 0 || t < next))
			next = t;
	}
	acmed_state_save();
	if (next > 0)
		acmed_schedule(next - (long long)time(NULL));
	acmed_hosts_free(hosts);
out:
	buf_free(&err);
	acmed.running = 0;
}

static void
acmed_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	acmed_run();
}

/*
 * Requests from stsctl.
 */
static json_t *
acmed_renew(json_t *req)
{
	struct buf err = BUF_INIT;
	const char *host = json_string_value(json_object_get(req, "host"));
	char **hosts;
	json_t *reply, *st;
	int found = 0;

	if (!acmed.enabled)
		return ipc_error("acme_enabled = no: acmed does not manage"
		    " certificates");
	if (host == NULL || *host == '\0')
		return ipc_error("cert-renew: missing host name");
	if (policyc_lease_ask(&acmed_renew_lease, acmed_lease_call, NULL) != 1)
		return ipc_error("cert-renew: this node does not hold the lease"
		    " %s (%s%s): renew on that node", PROTO_LEASE_ACMED,
		    acmed_renew_lease.holder != NULL ? "held by " :
		    "policyd could not say who holds it",
		    acmed_renew_lease.holder != NULL ?
		    esc_printable(acmed_renew_lease.holder) : "");
	if ((hosts = acmed_hosts(&err)) == NULL) {
		reply = ipc_error("cannot get the hosted domains from policyd:"
		    " %s", err.s);
		buf_free(&err);
		return reply;
	}
	for (char **p = hosts; *p != NULL; p++)
		if (strcasecmp(*p, host) == 0)
			found = 1;
	acmed_hosts_free(hosts);
	if (!found)
		return ipc_error("%s: not the policy host of an active domain",
		    host);
	acmed.running = 1;
	if (acmed_host(host, 1, (long long)time(NULL), &err) < 0)
		reply = ipc_error("%s: %s", host, err.s);
	else {
		st = acmed_host_state(host);
		reply = json_pack("{s:b, s:s, s:O, s:O}", "ok", 1, "host", host,
		    "not_after", json_object_get(st, "not_after"),
		    "issuer", json_object_get(st, "issuer"));
	}
	acmed.running = 0;
	buf_free(&err);
	return reply;
}

/*
 * {"op":"check-now","domain":D} from policyd (lib/notify): D became
 * active; a run in ACMED_CHECK_NOW_DELAY seconds gets its certificate
 * rather than the next wakeup.  A run due sooner is left as it is, so
 * that a flood of notices cannot put runs off.
 */
static void
acmed_check_now(json_t *req)
{
	const char *d = json_string_value(json_object_get(req, "domain"));
	struct timeval when, now;

	if (!acmed.enabled || acmed.timer == NULL)
		return;
	if (evtimer_pending(acmed.timer, &when) &&
	    event_base_gettimeofday_cached(server_base(), &now) == 0 &&
	    when.tv_sec - now.tv_sec <= ACMED_CHECK_NOW_DELAY)
		return;
	log_debug("%s: active: certificates checked in %d s", d ?
	    esc_printable(d) : "(no domain)", ACMED_CHECK_NOW_DELAY);
	acmed_schedule(ACMED_CHECK_NOW_DELAY);
}

static void
acmed_request(struct ipc_conn *conn, json_t *req, void *ctx)
{
	const char *op = ipc_op(req);
	json_t *reply;

	(void)ctx;
	if (op == NULL)
		reply = ipc_error("request without an op");
	else if (strcmp(op, PROTO_OP_CERT_RENEW) == 0)
		reply = acmed_renew(req);
	else if (strcmp(op, PROTO_OP_CERT_LIST) == 0)
		reply = json_pack("{s:b, s:O}", "ok", 1, "certs", acmed.state);
	else if (strcmp(op, NOTIFY_OP_CHECK_NOW) == 0) {
		acmed_check_now(req);
		return;			/* a notice: no reply is read */
	} else
		reply = ipc_error("unknown request \"%s\"", op);
	ipc_conn_reply(conn, req, reply);
}

/*
 * Start-up.
 */
static void
acmed_mkdir(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		log_fatal("%s: cannot create: %s", path, strerror(errno));
}

static void
acmed_post_jail(int argc, char **argv)
{
	struct ipc_conn_conf cc = { acmed_request, NULL, NULL, 0, 0, 0, 0 };
	struct buf err = BUF_INIT;
	char *keyfile;

	(void)argc;
	(void)argv;
	for (int i = 0; i < server_nsockets() && i < SERVER_SOCKETS_MAX; i++)
		acmed.srv[acmed.nsrv++] = ipc_server_new(server_base(),
		    server_socket(i), &cc);
	acmed.enabled = var_acme_enabled;
	if (!acmed.enabled) {
		log_info("acme_enabled = no: not managing certificates");
		return;
	}
	acmed.acme_dir = certstore_acme_dir();
	acmed.certs_dir = certstore_dir();
	acmed.state_path = certstore_state_path();
	acmed_mkdir(acmed.acme_dir);
	acmed_mkdir(acmed.certs_dir);
	keyfile = xasprintf("%s/account.key", acmed.acme_dir);
	acmed.key = jws_key_load(keyfile, 1, &err);
	free(keyfile);		/* before a fatal exit too: no leak report */
	if (acmed.key == NULL)
		log_fatal("ACME account key: %s; refusing to make a new account"
		    " (move the file away to start afresh)", err.s);
	if ((acmed.tls = fetch_tls_new(var_acme_ca_file, &err)) == NULL)
		log_fatal("%s", err.s);
	acmed.conf.directory_url = var_acme_directory_url;
	acmed.conf.contact = var_acme_contact;
	acmed.conf.challenge = var_acme_challenge;
	acmed.conf.limits.timeout = (int)var_acmed_request_timeout;
	acmed.conf.limits.max_body =
	    (size_t)var_acmed_response_size_limit;
	acmed.conf.poll_timeout = (int)var_acmed_poll_timeout;
	acmed.client = acme_client_new(&acmed.conf, acmed.key, acmed.tls);
	acmed.state = certstore_state_load(acmed.state_path);
	acmed.timer = evtimer_new(server_base(), acmed_timer, NULL);
	acmed_schedule(ACMED_FIRST_RUN_DELAY);
	buf_free(&err);
}

static void
acmed_wakeup(void)
{
	acmed_run();
}

static void
acmed_cleanup(void)
{
	for (int i = 0; i < acmed.nsrv; i++)
		ipc_server_free(acmed.srv[i]);
	events_free(acmed.timer);
	acme_client_free(acmed.client);
	SSL_CTX_free(acmed.tls);
	EVP_PKEY_free(acmed.key);
	json_decref(acmed.state);
	policyc_lease_free(&acmed_lease);
	policyc_lease_free(&acmed_renew_lease);
	free(acmed.acme_dir);
	free(acmed.certs_dir);
	free(acmed.state_path);
}

static const struct server_hooks acmed_hooks = {
	NULL, acmed_post_jail, acmed_wakeup, acmed_cleanup
};

int
main(int argc, char **argv)
{
	return server_main(argc, argv, &acmed_hooks);
}
