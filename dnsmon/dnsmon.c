/*
 * dnsmon - watch the DNS records and MX hosts of every hosted domain.
 *
 * SYNOPSIS
 *	dnsmon (started by master; see dnsmon(8))
 *
 * DESCRIPTION
 *	Every dnsmon_interval (plus up to DNSMON_JITTER_PCT percent of
 *	random jitter) dnsmon asks policyd for the domain list over
 *	private/policyd and checks each domain with check_run(): ownership,
 *	MX set against the policy, mta-sts host, the _mta-sts and
 *	_smtp._tls TXT records, TLSA and a STARTTLS probe of each MX.
 *
 *	Each domain is checked in a child process (at most
 *	dnsmon_concurrency at once) that writes its result as one JSON
 *	line on a pipe and exits; the event loop only reads pipes, so one
 *	slow domain never holds up the others and a child that hangs is
 *	killed by alarm() after its time limit.
 *
 *	For each result, dnsmon tells policyd {"op":"domain-verified"}
 *	for a pending domain whose ownership is proven, sends the result
 *	as {"op":"check-result","domain":D,"time":T,"checks":[...]}, and
 *	raises alerts (not for pending domains, which are still being set
 *	up) through lib/alert, once per change (state in
 *	$data_directory/alerts.state): a check that fails alerts with its
 *	fix, a check that passes again clears its alert; a certificate
 *	that expires within 21, 7 or 1 days alerts once at each step.
 *
 * MAY TOUCH
 *	private/policyd (client), $data_directory/alerts.state, DNS,
 *	port dnsmon_smtp_port of MX hosts, sendmail_path, the webhook.
 *
 * LIMITS
 *	The size of a child's result (ipc_message_size_limit); the time of
 *	a child (DNSMON_CHILD_TIME, computed from the time-outs).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "alert.h"
#include "buf.h"
#include "cfg.h"
#include "check.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"
#include "resolve.h"
#include "server.h"

#define DNSMON_POLICYD		"private/policyd"
#define DNSMON_STATE_FILE	"alerts.state"
#define DNSMON_FIRST_DELAY	1	/* seconds after start to the first round */
#define DNSMON_RETRY_DELAY	30	/* seconds after a failed domain-list */
#define DNSMON_JITTER_PCT	10	/* percent of dnsmon_interval */
#define DNSMON_READ_CHUNK	4096
#define DNSMON_QUERIES_MAX	32	/* DNS queries of one domain, bound */
#define DNSMON_PROBE_STEPS	6	/* connect, greeting, EHLO, STARTTLS, TLS, QUIT */

static const int dnsmon_expiry_steps[] = { 1, 7, 21 };	/* days, ascending */

struct dnsmon_child {
	pid_t	 pid;
	int	 fd;
	struct event *ev;
	struct buf out;
	json_t	*domain;		/* DOMAIN-OBJECT of policyd */
	struct dnsmon_child *next;
};

static struct event *dnsmon_timer;
static json_t *dnsmon_domains;		/* this round's list */
static size_t dnsmon_next;		/* next one to start */
static int dnsmon_running;		/* children alive */
static struct dnsmon_child *dnsmon_children;
static int dnsmon_policyd = -1;		/* connection for this round */
static int dnsmon_no_check_result;	/* policyd does not know the op */

static void dnsmon_start_children(void);

static int
dnsmon_ipc_timeout(void)
{
	return (int)(cfg_time("ipc_timeout") * 1000);
}

static void
dnsmon_schedule(long long secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	evtimer_add(dnsmon_timer, &tv);
}

/* One request to policyd on this round's connection; the reply or NULL. */
static json_t *
dnsmon_call(json_t *req)
{
	struct buf err = BUF_INIT;
	json_t *reply = NULL;

	if (dnsmon_policyd < 0 && (dnsmon_policyd = ipc_connect_unix(
	    DNSMON_POLICYD, dnsmon_ipc_timeout(), &err)) < 0) {
		log_warn("%s", err.s);
		goto out;
	}
	if (ipc_call(dnsmon_policyd, req, &reply, dnsmon_ipc_timeout(),
	    &err) < 0) {
		log_warn("%s: %s", DNSMON_POLICYD, err.s);
		close(dnsmon_policyd);
		dnsmon_policyd = -1;
		reply = NULL;
	}
out:
	json_decref(req);
	buf_free(&err);
	return reply;
}

static void
dnsmon_alert_check(const char *domain, json_t *c)
{
	const char *name = json_string_value(json_object_get(c, "check"));
	const char *status = json_string_value(json_object_get(c, "status"));
	const char *host = json_string_value(json_object_get(c, "host"));
	const char *msg = json_string_value(json_object_get(c, "message"));
	const char *fix = json_string_value(json_object_get(c, "fix"));
	const char *key = json_string_value(json_object_get(c, "key"));
	char *kind, *subject, *text;

	if (name == NULL || status == NULL || msg == NULL)
		return;
	kind = host ? xasprintf("%s:%s", name, host) : xstrdup(name);
	if (strcmp(status, "ok") == 0)
		alert_clear(domain, kind);
	else if (strcmp(status, "fail") == 0) {
		subject = xasprintf("stsd: %s: %s", domain, msg);
		text = fix ? xasprintf("%s\n\nFix: %s", msg, fix) :
		    xstrdup(msg);
		alert_raise(domain, kind, key ? key : msg, subject, text);
		free(subject);
		free(text);
	}
	free(kind);
}

/* Expiry warnings at 21, 7 and 1 days: one alert at each step. */
static void
dnsmon_alert_expiry(const char *domain, json_t *c)
{
	const char *host = json_string_value(json_object_get(c, "host"));
	json_t *dl = json_object_get(c, "days_left");
	char *kind, *subject, *key;
	long long days;
	size_t i;

	if (host == NULL || !json_is_integer(dl))
		return;
	days = json_integer_value(dl);
	kind = xasprintf("cert-expiry:%s", host);
	for (i = 0; i < sizeof(dnsmon_expiry_steps) /
	    sizeof(dnsmon_expiry_steps[0]); i++)
		if (days >= 0 && days <= dnsmon_expiry_steps[i])
			break;
	if (days < 0 || i == sizeof(dnsmon_expiry_steps) /
	    sizeof(dnsmon_expiry_steps[0]))
		alert_clear(domain, kind);
	else {
		key = xasprintf("%d", dnsmon_expiry_steps[i]);
		subject = xasprintf("stsd: %s: the certificate of %s expires"
		    " in %lld days", domain, host, days);
		alert_raise(domain, kind, key, subject, subject);
		free(key);
		free(subject);
	}
	free(kind);
}

static void
dnsmon_result(json_t *domain, json_t *result)
{
	const char *name = json_string_value(json_object_get(domain, "domain"));
	const char *state = json_string_value(json_object_get(domain, "state"));
	json_t *checks = json_object_get(result, "checks"), *c, *r;
	size_t i;

	if (name == NULL)
		return;
	if (state != NULL && strcmp(state, "pending") == 0 &&
	    json_is_true(json_object_get(result, "verified"))) {
		log_info("%s: ownership proven by DNS", name);
		r = dnsmon_call(json_pack("{s:s, s:s}", "op", "domain-verified",
		    "domain", name));
		if (r != NULL && !json_is_true(json_object_get(r, "ok")))
			log_warn("%s: policyd refused domain-verified: %s", name,
			    json_string_value(json_object_get(r, "error")));
		json_decref(r);
	}
	/* A pending domain is still being set up: no alerts yet. */
	json_array_foreach(checks, i, c) {
		if (state != NULL && strcmp(state, "pending") == 0)
			break;
		dnsmon_alert_check(name, c);
		if (json_object_get(c, "days_left") != NULL)
			dnsmon_alert_expiry(name, c);
	}
	if (!dnsmon_no_check_result) {
		r = dnsmon_call(json_pack("{s:s, s:s, s:I, s:O}", "op",
		    "check-result", "domain", name, "time",
		    (json_int_t)time(NULL), "checks", checks));
		if (r != NULL && !json_is_true(json_object_get(r, "ok"))) {
			log_info("policyd does not store check results (%s):"
			    " results are kept in alerts only",
			    json_string_value(json_object_get(r, "error")));
			dnsmon_no_check_result = 1;
		}
		json_decref(r);
	}
}

static void
dnsmon_round_done(void)
{
	long long iv = cfg_time("dnsmon_interval"), jitter;

	json_decref(dnsmon_domains);
	dnsmon_domains = NULL;
	alert_store_flush();
	if (dnsmon_policyd >= 0)
		close(dnsmon_policyd);
	dnsmon_policyd = -1;
	jitter = iv * DNSMON_JITTER_PCT / 100;
	if (jitter > 0)
		iv += random() % (jitter + 1);
	log_info("round done; next in %lld s", iv);
	dnsmon_schedule(iv);
}

static void
dnsmon_child_done(struct dnsmon_child *ch)
{
	struct dnsmon_child **pp;
	struct buf err = BUF_INIT;
	json_t *result = NULL;
	int status;

	event_free(ch->ev);
	close(ch->fd);
	while (waitpid(ch->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ch->out.len == 0 || ipc_parse(ch->out.s, ch->out.len - 1,
	    &result, &err) < 0)
		log_warn("%s: check gave no result (%s)",
		    json_string_value(json_object_get(ch->domain, "domain")),
		    WIFSIGNALED(status) ? "killed at its time limit" :
		    err.len ? err.s : "child failed");
	else
		dnsmon_result(ch->domain, result);
	json_decref(result);
	buf_free(&err);
	for (pp = &dnsmon_children; *pp; pp = &(*pp)->next)
		if (*pp == ch) {
			*pp = ch->next;
			break;
		}
	json_decref(ch->domain);
	buf_free(&ch->out);
	free(ch);
	dnsmon_running--;
	dnsmon_start_children();
	if (dnsmon_running == 0 && dnsmon_domains != NULL &&
	    dnsmon_next >= json_array_size(dnsmon_domains))
		dnsmon_round_done();
}

static void
dnsmon_child_read(evutil_socket_t fd, short what, void *arg)
{
	struct dnsmon_child *ch = arg;
	char chunk[DNSMON_READ_CHUNK];
	ssize_t n;

	(void)what;
	n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && ch->out.len + n <= ipc_size_limit() + 1) {
		buf_append(&ch->out, chunk, n);
		return;
	}
	if (n > 0) {
		log_warn("check result longer than %zu bytes",
		    ipc_size_limit());
		buf_reset(&ch->out);
		kill(ch->pid, SIGKILL);
	}
	dnsmon_child_done(ch);
}

/* The child: check one domain, write one line, exit. */
static void
dnsmon_child_main(int fd, json_t *domain)
{
	struct check_domain d;
	struct resolve *res;
	struct buf err = BUF_INIT;
	json_t *result;
	char *line;
	size_t len, off = 0;
	ssize_t n;

	signal(SIGALRM, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	alarm((unsigned)(DNSMON_QUERIES_MAX * cfg_time("dnsmon_query_timeout")
	    + CHECK_MX_MAX * DNSMON_PROBE_STEPS *
	    cfg_time("dnsmon_probe_timeout") + 1));
	if (check_domain_from_json(domain, &d) < 0)
		_exit(1);
	res = resolve_new((int)cfg_time("dnsmon_query_timeout") * 1000,
	    (int)cfg_int("dnsmon_cname_depth"), &err);
	if (res == NULL) {
		log_error("%s", err.s);
		_exit(1);
	}
	result = check_run(res, &d, 1);
	if ((line = ipc_encode(result, &len)) == NULL)
		_exit(1);
	while (off < len && (n = write(fd, line + off, len - off)) > 0)
		off += n;
	_exit(off == len ? 0 : 1);
}

static void
dnsmon_start_one(json_t *domain)
{
	struct dnsmon_child *ch;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		log_error("cannot start a check: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		dnsmon_child_main(fds[1], domain);
	}
	close(fds[1]);
	evutil_make_socket_nonblocking(fds[0]);
	ch = xcalloc(1, sizeof(*ch));
	ch->pid = pid;
	ch->fd = fds[0];
	ch->domain = json_incref(domain);
	ch->ev = event_new(server_base(), fds[0], EV_READ | EV_PERSIST,
	    dnsmon_child_read, ch);
	event_add(ch->ev, NULL);
	ch->next = dnsmon_children;
	dnsmon_children = ch;
	dnsmon_running++;
}

static void
dnsmon_start_children(void)
{
	long long limit = cfg_int("dnsmon_concurrency");

	if (limit < 1)
		limit = 1;
	while (dnsmon_domains != NULL && dnsmon_running < limit &&
	    dnsmon_next < json_array_size(dnsmon_domains))
		dnsmon_start_one(json_array_get(dnsmon_domains,
		    dnsmon_next++));
}

static void
dnsmon_round(evutil_socket_t fd, short what, void *arg)
{
	json_t *reply, *list;

	(void)fd;
	(void)what;
	(void)arg;
	if (dnsmon_domains != NULL)
		return;
	reply = dnsmon_call(ipc_request("domain-list"));
	list = json_object_get(reply, "domains");
	if (!json_is_array(list)) {
		log_warn("no domain list from policyd; trying again in %d s",
		    DNSMON_RETRY_DELAY);
		json_decref(reply);
		dnsmon_schedule(DNSMON_RETRY_DELAY);
		return;
	}
	dnsmon_domains = json_incref(list);
	json_decref(reply);
	dnsmon_next = 0;
	log_info("round: checking %zu domains", json_array_size(list));
	if (json_array_size(list) == 0) {
		dnsmon_round_done();
		return;
	}
	dnsmon_start_children();
}

static void
dnsmon_post_jail(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	char *state;

	(void)argc;
	(void)argv;
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	state = xasprintf("%s/%s", cfg_str("data_directory"),
	    DNSMON_STATE_FILE);
	if (alert_store_file(state, &err) < 0)
		log_fatal("%s", err.s);
	free(state);
	dnsmon_timer = evtimer_new(server_base(), dnsmon_round, NULL);
	dnsmon_schedule(DNSMON_FIRST_DELAY);
}

static void
dnsmon_cleanup(void)
{
	struct dnsmon_child *ch, *next;

	for (ch = dnsmon_children; ch; ch = next) {
		next = ch->next;
		kill(ch->pid, SIGKILL);
		waitpid(ch->pid, NULL, 0);
		event_free(ch->ev);
		close(ch->fd);
		json_decref(ch->domain);
		buf_free(&ch->out);
		free(ch);
	}
	dnsmon_children = NULL;
	if (dnsmon_timer != NULL)
		event_free(dnsmon_timer);
	json_decref(dnsmon_domains);
	if (dnsmon_policyd >= 0)
		close(dnsmon_policyd);
	alert_store_close();
}

int
main(int argc, char **argv)
{
	static const struct server_hooks hooks = {
		NULL, dnsmon_post_jail, NULL, dnsmon_cleanup,
	};

	return server_main(argc, argv, &hooks);
}
