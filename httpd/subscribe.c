/*
 * subscribe - httpd's subscription to policyd's stream of policies.
 * SPDX-License-Identifier: ISC
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
 *	While following policyd, httpd sends it {"op":"ping"} every
 *	SUBSCRIBE_PING_S seconds; a ping not answered by the next one (a
 *	hung or stopped policyd, whose socket still takes connections)
 *	counts as a drop: the connection is closed and made again.
 *	The drop is logged once, failed connects once per
 *	SUBSCRIBE_LOG_EVERY tries, and the return with the time it took.
 *	Each change pushed is logged ("H: serving policy id I", "H: policy
 *	withdrawn"), at most SUBSCRIBE_LOG_CHANGES a second; the others
 *	of that second (an import, a mass removal) are counted and said in
 *	one line when it is over.
 *	Metrics (by process id): stsd_httpd_policyd_connected is 1 from a
 *	completed snapshot until the connection drops, and
 *	stsd_httpd_policies_age_seconds the seconds since then (updated
 *	every SUBSCRIBE_AGE_TICK s; 0 while connected; since the start of
 *	the process before its first snapshot).
 *
 *	While it has no connection to policyd (policyd restarting, down,
 *	or httpd waiting to connect again), httpd follows the snapshot
 *	file instead: every SUBSCRIBE_WATCH_MS it compares the files'
 *	inode, size and modification time with those it last read; when
 *	only the journal grew it applies the records appended since
 *	(polsnap_follow), else (a compaction) it loads both again, so
 *	that a change policyd made (and wrote) while this process was
 *	not subscribed is served too.
 *
 *	subscribe_load() fills the table from the snapshot file that
 *	policyd keeps under queue_directory (lib/polsnap.h), before httpd
 *	accepts its first connection, so that a new httpd process (a
 *	reload, a restart, a crash) serves every hosted policy from its
 *	first request, and serves them while policyd is down.  The file
 *	is opened by a path relative to the working directory (the chroot
 *	or queue_directory), read whole and closed.  A missing, damaged or
 *	oversized file is logged as an error and leaves the table empty
 *	until policyd's snapshot arrives; a damaged journal leaves the
 *	base and the changes before the damage.
 *
 * LIMITS
 *	Messages: ipc_message_size_limit.  A message that is not
 *	understood is logged and skipped; a framing error closes the
 *	connection (and a new one starts a new snapshot).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "certcache.h"
#include "challenge.h"
#include "deadline.h"
#include "events.h"
#include "http.h"
#include "httpd.h"
#include "ipc.h"
#include "log.h"
#include "plural.h"
#include "metrics.h"
#include "policytab.h"
#include "polsnap.h"
#include "proto.h"

#define SUBSCRIBE_RETRY_MIN	1		/* seconds */
#define SUBSCRIBE_WRITE_MS	(30 * 1000)	/* subscribe request sent */
#define SUBSCRIBE_HOST_PREFIX	"mta-sts."	/* RFC 8461 section 3.3 */
#define SUBSCRIBE_HOST_MAX	(HTTP_HOST_MAX + 1)
#define SUBSCRIBE_LINE_MAX	512	/* "DOMAIN ID N" of the snapshot */
#define SUBSCRIBE_LOG_EVERY	10	/* failed connects per log line */
#define SUBSCRIBE_AGE_TICK	1	/* s between updates of the age */
#define SUBSCRIBE_PID_MAX	24	/* digits of a pid label */
#define SUBSCRIBE_LATE		2	/* s: a first snapshot is late */
#define SUBSCRIBE_WATCH_MS	200	/* file checks while not connected */
#define SUBSCRIBE_PING_S	10	/* s between pings; and to answer */
#define SUBSCRIBE_LOG_CHANGES	20	/* changes logged one by one per s */

static struct event_base *sub_base;
static struct ipc_conn *sub_conn;
static struct event *sub_timer;
static int sub_wait = SUBSCRIBE_RETRY_MIN;
static int sub_failures;
static int sub_in_snapshot;
static int sub_live;		/* policyd's snapshot completed, connected */
static int sub_was_live;	/* ever was */
static time_t sub_since;	/* when the data was last live */
static struct event *sub_age_timer;
static char sub_pid[SUBSCRIBE_PID_MAX];

/* Changes beyond SUBSCRIBE_LOG_CHANGES in a second: counted. */
static struct {
	time_t	 sec;			/* the second being counted */
	size_t	 logged;		/* changes logged one by one in it */
	size_t	 served, withdrawn;	/* the others */
} sub_quiet;

/* What the snapshot files were when last loaded. */
struct sub_stamp {
	int	 exists;
	dev_t	 dev;
	ino_t	 ino;
	off_t	 size;
	struct timespec mtime;
};
static struct sub_stamp sub_stamps[2];	/* base, journal */
static unsigned long long sub_gen;	/* of the base loaded */
static size_t sub_joff;		/* journal read up to here; 0: not */
static struct event *sub_watch_timer;
static struct event *sub_ping_timer;
static int sub_ping_pending;	/* a ping is not answered yet */

static void sub_connect(evutil_socket_t, short, void *);
static void sub_watch(evutil_socket_t, short, void *);

/* The metrics of the data's freshness. */
static void
sub_metrics(void)
{
	time_t now = time(NULL);

	metrics_set(METRIC_HTTPD_POLICYD, sub_live, "pid", sub_pid, NULL);
	metrics_set(METRIC_HTTPD_AGE, sub_live || now < sub_since ? 0 :
	    (long long)(now - sub_since), "pid", sub_pid, NULL);
}

/*
 * An import of a million domains pushes a million changes: the first
 * SUBSCRIBE_LOG_CHANGES of each second are logged one by one, the rest
 * in one line when the second is over.
 */
static void
sub_quiet_flush(void)
{
	size_t n = sub_quiet.served + sub_quiet.withdrawn;

	if (n > 0)
		log_info("policyd: %zu more policy %s in the last second"
		    " (%zu served, %zu withdrawn), not logged one by one", n,
		    plural((long long)n, "change", "changes"), sub_quiet.served,
		    sub_quiet.withdrawn);
	sub_quiet.served = sub_quiet.withdrawn = 0;
}

/* 1: log this change by itself; 0: it is counted for the summary. */
static int
sub_log_change(int withdrawn)
{
	time_t now = time(NULL);

	if (now != sub_quiet.sec) {
		sub_quiet_flush();
		sub_quiet.sec = now;
		sub_quiet.logged = 0;
	}
	if (sub_quiet.logged < SUBSCRIBE_LOG_CHANGES) {
		sub_quiet.logged++;
		return 1;
	}
	if (withdrawn)
		sub_quiet.withdrawn++;
	else
		sub_quiet.served++;
	return 0;
}

static void
sub_age_tick(evutil_socket_t fd, short what, void *arg)
{
	sub_metrics();
	if (time(NULL) != sub_quiet.sec)
		sub_quiet_flush();
}

/* The subscription is live (snapshot-end) or not (closed). */
static void
sub_set_live(int live)
{
	time_t now = time(NULL);

	/* Not at a prompt first connection: after an outage. */
	if (live && !sub_live && (sub_was_live || now - sub_since >=
	    SUBSCRIBE_LATE))
		log_info("policyd: following its updates again after %lld s"
		    " on the policies last known", (long long)(now - sub_since));
	if (!live && sub_live)
		sub_since = now;
	sub_live = live;
	sub_was_live |= live;
	sub_metrics();
}

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
	if (!sub_in_snapshot && sub_log_change(0))
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
	msg = json_pack("{s:s, s:s, s:I}", "op", PROTO_OP_CERT_SERVED, "host",
	    norm, "not_after", (json_int_t)not_after);
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

	if (op == NULL && sub_ping_pending) {
		/* Any answer will do: a policyd without "ping" refuses it. */
		sub_ping_pending = 0;
		return;
	}
	if (op == NULL) {
		if (ipc_reply_check(msg, &err) != 0) {
			log_error("policyd refused the subscription: %s", err.s);
			ipc_conn_close(conn);
		}
		buf_free(&err);
		return;
	}
	host = sub_str(msg, "host");
	if (strcmp(op, PROTO_OP_POLICIES) == 0) {
		sub_policies(msg);
	} else if (strcmp(op, PROTO_OP_POLICY) == 0) {
		sub_policy(msg);
	} else if (strcmp(op, PROTO_OP_WITHDRAW) == 0 && host != NULL) {
		if (policytab_del(httpd_policies, host) && sub_log_change(1))
			log_info("%s: policy withdrawn", host);
	} else if (strcmp(op, PROTO_OP_CHALLENGE) == 0 ||
	    strcmp(op, PROTO_OP_CHALLENGE_REMOVE) == 0) {
		challenge_message(msg);		/* challenge.h */
	} else if (strcmp(op, PROTO_OP_CERT_RELOAD) == 0 && host != NULL) {
		if (httpd_certs != NULL)
			certcache_invalidate(httpd_certs, host);
		log_info("%s: certificate will be loaded again", host);
		sub_cert_served(conn, host);
	} else if (strcmp(op, PROTO_OP_CERT_CHECK) == 0 && host != NULL) {
		sub_cert_served(conn, host);
	} else if (strcmp(op, PROTO_OP_SNAPSHOT_END) == 0) {
		size_t dropped = policytab_snapshot_end(httpd_policies);
		size_t n;

		sub_in_snapshot = 0;
		sub_wait = SUBSCRIBE_RETRY_MIN;
		sub_failures = 0;
		n = policytab_count(httpd_policies);
		log_info("policyd: serving %zu %s (%zu dropped)", n,
		    plural((long long)n, "policy", "policies"), dropped);
		sub_set_live(1);
	} else {
		log_warn("policyd: unknown message \"%s\"; skipped", op);
	}
}

static void
sub_closed(struct ipc_conn *conn, void *ctx)
{
	size_t n;

	if (conn != sub_conn)
		return;
	sub_conn = NULL;	/* lib/ipc frees it */
	/*
	 * policyd closes on every reload and stop: not worth a warning.
	 * master warns when it dies, and sub_connect() when it stays away.
	 */
	n = policytab_count(httpd_policies);
	log_info("policyd: connection closed; serving the %zu %s known,"
	    " reconnecting in %d s", n, plural((long long)n, "policy",
	    "policies"), sub_wait);
	sub_set_live(0);
	sub_retry();
}

/*
 * Every SUBSCRIBE_PING_S while following policyd: a ping, which must be
 * answered before the next one.  A policyd that does not answer (hung,
 * stopped) is left: the connection is closed and tried again, and the
 * metrics and the log say that httpd serves what it knows.
 */
static void
sub_ping(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_conn *c = sub_conn;
	json_t *req;

	if (c == NULL || !sub_live)
		return;
	if (!sub_ping_pending) {
		req = ipc_request(PROTO_OP_PING);
		sub_ping_pending = ipc_conn_send(c, req) == 0;
		json_decref(req);
		return;
	}
	log_warn("policyd: no answer to a ping in %d s; serving the %zu"
	    " policies known, reconnecting in %d s", SUBSCRIBE_PING_S,
	    policytab_count(httpd_policies), sub_wait);
	sub_conn = NULL;	/* sub_closed() ignores it */
	sub_ping_pending = 0;
	ipc_conn_close(c);
	sub_set_live(0);
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
		if (sub_failures++ % SUBSCRIBE_LOG_EVERY == 1)
			log_warn("policyd: connect to %s: %s; retrying in %d s",
			    HTTPD_POLICYD_SOCKET, strerror(errno), sub_wait);
		if (fd >= 0)
			close(fd);
		sub_retry();
		return;
	}
	sub_conn = ipc_conn_new(sub_base, fd, &sub_conf);
	sub_ping_pending = 0;
	req = ipc_request(PROTO_OP_SUBSCRIBE);
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
	struct timeval tick = { SUBSCRIBE_AGE_TICK, 0 };

	sub_base = base;
	sub_timer = evtimer_new(base, sub_connect, NULL);
	sub_age_timer = event_new(base, -1, EV_PERSIST, sub_age_tick, NULL);
	event_add(sub_age_timer, &tick);
	sub_ping_timer = event_new(base, -1, EV_PERSIST, sub_ping, NULL);
	tick.tv_sec = SUBSCRIBE_PING_S;
	event_add(sub_ping_timer, &tick);
	if (httpd_conf.tls) {
		struct timeval watch = { 0, SUBSCRIBE_WATCH_MS * 1000 };

		sub_watch_timer = event_new(base, -1, EV_PERSIST, sub_watch,
		    NULL);
		event_add(sub_watch_timer, &watch);
	}
	snprintf(sub_pid, sizeof(sub_pid), "%ld", (long)getpid());
	if (sub_since == 0)
		sub_since = time(NULL);
	sub_metrics();
	sub_connect(-1, 0, NULL);
}

/*
 * The snapshot file into httpd_policies.
 */
static void
sub_file_begin(void *arg)
{
	policytab_snapshot_begin(httpd_policies);
}

static int
sub_file_put(void *arg, const char *domain, const char *id,
    const char *text, size_t len)
{
	char host[SUBSCRIBE_HOST_MAX];

	if ((size_t)snprintf(host, sizeof(host), "%s%s", SUBSCRIBE_HOST_PREFIX,
	    domain) >= sizeof(host))
		return -1;
	return policytab_put(httpd_policies, host, domain, id, text, len);
}

static void
sub_file_del(void *arg, const char *domain)
{
	char host[SUBSCRIBE_HOST_MAX];

	if ((size_t)snprintf(host, sizeof(host), "%s%s", SUBSCRIBE_HOST_PREFIX,
	    domain) < sizeof(host))
		policytab_del(httpd_policies, host);
}

static void
sub_stamp_get(const char *path, struct sub_stamp *st)
{
	struct stat sb;

	memset(st, 0, sizeof(*st));
	if (stat(path, &sb) < 0)
		return;
	st->exists = 1;
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	st->size = sb.st_size;
	st->mtime = sb.st_mtim;
}

static int
sub_stamp_same(const struct sub_stamp *a, const struct sub_stamp *b)
{
	return a->exists == b->exists && a->dev == b->dev &&
	    a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/*
 * The changes appended to the journal since it was read; 1 when it
 * must be loaded again with its base.
 */
static int
sub_follow(void)
{
	static const struct polsnap_sink sink = { NULL, sub_file_put,
	    sub_file_del, NULL };
	struct polsnap_stats st;
	struct buf err = BUF_INIT;
	int rc;

	if (sub_joff == 0)
		return 1;
	rc = polsnap_follow(POLSNAP_JOURNAL, sub_gen, &sub_joff, &sink, &st,
	    &err);
	if (rc < 0)
		log_error("policy snapshot: %s; the changes after it are not"
		    " served until policyd sends them", err.s);
	else if (rc == 0 && st.changes > 0)
		log_info("policy snapshot: %zu %s from %s (policyd not"
		    " connected); serving %zu %s", st.changes,
		    plural((long long)st.changes, "change", "changes"),
		    POLSNAP_JOURNAL, policytab_count(httpd_policies),
		    plural((long long)policytab_count(httpd_policies),
		    "policy", "policies"));
	buf_free(&err);
	return rc;
}

/*
 * Not subscribed: when policyd wrote to the file, apply what it
 * appended to the journal, or load it all again after a compaction.
 */
static void
sub_watch(evutil_socket_t fd, short what, void *arg)
{
	struct sub_stamp now[2];

	if (sub_conn != NULL)
		return;
	sub_stamp_get(POLSNAP_BASE, &now[0]);
	sub_stamp_get(POLSNAP_JOURNAL, &now[1]);
	if (sub_stamp_same(&now[0], &sub_stamps[0]) &&
	    sub_stamp_same(&now[1], &sub_stamps[1]))
		return;
	if (sub_stamp_same(&now[0], &sub_stamps[0]) && now[1].exists &&
	    sub_stamps[1].exists && now[1].dev == sub_stamps[1].dev &&
	    now[1].ino == sub_stamps[1].ino &&
	    now[1].size >= sub_stamps[1].size && sub_follow() != 1) {
		sub_stamps[1] = now[1];
		return;
	}
	subscribe_load();
}

/* Before the first accept, and while not subscribed: what policyd wrote. */
size_t
subscribe_load(void)
{
	static const struct polsnap_sink sink = { sub_file_begin,
	    sub_file_put, sub_file_del, NULL };
	struct polsnap_stats st;
	struct buf err = BUF_INIT;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Before the read: a change during it shows at the next check. */
	sub_stamp_get(POLSNAP_BASE, &sub_stamps[0]);
	sub_stamp_get(POLSNAP_JOURNAL, &sub_stamps[1]);
	if (polsnap_load(POLSNAP_BASE, POLSNAP_JOURNAL, &sink, &st, &err) < 0) {
		/* A new instance: policyd has not written it yet. */
		if (st.missing && policytab_count(httpd_policies) == 0)
			log_warn("policy snapshot: %s (not written yet?);"
			    " serving no policy until policyd sends them", err.s);
		else
			log_error("policy snapshot: %s; serving %zu policies"
			    " until policyd sends them", err.s,
			    policytab_count(httpd_policies));
		buf_free(&err);
		return 0;
	}
	policytab_snapshot_end(httpd_policies);
	sub_gen = st.gen;
	sub_joff = st.journal_ignored || st.journal_bad ? 0 : st.journal_end;
	if (err.len > 0)
		log_error("policy snapshot: %s; serving the rest until policyd"
		    " sends its snapshot", err.s);
	if (st.refused > 0)
		log_warn("policy snapshot: %zu policies left out: the host"
		    " mta-sts.DOMAIN is not a host name or the policy is too"
		    " long", st.refused);
	log_info("policy snapshot: %zu %s loaded from %s (generation"
	    " %llu, %zu bytes, and %zu %s from %s%s) in %.3f s",
	    policytab_count(httpd_policies),
	    plural((long long)policytab_count(httpd_policies), "policy",
	    "policies"), POLSNAP_BASE, st.gen, st.base_bytes, st.changes,
	    plural((long long)st.changes, "change", "changes"),
	    POLSNAP_JOURNAL, st.torn ?
	    ", a cut-short last change ignored" : "", deadline_since(&t0));
	buf_free(&err);
	return policytab_count(httpd_policies);
}

void
subscribe_stop(void)
{
	struct ipc_conn *c = sub_conn;

	sub_conn = NULL;
	if (c != NULL)
		ipc_conn_close(c);
	sub_quiet_flush();
	events_clear(&sub_timer);
	events_clear(&sub_age_timer);
	events_clear(&sub_watch_timer);
	events_clear(&sub_ping_timer);
	challenge_clear();
}
