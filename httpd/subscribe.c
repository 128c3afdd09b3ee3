/*
 * subscribe - httpd's subscription to policyd's stream of policies.
 *
 * DESCRIPTION
 *	subscribe_start() connects to policyd's private socket
 *	(HTTPD_POLICYD_SOCKET, relative to queue_directory, which is the
 *	working directory, chrooted or not) and sends {"op":"subscribe"}.
 *	policyd answers with the whole set of servable policies in
 *	{"op":"policies","texts":[TEXT, ...],"domains":"D I N\n..."}
 *	messages (a line per domain: domain, policy id and the index of
 *	the policy text of the host mta-sts.D), then
 *	{"op":"snapshot-end","count":N}; after that it sends
 *	{"op":"policy","host":H,"domain":D,"id":I,"policy":TEXT} for each
 *	change, {"op":"withdraw","host":H} for a host no longer served and
 *	{"op":"cert-reload","host":H} when a certificate changed and
 *	{"op":"cert-check","host":H} when policyd waits for H to be served
 *	with a valid certificate (after either, httpd answers
 *	{"op":"cert-served","host":H,"not_after":T} on the same connection
 *	when it serves H's policy with a certificate valid now: policyd
 *	publishes a new domain's TXT record only then, RFC 8461 section
 *	8.1); "challenge" and "challenge-remove" messages
 *	go to challenge.h (cleared at each connection: policyd sends the
 *	current ones after snapshot-end).  The snapshot replaces the table when it
 *	ends (policytab.h), so hosts that vanished while httpd was not
 *	connected are dropped and the others are served throughout.
 *
 *	When the connection fails or drops, httpd keeps serving what it
 *	has and tries again after 1 s, doubling the wait up to
 *	httpd_policyd_retry_time; a completed snapshot resets the wait.
 *
 * LIMITS
 *	Messages: ipc_message_size_limit.  A message that is not
 *	understood is logged and skipped; a framing error closes the
 *	connection (and a new one starts a new snapshot).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "certcache.h"
#include "challenge.h"
#include "http.h"
#include "httpd.h"
#include "ipc.h"
#include "log.h"
#include "policytab.h"

#define SUBSCRIBE_RETRY_MIN	1		/* seconds */
#define SUBSCRIBE_WRITE_MS	(30 * 1000)	/* subscribe request sent */
#define SUBSCRIBE_HOST_PREFIX	"mta-sts."	/* RFC 8461 section 3.3 */
#define SUBSCRIBE_HOST_MAX	(HTTP_HOST_MAX + 1)
#define SUBSCRIBE_LINE_MAX	512	/* "DOMAIN ID N" of the snapshot */

static struct event_base *sub_base;
static struct ipc_conn *sub_conn;
static struct event *sub_timer;
static int sub_wait = SUBSCRIBE_RETRY_MIN;
static int sub_failures;
static int sub_in_snapshot;

static void sub_connect(evutil_socket_t, short, void *);

static void
sub_retry(void)
{
	struct timeval tv = { sub_wait, 0 };

	evtimer_add(sub_timer, &tv);
	sub_wait *= 2;
	if (sub_wait > httpd_conf.retry_max)
		sub_wait = httpd_conf.retry_max > SUBSCRIBE_RETRY_MIN ?
		    httpd_conf.retry_max : SUBSCRIBE_RETRY_MIN;
}

static const char *
sub_str(const json_t *msg, const char *key)
{
	return json_string_value(json_object_get(msg, key));
}

static void
sub_policy(const json_t *msg)
{
	const char *host = sub_str(msg, "host"), *domain = sub_str(msg, "domain");
	const char *id = sub_str(msg, "id");
	const json_t *text = json_object_get(msg, "policy");

	if (host == NULL || domain == NULL || id == NULL ||
	    !json_is_string(text)) {
		log_warn("policyd: policy message without host, domain, id "
		    "or policy; skipped");
		return;
	}
	if (policytab_put(httpd_policies, host, domain, id,
	    json_string_value(text), json_string_length(text)) != 0) {
		log_warn("policyd: policy for host \"%s\": not a host name or "
		    "policy too long; skipped", host);
		return;
	}
	if (!sub_in_snapshot)
		log_info("%s: serving policy id %s", host, id);
}

/*
 * One line "DOMAIN ID N" of a snapshot message (len bytes, no "\n");
 * -1 when it is not understood.
 */
static int
sub_policies_one(const json_t *texts, const char *line, size_t len)
{
	char copy[SUBSCRIBE_LINE_MAX], host[SUBSCRIBE_HOST_MAX];
	char *id, *num, *end;
	const json_t *text;
	unsigned long k;

	if (len >= sizeof(copy))
		return -1;
	memcpy(copy, line, len);
	copy[len] = '\0';
	if ((id = strchr(copy, ' ')) == NULL ||
	    (num = strchr(id + 1, ' ')) == NULL)
		return -1;
	*id++ = '\0';
	*num++ = '\0';
	k = strtoul(num, &end, 10);
	if (*num < '0' || *num > '9' || *end != '\0' ||
	    !json_is_string(text = json_array_get(texts, k)) ||
	    (size_t)snprintf(host, sizeof(host), "%s%s",
	    SUBSCRIBE_HOST_PREFIX, copy) >= sizeof(host))
		return -1;
	return policytab_put(httpd_policies, host, copy, id,
	    json_string_value(text), json_string_length(text));
}

/*
 * A snapshot message: "texts", the distinct policies, and "domains",
 * a line "DOMAIN ID N" per domain (N the index of its text) for the
 * host "mta-sts." DOMAIN.
 */
static void
sub_policies(const json_t *msg)
{
	const json_t *texts = json_object_get(msg, "texts");
	const json_t *lines = json_object_get(msg, "domains");
	const char *p, *end, *nl;
	size_t n = 0, bad = 0;

	if (!json_is_array(texts) || !json_is_string(lines)) {
		log_warn("policyd: policies message without texts or"
		    " domains; skipped");
		return;
	}
	p = json_string_value(lines);
	end = p + json_string_length(lines);
	for (; p < end; p = nl + 1, n++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (sub_policies_one(texts, p, (size_t)(nl - p)) != 0)
			bad++;
	}
	if (bad > 0)
		log_warn("policyd: %zu of %zu policies not understood (not"
		    " \"domain id index\", not a host name or policy too"
		    " long); skipped", bad, n);
}

/*
 * HTTPS before DNS: tell policyd when host's policy is served with a
 * valid certificate (policyd publishes a new domain's TXT record only
 * then).  Said nothing otherwise: policyd asks again.
 */
static void
sub_cert_served(struct ipc_conn *conn, const char *host)
{
	char norm[HTTP_HOST_MAX + 1];
	long long not_after;
	json_t *msg;

	if (httpd_certs == NULL ||
	    http_host_normalize(host, strlen(host), norm) < 0 ||
	    policytab_get(httpd_policies, norm) == NULL ||
	    !certcache_servable(httpd_certs, norm, &not_after))
		return;
	msg = json_pack("{s:s, s:s, s:I}", "op", "cert-served", "host", norm,
	    "not_after", (json_int_t)not_after);
	if (ipc_conn_send(conn, msg) != 0)
		log_warn("policyd: cannot send cert-served for %s", norm);
	else
		log_debug("%s: served with a valid certificate: told policyd",
		    norm);
	json_decref(msg);
}

static void
sub_message(struct ipc_conn *conn, json_t *msg, void *ctx)
{
	const char *op = ipc_op(msg), *host;
	struct buf err = BUF_INIT;

	if (op == NULL) {
		if (ipc_reply_check(msg, &err) != 0) {
			log_error("policyd refused the subscription: %s", err.s);
			ipc_conn_close(conn);
		}
		buf_free(&err);
		return;
	}
	host = sub_str(msg, "host");
	if (strcmp(op, "policies") == 0) {
		sub_policies(msg);
	} else if (strcmp(op, "policy") == 0) {
		sub_policy(msg);
	} else if (strcmp(op, "withdraw") == 0 && host != NULL) {
		if (policytab_del(httpd_policies, host))
			log_info("%s: policy withdrawn", host);
	} else if (strcmp(op, "challenge") == 0 ||
	    strcmp(op, "challenge-remove") == 0) {
		challenge_message(msg);		/* challenge.h */
	} else if (strcmp(op, "cert-reload") == 0 && host != NULL) {
		if (httpd_certs != NULL)
			certcache_invalidate(httpd_certs, host);
		log_info("%s: certificate will be loaded again", host);
		sub_cert_served(conn, host);
	} else if (strcmp(op, "cert-check") == 0 && host != NULL) {
		sub_cert_served(conn, host);
	} else if (strcmp(op, "snapshot-end") == 0) {
		size_t dropped = policytab_snapshot_end(httpd_policies);

		sub_in_snapshot = 0;
		sub_wait = SUBSCRIBE_RETRY_MIN;
		sub_failures = 0;
		log_info("policyd: serving %zu policies (%zu dropped)",
		    policytab_count(httpd_policies), dropped);
	} else {
		log_warn("policyd: unknown message \"%s\"; skipped", op);
	}
}

static void
sub_closed(struct ipc_conn *conn, void *ctx)
{
	if (conn != sub_conn)
		return;
	sub_conn = NULL;	/* lib/ipc frees it */
	log_warn("policyd: connection closed; serving the %zu policies "
	    "known, reconnecting in %d s", policytab_count(httpd_policies),
	    sub_wait);
	sub_retry();
}

static const struct ipc_conn_conf sub_conf = {
	sub_message, sub_closed, NULL, 0, 0, SUBSCRIBE_WRITE_MS, 0,
};

static void
sub_connect(evutil_socket_t unused, short what, void *arg)
{
	struct sockaddr_un sun;
	json_t *req;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", HTTPD_POLICYD_SOCKET);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		/* Quiet while policyd starts; then once per 10 tries. */
		if (sub_failures++ % 10 == 1)
			log_warn("policyd: connect to %s: %s; retrying in %d s",
			    HTTPD_POLICYD_SOCKET, strerror(errno), sub_wait);
		if (fd >= 0)
			close(fd);
		sub_retry();
		return;
	}
	sub_conn = ipc_conn_new(sub_base, fd, &sub_conf);
	req = ipc_request("subscribe");
	policytab_snapshot_begin(httpd_policies);
	challenge_clear();	/* policyd sends the current ones again */
	sub_in_snapshot = 1;
	if (ipc_conn_send(sub_conn, req) != 0)
		log_warn("policyd: cannot send the subscription");
	json_decref(req);
}

void
subscribe_start(struct event_base *base)
{
	sub_base = base;
	sub_timer = evtimer_new(base, sub_connect, NULL);
	sub_connect(-1, 0, NULL);
}

void
subscribe_stop(void)
{
	struct ipc_conn *c = sub_conn;

	sub_conn = NULL;
	if (c != NULL)
		ipc_conn_close(c);
	if (sub_timer != NULL)
		event_free(sub_timer);
	sub_timer = NULL;
	challenge_clear();
}
