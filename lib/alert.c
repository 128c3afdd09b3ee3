/*
 * alert - log, mail and POST alerts, once per change; see alert.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: the state file given to alert_store_file() (alert_file.c),
 * $data_directory/ALERT_LIMITS_FILE (read and rewritten under flock),
 * fork/exec of sendmail_path, the webhook (alert_http.c), and reads
 * $data_directory/ALERTSUB_FILE (lib/alertsub) for the subscribers.  The
 * grandchild that delivers uses _exit() so that it never runs the
 * parent's atexit handlers.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "alert.h"
#include "alert_file.h"
#include "alertsub.h"
#include "buf.h"
#include "cfgbind.h"
#include "deadline.h"
#include "esc.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"

static struct alert_store alert_store;
static int alert_have_store;
static struct alert_file *alert_file;

static void alert_metrics_start(void);

void
alert_store_flush(void)
{
	if (alert_file != NULL)
		alert_file_flush(alert_file);
}

int
alert_store_file(const char *path, struct buf *err)
{
	struct alert_file *f;

	if ((f = alert_file_new(path, err)) == NULL)
		return -1;
	alert_store_close();
	alert_file = f;
	alert_store.get = alert_file_get_cb;
	alert_store.put = alert_file_put_cb;
	alert_store.ctx = f;
	alert_have_store = 1;
	alert_metrics_start();
	return 0;
}

void
alert_store_set(const struct alert_store *s)
{
	alert_store_close();
	if (s != NULL) {
		alert_store = *s;
		alert_have_store = 1;
	}
	alert_metrics_start();
}

void
alert_store_close(void)
{
	alert_send();
	if (alert_file != NULL) {
		alert_file_free(alert_file);
		alert_file = NULL;
	}
	alert_have_store = 0;
	memset(&alert_store, 0, sizeof(alert_store));
}

/*
 * The digest: alerts raised since the last alert_send(), in order.
 */
struct alert_item {
	char	*domain;
	char	*kind;
	char	*key;
	char	*subject;
	char	*text;
	time_t	 time;
};

static struct alert_item alert_pending[ALERT_DIGEST_MAX];
static size_t alert_npending;
static time_t alert_pending_since;

static void
alert_item_free(struct alert_item *it)
{
	free(it->domain);
	free(it->kind);
	free(it->key);
	free(it->subject);
	free(it->text);
	memset(it, 0, sizeof(*it));
}

static void
alert_pending_clear(void)
{
	size_t i;

	for (i = 0; i < alert_npending; i++)
		alert_item_free(&alert_pending[i]);
	alert_npending = 0;
}

/* A copy of at most max bytes of s. */
static char *
alert_cut(const char *s, size_t max)
{
	s = s ? s : "";
	return strlen(s) > max ? xstrndup(s, max) : xstrdup(s);
}

/* Every series of the dropped and sent counters, at 0 from the start. */
static void
alert_metrics_start(void)
{
	metrics_add(METRIC_ALERTS_SENT, 0, NULL);
	metrics_add(METRIC_ALERTS_DROPPED, 0, "reason", "hourly-limit", NULL);
	metrics_add(METRIC_ALERTS_DROPPED, 0, "reason", "domain-daily-limit",
	    NULL);
}

/*
 * The limits, shared by every process that alerts: ALERT_LIMITS_FILE in
 * data_directory holds one line per alert sent, "TIME TAB DOMAIN" (the
 * domain as esc_line() writes it), for the last hour and the current
 * UTC day.  It is read and rewritten in place under flock(), once per
 * digest.
 */
struct alert_sent {
	time_t	 time;
	char	*domain;			/* esc_line'd */
};

struct alert_limits {
	struct alert_sent *sent;
	size_t	 n, cap;
	time_t	 hour_start;			/* now - 1 hour */
	time_t	 day_start;			/* 00:00 UTC today */
	size_t	 in_hour;			/* sent since hour_start */
};

static void
alert_limits_add(struct alert_limits *l, time_t t, const char *domain)
{
	if (t < l->hour_start && t < l->day_start)
		return;				/* too old to count */
	if (l->n == ALERT_LIMITS_LINES_MAX)
		return;
	l->sent = xgrowarray(l->sent, l->n, &l->cap, 64, sizeof(*l->sent));
	l->sent[l->n].time = t;
	l->sent[l->n].domain = xstrdup(domain);
	l->n++;
	if (t >= l->hour_start)
		l->in_hour++;
}

static void
alert_limits_parse(struct alert_limits *l, char *data)
{
	char *line, *next, *tab, *end;
	long long t;

	for (line = data; line != NULL && *line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((tab = strchr(line, '\t')) == NULL)
			continue;		/* a torn line: dropped */
		*tab = '\0';
		t = strtoll(line, &end, 10);
		if (end == line || *end != '\0' || t < 0 ||
		    strpbrk(tab + 1, " \t") != NULL)
			continue;
		alert_limits_add(l, (time_t)t, tab + 1);
	}
}

/* Alerts sent to domain (esc_line'd) today. */
static size_t
alert_limits_domain(const struct alert_limits *l, const char *domain)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		if (l->sent[i].time >= l->day_start &&
		    strcmp(l->sent[i].domain, domain) == 0)
			n++;
	return n;
}

/* The file rewritten with what still counts. */
static void
alert_limits_write(int fd, const char *path, const struct alert_limits *l)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < l->n; i++)
		buf_printf(&b, "%lld\t%s\n", (long long)l->sent[i].time,
		    l->sent[i].domain);
	if (ftruncate(fd, 0) != 0 ||
	    (b.len > 0 && pwrite(fd, b.s, b.len, 0) != (ssize_t)b.len) ||
	    fdatasync(fd) != 0)
		log_warn("%s: cannot write alert limits: %s", path,
		    strerror(errno));
	buf_free(&b);
}

/* The lock on fd, waiting at most ALERT_LOCK_WAIT seconds. */
static int
alert_limits_lock(int fd)
{
	int i;

	for (i = 0; i < ALERT_LOCK_WAIT * 100; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		poll(NULL, 0, 10);
	}
	errno = ETIMEDOUT;
	return -1;
}

static int
alert_limits_open(const char *path, struct alert_limits *l)
{
	struct buf data = BUF_INIT;
	char chunk[8192];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    alert_limits_lock(fd) < 0) {
		log_warn("%s: cannot use the alert limits: %s; only this "
		    "digest is counted", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (data.len < ALERT_LIMITS_FILE_MAX &&
	    (n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&data, chunk, (size_t)n);
	if (data.len > 0) {
		buf_putc(&data, '\0');
		alert_limits_parse(l, data.s);
	}
	buf_free(&data);
	return fd;
}

/*
 * Which pending alerts go out: those within alert_hourly_limit and
 * alert_per_domain_daily_limit; the others are logged, counted and
 * dropped.  Returns how many remain, first in alert_pending.
 */
static size_t
alert_limit(size_t *dropped)
{
	long long hourly = var_alert_hourly_limit;
	long long daily = var_alert_per_domain_daily_limit;
	char *path = xasprintf("%s/%s", var_data_directory,
	    ALERT_LIMITS_FILE), *dom;
	struct alert_limits l;
	time_t now = time(NULL);
	size_t i, kept = 0;
	const char *reason;
	int fd;

	memset(&l, 0, sizeof(l));
	l.hour_start = now - ALERT_HOUR;
	l.day_start = now - now % ALERT_DAY;
	fd = alert_limits_open(path, &l);
	for (i = 0; i < alert_npending; i++) {
		dom = alert_file_name(alert_pending[i].domain, "");
		dom[strlen(dom) - 1] = '\0';	/* without the TAB */
		reason = NULL;
		if (hourly > 0 && l.in_hour >= (size_t)hourly)
			reason = "hourly-limit";
		else if (daily > 0 &&
		    alert_limits_domain(&l, dom) >= (size_t)daily)
			reason = "domain-daily-limit";
		if (reason != NULL) {
			log_warn("alert: %s: %s: not sent: over %s (%lld)",
			    esc_printable(alert_pending[i].domain),
			    esc_printable(alert_pending[i].kind),
			    strcmp(reason, "hourly-limit") == 0 ?
			    "alert_hourly_limit" :
			    "alert_per_domain_daily_limit",
			    strcmp(reason, "hourly-limit") == 0 ? hourly :
			    daily);
			metrics_inc(METRIC_ALERTS_DROPPED, "reason", reason,
			    NULL);
			alert_item_free(&alert_pending[i]);
			(*dropped)++;
		} else {
			alert_limits_add(&l, now, dom);
			alert_pending[kept++] = alert_pending[i];
		}
		free(dom);
	}
	alert_npending = kept;
	if (fd >= 0) {
		alert_limits_write(fd, path, &l);
		close(fd);			/* and the lock */
	}
	for (i = 0; i < l.n; i++)
		free(l.sent[i].domain);
	free(l.sent);
	free(path);
	return kept;
}

/*
 * The digest as a mail: the header fields through esc_header(), never
 * a CR or LF from an alert.  A line of a text goes into the body as it
 * is when esc_text() would change nothing in it but its backslashes
 * (the caller escaped what came from outside, with esc_text()), else
 * through esc_text(): no control character reaches the body, and text
 * escaped once is not escaped twice.
 */
static void
alert_text_line(struct buf *out, const char *p, size_t len)
{
	struct buf e = BUF_INIT;
	size_t i, bs = 0;

	for (i = 0; i < len; i++)
		bs += p[i] == '\\';
	esc_textn(&e, p, len);
	if (e.len == len + bs)
		buf_append(out, p, len);
	else
		buf_append(out, e.s, e.len);
	buf_putc(out, '\n');
	buf_free(&e);
}

static void
alert_text_lines(struct buf *out, const char *text)
{
	const char *p = text, *nl;

	for (;;) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		alert_text_line(out, p, (size_t)(nl - p));
		if (*nl == '\0')
			break;
		p = nl + 1;
	}
}

static void
alert_subject(struct buf *out, const struct alert_item *items, size_t n,
    size_t dropped)
{
	struct buf s = BUF_INIT;
	size_t i, j, named = 0;

	if (n == 1)
		buf_puts(&s, items[0].subject);
	else {
		buf_printf(&s, "stsd: %zu alerts:", n);
		for (i = 0; i < n && named < ALERT_SUBJECT_DOMAINS; i++) {
			for (j = 0; j < i; j++)
				if (strcmp(items[j].domain, items[i].domain) ==
				    0)
					break;
			if (j < i)
				continue;
			buf_printf(&s, "%s %s", named ? "," : "",
			    items[i].domain);
			named++;
		}
		if (i < n)
			buf_puts(&s, ", ...");
	}
	if (dropped > 0)
		buf_printf(&s, " (%zu more not sent)", dropped);
	if (s.len > ALERT_SUBJECT_MAX)
		s.s[ALERT_SUBJECT_MAX] = '\0';
	esc_header(out, s.s ? s.s : "");
	buf_free(&s);
}

static void
alert_mail(struct buf *msg, const struct alert_item *items, size_t n,
    size_t dropped)
{
	size_t i;

	buf_puts(msg, "Subject: ");
	alert_subject(msg, items, n, dropped);
	buf_puts(msg, "\nAuto-Submitted: auto-generated\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n");
	for (i = 0; i < n; i++) {
		if (n > 1) {
			buf_printf(msg, "%s== ", i ? "\n" : "");
			esc_text(msg, items[i].subject);
			buf_puts(msg, " ==\n\n");
		}
		alert_text_lines(msg, items[i].text);
	}
	if (dropped > 0)
		buf_printf(msg, "\n%zu more alerts were over "
		    "alert_hourly_limit or alert_per_domain_daily_limit and "
		    "were not sent; the log lists them.\n", dropped);
}

/* The digest as the webhook's JSON; NULL when it cannot be encoded. */
static char *
alert_json(const struct alert_item *items, size_t n, size_t dropped)
{
	json_t *j, *list = json_array(), *a;
	const struct alert_item *it;
	char *body;
	size_t i;

	for (i = 0; i < n; i++) {
		it = &items[i];
		a = json_pack("{s:s%, s:s%, s:s%, s:s%, s:s%, s:I}",
		    "domain", it->domain, strlen(it->domain),
		    "kind", it->kind, strlen(it->kind),
		    "key", it->key, strlen(it->key),
		    "subject", it->subject, strlen(it->subject),
		    "text", it->text, strlen(it->text),
		    "time", (json_int_t)it->time);
		if (a == NULL) {	/* not UTF-8: as shown in the log */
			a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}",
			    "domain", esc_printable(it->domain),
			    "kind", esc_printable(it->kind),
			    "key", esc_printable(it->key),
			    "subject", esc_printable(it->subject),
			    "text", esc_printable(it->text),
			    "time", (json_int_t)it->time);
		}
		json_array_append_new(list, a);
	}
	j = json_pack("{s:I, s:o, s:I}", "time", (json_int_t)time(NULL),
	    "alerts", list, "dropped", (json_int_t)dropped);
	body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return body;
}

/*
 * Mail through sendmail(1): the message on stdin, recipients as
 * arguments, killed at the deadline.
 */
static void
alert_sendmail(char **rcpt, const struct buf *msg, const struct timespec *end)
{
	const char *path = var_sendmail_path;
	size_t off = 0, n, i;
	char **argv;
	int fds[2], status;
	pid_t pid;
	ssize_t w;

	for (n = 0; rcpt[n]; n++)
		;
	argv = xcalloc(n + 4, sizeof(*argv));
	argv[0] = (char *)path;
	argv[1] = "-i";
	argv[2] = "--";
	for (i = 0; i < n; i++)
		argv[3 + i] = rcpt[i];
	if (pipe(fds) < 0 || (pid = fork()) < 0) {
		log_warn("alert: cannot run %s: %s", path, strerror(errno));
		goto out;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execv(path, argv);
		log_warn("alert: cannot run %s: %s", path, strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	while (off < msg->len && deadline_wait(fds[1], POLLOUT, end) == 0 &&
	    (w = write(fds[1], msg->s + off, msg->len - off)) > 0)
		off += w;
	close(fds[1]);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (deadline_ms_left(end) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			log_warn("alert: %s killed after %d s", path,
			    ALERT_TIME_LIMIT);
			goto out;
		}
		poll(NULL, 0, 50);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warn("alert: %s failed (status %d)", path, status);
out:
	free(argv);
}

static void
alert_deliver(const struct buf *msg, const char *json)
{
	const char *url = var_alert_webhook_url;
	char **rcpt = var_alert_recipients;
	struct timespec end;
	struct buf err = BUF_INIT;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ALERT_TIME_LIMIT;
	if (rcpt != NULL && rcpt[0] != NULL)
		alert_sendmail(rcpt, msg, &end);
	if (*url == '\0')
		return;
	if (json == NULL)
		log_warn("alert: cannot encode the alerts as JSON");
	else if (alert_http_post(url, json, deadline_ms_left(&end), &err) < 0)
		log_warn("alert: webhook: %s", err.s);
	buf_free(&err);
}

static int
alert_have_destination(void)
{
	char **rcpt = var_alert_recipients;

	return *var_alert_webhook_url != '\0' ||
	    (rcpt != NULL && rcpt[0] != NULL);
}

/* The subscriptions file, read again when it changed. */
static void
alert_subs_load(void)
{
	char *path = xasprintf("%s/%s", var_data_directory, ALERTSUB_FILE);

	alertsub_load(path);
	free(path);
}

/* Whether one of the first n pending alerts has a subscriber. */
static int
alert_have_subscribers(size_t n)
{
	size_t i, nm, nw;
	const char **m, **w;
	int any = 0;

	for (i = 0; i < n && !any; i++) {
		m = alertsub_targets(alert_pending[i].domain, "mail", &nm);
		w = alertsub_targets(alert_pending[i].domain, "webhook", &nw);
		any = nm + nw > 0;
		free(m);
		free(w);
	}
	return any;
}

/*
 * The alerts of one domain (those of the first n pending alerts whose
 * domain is domain), one mail to each subscribed address and one POST
 * to each subscribed webhook (public addresses only, lib/pubaddr).
 */
static void
alert_deliver_domain(const char *domain, size_t n, const struct timespec *end)
{
	struct alert_item *items = xcalloc(n, sizeof(*items));
	struct buf msg = BUF_INIT, err = BUF_INIT;
	const char **mail, **hook;
	size_t i, k = 0, nm, nw;
	char *json, *rcpt[2];

	for (i = 0; i < n; i++)
		if (strcmp(alert_pending[i].domain, domain) == 0)
			items[k++] = alert_pending[i];
	mail = alertsub_targets(domain, "mail", &nm);
	hook = alertsub_targets(domain, "webhook", &nw);
	alert_mail(&msg, items, k, 0);
	json = alert_json(items, k, 0);
	for (i = 0; i < nm; i++) {
		rcpt[0] = (char *)mail[i];
		rcpt[1] = NULL;
		alert_sendmail(rcpt, &msg, end);
	}
	for (i = 0; i < nw; i++) {
		buf_reset(&err);
		if (json == NULL)
			log_warn("alert: %s: cannot encode the alerts as JSON",
			    esc_printable(domain));
		else if (alert_webhook_post(hook[i], json, deadline_ms_left(end),
		    var_alert_webhook_private_networks, &err) < 0)
			log_warn("alert: %s: subscribed webhook: %s",
			    esc_printable(domain), esc_printable(err.s));
		else
			log_info("alert: %s: %zu alerts posted to a subscribed"
			    " webhook", esc_printable(domain), k);
	}
	free(json);
	free(mail);
	free(hook);
	free(items);
	buf_free(&msg);
	buf_free(&err);
}

/* Every domain's subscribers, each domain's alerts apart. */
static void
alert_deliver_subscribers(size_t n)
{
	struct timespec end;
	size_t i, j;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ALERT_TIME_LIMIT;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(alert_pending[j].domain,
			    alert_pending[i].domain) == 0)
				break;
		if (j == i)
			alert_deliver_domain(alert_pending[i].domain, n, &end);
	}
}

/* A grandchild of the caller for one delivery, under its own alarm. */
static int
alert_fork_delivery(const struct buf *msg, const char *json, size_t n)
{
	pid_t p2;

	if ((p2 = fork()) != 0)
		return p2 < 0 ? -1 : 0;
	signal(SIGALRM, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	alarm(ALERT_TIME_LIMIT + 1);
	if (msg != NULL)
		alert_deliver(msg, json);
	else
		alert_deliver_subscribers(n);
	_exit(0);
}

/*
 * Delivers in grandchildren, the operator's and the subscribers' each
 * in its own, so that a slow subscriber delays no alert of the
 * operator's; the caller waits only for the fork.
 */
static int
alert_spawn(const struct buf *msg, const char *json, size_t n)
{
	pid_t pid;
	int status, bad = 0;

	if ((pid = fork()) < 0) {
		log_error("alert: cannot fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (alert_have_destination())
			bad |= alert_fork_delivery(msg, json, n) < 0;
		if (alert_have_subscribers(n))
			bad |= alert_fork_delivery(NULL, NULL, n) < 0;
		_exit(bad);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_error("alert: cannot start the delivery process");
		return -1;
	}
	return 0;
}

int
alert_send(void)
{
	struct buf msg = BUF_INIT;
	size_t n, dropped = 0;
	char *json;
	int rc;

	if (alert_npending == 0)
		return 0;
	cfg_bind_now();		/* the defaults, when main.cf was not read */
	alert_subs_load();
	if (!alert_have_destination() &&
	    !alert_have_subscribers(alert_npending)) {
		alert_pending_clear();
		return 0;
	}
	if ((n = alert_limit(&dropped)) == 0) {
		alert_pending_clear();
		return 0;
	}
	alert_mail(&msg, alert_pending, n, dropped);
	json = alert_json(alert_pending, n, dropped);
	rc = alert_spawn(&msg, json, n) < 0 ? -1 : (int)n;
	if (rc > 0)
		metrics_add(METRIC_ALERTS_SENT, (long long)n, NULL);
	free(json);
	buf_free(&msg);
	alert_pending_clear();
	return rc;
}

int
alert_raise(const char *domain, const char *kind, const char *key,
    const char *subject, const char *text)
{
	char *d = alert_cut(domain, ALERT_FIELD_MAX);
	char *k = alert_cut(kind, ALERT_FIELD_MAX);
	char *v = alert_cut(key, ALERT_FIELD_MAX);
	struct alert_item *it;
	const char *last;
	int rc = 1;

	if (alert_have_store && (last = alert_store.get(alert_store.ctx,
	    d, k)) != NULL && strcmp(last, v) == 0) {
		log_debug("alert: %s: %s: already sent", esc_printable(d),
		    esc_printable(k));
		free(d);
		free(k);
		free(v);
		return 0;
	}
	log_warn("alert: %s: %s: %s", esc_printable(d), esc_printable(k),
	    esc_printable(subject));
	if (alert_have_store)
		alert_store.put(alert_store.ctx, d, k, v);
	if (alert_npending == ALERT_DIGEST_MAX && alert_send() < 0)
		rc = -1;
	if (alert_npending == 0)
		alert_pending_since = time(NULL);
	it = &alert_pending[alert_npending++];
	it->domain = d;
	it->kind = k;
	it->key = v;
	it->subject = alert_cut(subject, ALERT_SUBJECT_MAX);
	it->text = alert_cut(text, ALERT_TEXT_MAX);
	it->time = time(NULL);
	/* A caller that raises for long without sending: send anyway. */
	if (time(NULL) - alert_pending_since >= ALERT_DIGEST_WAIT &&
	    alert_send() < 0)
		rc = -1;
	return rc;
}

int
alert_raised(const char *domain, const char *kind)
{
	char *d = alert_cut(domain, ALERT_FIELD_MAX);
	char *k = alert_cut(kind, ALERT_FIELD_MAX);
	int raised;

	raised = alert_have_store && alert_store.get(alert_store.ctx, d, k) !=
	    NULL;
	free(d);
	free(k);
	return raised;
}

void
alert_clear(const char *domain, const char *kind)
{
	char *d = alert_cut(domain, ALERT_FIELD_MAX);
	char *k = alert_cut(kind, ALERT_FIELD_MAX);

	if (alert_have_store && alert_store.get(alert_store.ctx, d, k))
		alert_store.put(alert_store.ctx, d, k, NULL);
	free(d);
	free(k);
}
