/*
 * check - "stsctl check DOMAIN [--json]".
 * SPDX-License-Identifier: ISC
 *
 * Asks policyd for the domain (domain-show) and asks it to have dnsmon
 * check the domain now (domain-check: the stored state that "stsctl
 * domain show" prints follows within seconds), then runs every check
 * of dnsmon in this process with the same code (lib/dnscheck.c: DNS
 * records, MX set against the policy, TLSA, a STARTTLS probe of each
 * MX), adds whether httpd serves the policy (policy-served: active and
 * served with a valid certificate, as policyd knows) and prints one line
 * per problem, "what is wrong; how to fix it",
 * e.g. "certificate-host-mismatch: mx2.example.com presents a
 * certificate for mail.other.net; reissue with mx2.example.com in
 * subjectAltName".  Informational lines (DANE) start with "info:".
 * With --json it prints the whole result object of check_run().
 *
 * Waiting: the requests to policyd wait with poll(), the DNS queries
 * go out one at a time through dnsmon's dnsq
 * (the nameservers of resolv.conf) and the probes run in child
 * processes (dnsmon's probes), all on one event loop, so that a wait
 * that lasts longer than CHECK_SAY_AFTER seconds is said on stderr
 * ("waiting for the answer to MX example.com from 192.0.2.53"), and
 * everything stops at stsctl_check_timeout: what was not answered by
 * then counts as timed out, the checks are printed as they stand, and
 * the reason follows on stderr ("gave up after 10 s
 * (stsctl_check_timeout) waiting for the answer to ...").
 *
 * Exit status: 0 when nothing fails, 1 when a check fails, DNS gives an
 * error or the time ran out.  Changes nothing but the time of
 * dnsmon's next check of the domain.
 *
 * LIMITS
 *	CHECK_PACKETS_MAX DNS answers per check; stsctl_check_timeout in
 *	all, from the first request to policyd to the last probe.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>
#include <ldns/ldns.h>

#include "buf.h"
#include "cfg.h"
#include "check.h"
#include "dnscheck.h"
#include "dnsq.h"
#include "ipc.h"
#include "mxprobes.h"
#include "mymalloc.h"
#include "proto.h"
#include "resolve.h"
#include "stsctl.h"
#include "usage.h"

#define CHECK_SAY_AFTER		1	/* seconds of waiting before saying so */
#define CHECK_PACKETS_MAX	256	/* DNS answers of one check */
#define CHECK_WHAT_MAX		512	/* bytes of what is waited for */
#define CHECK_SERVERS_MAX	256	/* bytes of the nameserver list */

/* The waits of one check, on one event loop. */
struct check_wait {
	const char *domain;
	struct timespec start;		/* of the check */
	struct event_base *base;
	struct dnsq *q;
	struct probes *probes;
	struct event *say;		/* CHECK_SAY_AFTER into a wait */
	struct event *deadline;		/* stsctl_check_timeout */
	long long timeout;		/* its seconds */
	int	 gave_up;
	int	 done;			/* the current wait is over */
	char	 what[CHECK_WHAT_MAX];	/* the current wait */
	char	 why[CHECK_WHAT_MAX];	/* what was waited for at the end */
	char	 servers[CHECK_SERVERS_MAX];
	ldns_pkt *pkt[CHECK_PACKETS_MAX];	/* kept until the end */
	size_t	 npkt;
	ldns_pkt *answer;		/* of the current query */
	enum resolve_status status;
};

static void
check_say(evutil_socket_t fd, short what, void *arg)
{
	struct check_wait *w = arg;

	(void)fd;
	(void)what;
	fprintf(stderr, "stsctl: %s: waiting for %s (at most %lld s in all,"
	    " stsctl_check_timeout)\n", w->domain, w->what, w->timeout);
	fflush(stderr);
}

static void
check_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct check_wait *w = arg;

	(void)fd;
	(void)what;
	w->gave_up = 1;
	snprintf(w->why, sizeof(w->why), "%s", w->what);
	event_base_loopbreak(w->base);
}

/* Runs the loop until the current wait is over or the time is out. */
static void
check_wait_run(struct check_wait *w)
{
	struct timeval tv = { CHECK_SAY_AFTER, 0 };

	evtimer_add(w->say, &tv);
	while (!w->done && !w->gave_up)
		if (event_base_loop(w->base, EVLOOP_ONCE) < 0)
			break;
	evtimer_del(w->say);
}

/* The nameservers of resolv.conf, for people. */
static void
check_servers(struct check_wait *w)
{
	ldns_resolver *r;
	struct buf b = BUF_INIT;
	char *s;
	size_t i;

	buf_puts(&b, "");
	if (ldns_resolver_new_frm_file(&r, NULL) == LDNS_STATUS_OK) {
		for (i = 0; i < ldns_resolver_nameserver_count(r); i++) {
			s = ldns_rdf2str(ldns_resolver_nameservers(r)[i]);
			buf_printf(&b, "%s%s", i ? ", " : "", s ? s : "?");
			free(s);
		}
		ldns_resolver_deep_free(r);
	}
	snprintf(w->servers, sizeof(w->servers), "%s", b.len ? b.s :
	    "no nameserver");
	buf_free(&b);
}

static void
check_answer(void *arg, ldns_pkt *pkt, enum resolve_status st)
{
	struct check_wait *w = arg;

	w->answer = pkt;
	w->status = st;
	w->done = 1;
}

/* resolve_source.lookup: one query at a time, waited for here. */
static int
check_lookup(void *ctx, const ldns_rdf *name, ldns_rr_type type,
    const ldns_pkt **pkt, enum resolve_status *st)
{
	struct check_wait *w = ctx;
	char *n = ldns_rdf2str(name), *t = ldns_rr_type2str(type);

	*pkt = NULL;
	*st = RESOLVE_TIMEOUT;
	snprintf(w->what, sizeof(w->what), "the answer to %s %s from %s",
	    t ? t : "?", n ? n : "?", w->servers);
	free(n);
	free(t);
	if (w->gave_up)
		return 0;
	if (w->npkt == CHECK_PACKETS_MAX) {
		*st = RESOLVE_ERROR;
		return 0;
	}
	w->done = 0;
	w->answer = NULL;
	if (dnsq_ask(w->q, name, type, check_answer, w) < 0) {
		*st = RESOLVE_ERROR;
		return 0;
	}
	check_wait_run(w);
	if (!w->done)
		return 0;		/* gave up: a time-out */
	*st = w->status;
	if ((*pkt = w->answer) != NULL)
		w->pkt[w->npkt++] = w->answer;
	return 0;
}

static void
check_probed(void *arg)
{
	struct check_wait *w = arg;

	w->done = 1;
}

/* Each MX host of the result, probed in a child; appended as check_run does. */
static void
check_probe_all(struct check_wait *w, json_t *result)
{
	json_t *checks = json_object_get(result, "checks"), *h;
	const char *host;
	size_t i;

	json_array_foreach(json_object_get(result, "mx"), i, h) {
		if ((host = json_string_value(h)) == NULL)
			continue;
		snprintf(w->what, sizeof(w->what), "the STARTTLS probe of %s"
		    " port %lld", host, var_dnsmon_smtp_port);
		w->done = 0;
		if (w->gave_up)
			break;
		if (!probes_want(w->probes, host, check_probed, w))
			check_wait_run(w);
		if (!w->done)
			break;
		probes_add(w->probes, checks, host);
	}
}

static int
check_print(json_t *result)
{
	json_t *checks = json_object_get(result, "checks"), *c;
	const char *name, *status, *msg, *fix;
	size_t i;
	int bad = 0;

	json_array_foreach(checks, i, c) {
		name = json_string_value(json_object_get(c, "check"));
		status = json_string_value(json_object_get(c, "status"));
		msg = json_string_value(json_object_get(c, "message"));
		fix = json_string_value(json_object_get(c, "fix"));
		if (name == NULL || status == NULL || msg == NULL ||
		    strcmp(status, "ok") == 0)
			continue;
		if (strcmp(status, "info") == 0) {
			printf("info: %s\n", msg);
			continue;
		}
		bad++;
		/* A probe's message already starts with its result type. */
		if (strcmp(name, "probe") == 0)
			printf("%s", msg);
		else
			printf("%s: %s%s", name, strcmp(status, "dns-error") ==
			    0 ? "DNS error: " : "", msg);
		printf("%s%s\n", fix ? "; " : "", fix ? fix : "");
	}
	if (bad == 0)
		printf("%s: every check passed\n",
		    json_string_value(json_object_get(result, "domain")));
	return bad != 0;
}

static int
check_print_json(json_t *result)
{
	json_t *c;
	const char *st;
	size_t i;
	int rc = 0;

	json_dumpf(result, stdout, JSON_INDENT(2));
	printf("\n");
	json_array_foreach(json_object_get(result, "checks"), i, c) {
		st = json_string_value(json_object_get(c, "status"));
		if (st && (strcmp(st, "fail") == 0 ||
		    strcmp(st, "dns-error") == 0))
			rc = 1;
	}
	return rc;
}

/* Milliseconds left before stsctl_check_timeout; 0 when none. */
static int
check_left_ms(const struct check_wait *w)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = w->timeout * 1000 - ((now.tv_sec - w->start.tv_sec) * 1000 +
	    (now.tv_nsec - w->start.tv_nsec) / 1000000);
	return ms > 0 ? (int)ms : 0;
}

static void __attribute__((noreturn))
check_give_up(struct check_wait *w)
{
	fflush(stdout);
	fprintf(stderr, "stsctl: %s: gave up after %lld s"
	    " (stsctl_check_timeout) waiting for %s\n", w->domain,
	    w->timeout, w->what);
	exit(1);
}

/*
 * One request to policyd's public socket, in the time left: said after
 * CHECK_SAY_AFTER seconds, given up at the deadline.  The reply, which
 * may say that the request was refused.
 */
static json_t *
check_policyd(struct check_wait *w, json_t *req)
{
	struct pollfd pfd;
	struct buf err = BUF_INIT;
	json_t *reply = NULL;
	int fd, n, said = 0;

	snprintf(w->what, sizeof(w->what), "policyd's answer to %s on %s",
	    ipc_op(req), stsctl_policyd_path());
	if ((fd = ipc_connect_unix(stsctl_policyd_path(), check_left_ms(w),
	    &err)) < 0)
		stsctl_die("cannot reach policyd: %s (is the instance running?"
		    " stsd -c %s start)", err.s, cfg_config_dir());
	if (ipc_send(fd, req, check_left_ms(w), &err) < 0)
		stsctl_die("policyd: %s", err.s);
	json_decref(req);
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		n = check_left_ms(w);
		if (!said && n > CHECK_SAY_AFTER * 1000)
			n = CHECK_SAY_AFTER * 1000;
		if ((n = poll(&pfd, 1, n)) > 0)
			break;
		if (n < 0 && errno != EINTR)
			stsctl_die("policyd: poll: %s", strerror(errno));
		if (check_left_ms(w) == 0)
			check_give_up(w);
		if (n == 0 && !said) {
			check_say(-1, 0, w);
			said = 1;
		}
	}
	if (ipc_recv(fd, ipc_size_limit(), &reply, check_left_ms(w), &err) <= 0)
		stsctl_die("policyd: %s", err.len ? err.s :
		    "connection closed without a reply");
	close(fd);
	buf_free(&err);
	return reply;
}

/* The domain, from policyd; and dnsmon asked to check it too. */
static void
check_domain_get(struct check_wait *w, const char *domain,
    struct check_domain *d)
{
	const char *why;
	json_t *reply;

	reply = check_policyd(w, json_pack("{s:s, s:s}", "op",
	    PROTO_OP_DOMAIN_SHOW, "domain", domain));
	if (!json_is_true(json_object_get(reply, "ok"))) {
		why = json_string_value(json_object_get(reply, "error"));
		stsctl_die("%s", why ? why : "request refused without a reason");
	}
	if (check_domain_from_json(json_object_get(reply, "domain"), d) < 0)
		stsctl_die("%s: policyd sent no domain", domain);
	json_decref(reply);
	w->domain = d->name;
	reply = check_policyd(w, json_pack("{s:s, s:s}", "op",
	    PROTO_OP_DOMAIN_CHECK, "domain", d->name));
	if (!json_is_true(json_object_get(reply, "ok"))) {
		why = json_string_value(json_object_get(reply, "error"));
		fprintf(stderr, "stsctl: %s: dnsmon not asked to check it: %s\n",
		    d->name, why ? why : "refused without a reason");
	} else if (json_is_false(json_object_get(reply, "asked")))
		fprintf(stderr, "stsctl: %s: dnsmon not reached (is it in"
		    " master.cf?): its stored state follows at its next round\n",
		    d->name);
	json_decref(reply);
}

/*
 * Whether senders can fetch the policy: the domain is active (or
 * retiring) and httpd has served it with a valid certificate, as
 * policyd knows; else what it waits for.  First among the checks, so
 * that "every check passed" means the policy is served too.
 */
static void
check_served(const struct check_domain *d, json_t *result)
{
	json_t *checks = json_object_get(result, "checks"), *c;
	const char *st = d->state ? d->state : "unknown";
	char *msg, *fix;

	if ((strcmp(st, "active") == 0 || strcmp(st, "retiring") == 0) &&
	    d->waiting == NULL) {
		c = json_pack("{s:s, s:s, s:s}", "check", "policy-served",
		    "status", "ok", "message", "httpd serves the policy with a"
		    " valid certificate");
	} else {
		msg = d->waiting != NULL ?
		    xasprintf("the policy of %s is not served yet (state %s):"
		    " waiting for %s", d->name, st, d->waiting) :
		    xasprintf("the policy of %s is not served (state %s)",
		    d->name, st);
		fix = xasprintf(strcmp(st, "pending") == 0 ? "publish the"
		    " records of \"stsctl domain records %s\", then check"
		    " again" : "see \"stsctl cert list\" and acmed's log for"
		    " mta-sts.%s, then check again", d->name);
		c = json_pack("{s:s, s:s, s:s, s:s, s:s}", "check",
		    "policy-served", "status", "fail", "key", st, "message",
		    msg, "fix", fix);
		free(msg);
		free(fix);
	}
	if (c == NULL || checks == NULL)
		stsctl_die("%s: cannot build the result", d->name);
	json_array_insert_new(checks, 0, c);
}

/* The clock of stsctl_check_timeout starts; then policyd is asked. */
static void
check_wait_start(struct check_wait *w, const char *domain)
{
	memset(w, 0, sizeof(*w));
	w->domain = domain;
	w->timeout = var_stsctl_check_timeout;
	clock_gettime(CLOCK_MONOTONIC, &w->start);
}

/* The event loop of the DNS queries and probes, in the time left. */
static void
check_wait_init(struct check_wait *w)
{
	struct timeval tv;
	struct buf err = BUF_INIT;
	int left = check_left_ms(w);

	if ((w->base = event_base_new()) == NULL)
		stsctl_die("cannot make an event loop");
	w->q = dnsq_new(w->base, (int)(var_dnsmon_query_timeout *
	    1000), 1, &err);
	if (w->q == NULL)
		stsctl_die("%s", err.s);
	buf_free(&err);
	w->probes = probes_new(w->base, 1);
	w->say = evtimer_new(w->base, check_say, w);
	w->deadline = evtimer_new(w->base, check_deadline, w);
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	evtimer_add(w->deadline, &tv);
	check_servers(w);
}

static void
check_wait_free(struct check_wait *w)
{
	size_t i;

	probes_free(w->probes);		/* kills a probe still running */
	dnsq_free(w->q);
	for (i = 0; i < w->npkt; i++)
		ldns_pkt_free(w->pkt[i]);
	event_free(w->say);
	event_free(w->deadline);
	event_base_free(w->base);
}

static void __attribute__((noreturn))
check_usage(void)
{
	fprintf(stderr, "usage: stsctl [-c config_dir] check DOMAIN [--json]\n");
	exit(USAGE_EXIT_ERROR);
}

int
check_main(int argc, char **argv)
{
	struct resolve_source src;
	struct check_domain d;
	struct check_wait w;
	struct resolve *res;
	const char *domain = NULL;
	json_t *result;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			stsctl_json = 1;
		else if (argv[i][0] == '-' || domain != NULL)
			check_usage();
		else
			domain = argv[i];
	}
	if (domain == NULL)
		check_usage();
	check_wait_start(&w, domain);
	check_domain_get(&w, domain, &d);
	check_wait_init(&w);
	src.lookup = check_lookup;
	src.ctx = &w;
	res = resolve_new_source(&src, (int)var_dnsmon_cname_depth);
	result = check_run(res, &d, 0);
	check_served(&d, result);
	check_probe_all(&w, result);
	rc = stsctl_json ? check_print_json(result) : check_print(result);
	if (w.gave_up) {
		fflush(stdout);
		fprintf(stderr, "stsctl: %s: gave up after %lld s"
		    " (stsctl_check_timeout) waiting for %s\n", d.name,
		    w.timeout, w.why);
		rc = 1;
	}
	json_decref(result);
	resolve_free(res);
	check_wait_free(&w);
	check_domain_clear(&d);
	return rc;
}
