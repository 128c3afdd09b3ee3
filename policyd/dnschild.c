/*
 * dnschild - policyd's DNS UPDATE worker: a child process per batch of
 * due domains, and the outcomes it reports; see dnschild.h.
 * SPDX-License-Identifier: ISC
 *
 * The updates are synchronous (lib/dnsupdate), so they run in a child
 * that writes one result line per domain on a pipe (publish_run); the
 * event loop reads the pipe, reaps the child at its end of file and
 * records the outcomes in policy.db (publish_done).
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

#include "buf.h"
#include "dnschild.h"
#include "dnsupdate.h"
#include "events.h"
#include "ipc.h"
#include "lease.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "policydb.h"
#include "proto.h"
#include "publish.h"
#include "request.h"
#include "server.h"

#define DNSCHILD_DELAY_MS	250		/* change to DNS UPDATE */
#define DNSCHILD_ERROR_WAIT	60		/* after a database error, s */
#define DNSCHILD_LINE_MAX	8192		/* bytes of one child result */
#define DNSCHILD_READ_CHUNK	4096
#define DNSCHILD_WAIT_MAX	3600		/* longest timer, seconds */

/* The DNS child of the current batch. */
struct dnschild_batch {
	pid_t	 pid;			/* 0: none running */
	int	 fd;
	struct event *ev;
	struct buf out;
	struct policydb_publish_item *items;
	size_t	 n;
};

static struct policyd *dnschild_pd;	/* the daemon's state */
static struct event *dnschild_ev;	/* the next batch */
static struct dnschild_batch dnschild;

static void
dnschild_arm(long long ms)
{
	struct timeval tv;

	if (ms > DNSCHILD_WAIT_MAX * 1000LL)
		ms = DNSCHILD_WAIT_MAX * 1000LL;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_del(dnschild_ev);
	evtimer_add(dnschild_ev, &tv);
}

/* pd->publish: something is due; the running child re-arms when done. */
static void
dnschild_kick(void *arg)
{
	if (dnschild_ev != NULL && dnschild.pid == 0)
		dnschild_arm(DNSCHILD_DELAY_MS);
}

static void
dnschild_log(const struct policydb_publish_item *it, const char *error)
{
	json_t *st;

	if (error == NULL && it->id == NULL) {
		log_info("%s: DNS: records deleted from %s", it->domain,
		    dnschild_pd->conf.sts_zone);
		return;
	}
	if (error == NULL) {
		log_info("%s: DNS: published policy id %s in %s", it->domain,
		    it->id, dnschild_pd->conf.sts_zone);
		return;
	}
	st = publish_state_json(dnschild_pd->db, it->domain);
	log_warn("%s: DNS: %s failed (attempt %lld, next try in %lld s): %s",
	    it->domain, it->id ? "publication" : "deletion",
	    (long long)json_integer_value(json_object_get(st, "attempts")),
	    (long long)json_integer_value(json_object_get(st, "next_try")) -
	    (long long)time(NULL), error);
	json_decref(st);
}

static void
dnschild_record(const struct policydb_publish_item *it, const char *error)
{
	struct buf err = BUF_INIT;

	const struct policyd_conf *conf = &dnschild_pd->conf;

	if (publish_done(dnschild_pd->db, it, error, (long long)time(NULL),
	    conf->dns_retry_min, conf->dns_retry_max, &err) < 0)
		log_error("%s: DNS: cannot record the outcome: %s", it->domain,
		    err.s);
	else
		dnschild_log(it, error);
	buf_free(&err);
}

/* The item of the batch that a result line names, or NULL. */
static struct policydb_publish_item *
dnschild_match(const char *line, size_t len, char **error)
{
	struct buf err = BUF_INIT;
	struct policydb_publish_item it, *found = NULL;
	json_t *msg = NULL;
	size_t i;

	if (ipc_parse(line, len, &msg, &err) < 0 ||
	    publish_result_parse(msg, &it, error) < 0) {
		log_error("DNS child: bad result line: %s",
		    err.len ? err.s : "missing members");
		json_decref(msg);
		buf_free(&err);
		return NULL;
	}
	for (i = 0; i < dnschild.n && found == NULL; i++)
		if (dnschild.items[i].domain != NULL &&
		    strcmp(dnschild.items[i].domain, it.domain) == 0)
			found = &dnschild.items[i];
	free(it.domain);
	free(it.id);
	json_decref(msg);
	buf_free(&err);
	return found;
}

static void
dnschild_finish(void)
{
	struct policydb_publish_item *it;
	char *line, *nl, *error, *why;
	size_t i;
	int status = 0;

	event_free(dnschild.ev);
	close(dnschild.fd);
	while (waitpid(dnschild.pid, &status, 0) < 0 && errno == EINTR)
		;
	buf_append(&dnschild.out, "", 1);
	for (line = dnschild.out.s; (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		if ((it = dnschild_match(line, (size_t)(nl - line),
		    &error)) == NULL) {
			free(error);
			continue;
		}
		dnschild_record(it, error);
		free(error);
		free(it->domain);
		it->domain = NULL;		/* done */
	}
	why = WIFSIGNALED(status) ? xasprintf("the update process was"
	    " killed by signal %d (time limit?)", WTERMSIG(status)) :
	    xstrdup("the update process ended without a result");
	for (i = 0; i < dnschild.n; i++)
		if (dnschild.items[i].domain != NULL)
			dnschild_record(&dnschild.items[i], why);
	free(why);
	policydb_publish_free(dnschild.items, dnschild.n);
	buf_free(&dnschild.out);
	memset(&dnschild, 0, sizeof(dnschild));
	dnschild_kick(NULL);
}

static void
dnschild_read(evutil_socket_t fd, short what, void *arg)
{
	char chunk[DNSCHILD_READ_CHUNK];
	ssize_t n;

	n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && dnschild.out.len + (size_t)n <=
	    dnschild.n * DNSCHILD_LINE_MAX) {
		buf_append(&dnschild.out, chunk, (size_t)n);
		return;
	}
	if (n > 0) {
		log_error("DNS child: more output than %zu results",
		    dnschild.n);
		kill(dnschild.pid, SIGKILL);
	}
	dnschild_finish();
}

/* One update of the child, bounded by dnsmon_query_timeout. */
static int
dnschild_update(const char *owner, const char *const *txt, size_t ntxt,
    struct buf *err)
{
	return dnsupdate_publish_txt(owner, txt, ntxt,
	    (int)var_dnsmon_query_timeout * 1000, err);
}

/* The child: one batch of updates, each bounded by its own time-out. */
static void
dnschild_run(int fd, const struct policydb_publish_item *v, size_t n)
{
	long long each = var_dnsmon_query_timeout;

	signal(SIGTERM, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	/* Two updates per domain, plus the connect of each. */
	alarm((unsigned)(n * 2 * (each + 1) + 1));
	publish_run(&dnschild_pd->conf, v, n, fd, dnschild_update);
	_exit(0);
}

/*
 * DNS UPDATEs are the work of the node that holds the dnsmon lease
 * (lease.h); another node leaves what it queued to that one, whose
 * policyd kicks its batch at each tick, and looks again at its own
 * next tick, when it may hold the lease.
 */
static int
dnschild_leased(void)
{
	static int said;
	const char *holder = NULL;

	if (dnschild_pd->leases == NULL || leases_held(dnschild_pd->leases,
	    PROTO_LEASE_DNSMON, &holder) != 0) {
		if (said)
			log_info("DNS: updates are this node's again");
		said = 0;
		return 1;
	}
	if (!said)
		log_info("DNS: updates left to the node that holds the lease"
		    " %s (%s)", PROTO_LEASE_DNSMON, holder ? holder :
		    "none now");
	said = 1;
	dnschild_arm(leases_interval(dnschild_pd->leases));
	return 0;
}

static void
dnschild_start(void)
{
	struct buf err = BUF_INIT;
	long long now = (long long)time(NULL), next;
	int fds[2];
	pid_t pid;

	if (dnschild.pid != 0 || !dnschild_leased())
		return;
	if (policydb_publish_due(dnschild_pd->db, now, PUBLISH_BATCH_MAX,
	    &dnschild.items, &dnschild.n, &err) < 0) {
		log_error("DNS: %s", err.s);
		buf_free(&err);
		dnschild_arm(DNSCHILD_ERROR_WAIT * 1000LL);
		return;
	}
	if (dnschild.n == 0) {
		policydb_publish_free(dnschild.items, 0);
		dnschild.items = NULL;
		if ((next = policydb_publish_next(dnschild_pd->db)) >= 0)
			dnschild_arm(next > now ? (next - now) * 1000 :
			    DNSCHILD_DELAY_MS);
		return;
	}
	if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		log_error("DNS: cannot start the update process: %s",
		    strerror(errno));
		policydb_publish_free(dnschild.items, dnschild.n);
		memset(&dnschild, 0, sizeof(dnschild));
		dnschild_arm(DNSCHILD_ERROR_WAIT * 1000LL);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		dnschild_run(fds[1], dnschild.items, dnschild.n);
	}
	close(fds[1]);
	evutil_make_socket_nonblocking(fds[0]);
	dnschild.pid = pid;
	dnschild.fd = fds[0];
	dnschild.ev = event_new(server_base(), fds[0], EV_READ | EV_PERSIST,
	    dnschild_read, NULL);
	event_add(dnschild.ev, NULL);
	log_debug("DNS: updating %zu domain%s (process %ld)", dnschild.n,
	    dnschild.n == 1 ? "" : "s", (long)pid);
}

static void
dnschild_timer(evutil_socket_t fd, short what, void *arg)
{
	dnschild_start();
}

void
dnschild_init(struct policyd *pd)
{
	struct dnsupdate_key key;
	struct buf err = BUF_INIT;
	const char *keyfile = var_dns_update_key_file;

	dnschild_pd = pd;
	if (!pd->conf.dns_update)
		return;
	/* Said at start; each failed update says it again in its state. */
	if (*keyfile == '\0')
		log_error("parameter dns_update_server is set but"
		    " dns_update_key_file is empty: DNS updates will fail");
	else if (dnsupdate_key_read(keyfile, &key, &err) < 0)
		log_error("parameter dns_update_key_file: %s", err.s);
	else
		dnsupdate_key_free(&key);
	buf_reset(&err);
	pd->publish = dnschild_kick;
	dnschild_ev = evtimer_new(server_base(), dnschild_timer, NULL);
	if (publish_sync(pd->db, &pd->conf, (long long)time(NULL), &err) < 0)
		log_error("DNS: cannot queue the records to publish: %s", err.s);
	buf_free(&err);
	dnschild_arm(0);
}

void
dnschild_stop(void)
{
	if (dnschild.pid != 0) {
		kill(dnschild.pid, SIGKILL);
		while (waitpid(dnschild.pid, NULL, 0) < 0 && errno == EINTR)
			;
		event_free(dnschild.ev);
		close(dnschild.fd);
		policydb_publish_free(dnschild.items, dnschild.n);
		buf_free(&dnschild.out);
		memset(&dnschild, 0, sizeof(dnschild));
	}
	events_free(dnschild_ev);
	dnschild_ev = NULL;
}
