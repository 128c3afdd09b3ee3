/*
 * tell - what dnsmon says to policyd; see tell.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "dnscheck.h"
#include "ipc.h"
#include "log.h"
#include "params.h"
#include "policyc.h"
#include "proto.h"
#include "server.h"
#include "tell.h"

#define TELL_POLICYD	PROTO_POLICYD_PRIVATE

static int tell_fd = -1;		/* requests that wait for replies */
static struct ipc_conn *tell_results;	/* check-results, pipelined */
static size_t tell_out;			/* sent, not answered */
static int tell_refused;		/* policyd does not know the op */
static void (*tell_more_fn)(void);
static struct policyc_lease tell_lease = {	/* one node runs rounds */
	PROTO_LEASE_DNSMON, "the round", POLICYC_LEASE_UNSAID, NULL,
};

static int
tell_timeout(void)
{
	return (int)(var_ipc_timeout * 1000);
}

static void
tell_more(void)
{
	if (tell_more_fn != NULL)
		tell_more_fn();
}

void
tell_init(void (*more)(void))
{
	tell_more_fn = more;
}

/* One request to policyd, waiting for its reply; the reply or NULL. */
json_t *
tell_call(json_t *req)
{
	struct buf err = BUF_INIT;
	json_t *reply = NULL;

	if (tell_fd < 0 && (tell_fd = ipc_connect_unix(
	    TELL_POLICYD, tell_timeout(), &err)) < 0) {
		log_warn("%s", err.s);
		goto out;
	}
	if (ipc_call(tell_fd, req, &reply, tell_timeout(),
	    &err) < 0) {
		log_warn("%s: %s", TELL_POLICYD, err.s);
		close(tell_fd);
		tell_fd = -1;
		reply = NULL;
	}
out:
	json_decref(req);
	buf_free(&err);
	return reply;
}

/*
 * The domain of an early check (domain-show): 0 with d filled, -1 when
 * policyd was not reached (logged by tell_call()), 1 when it sent no
 * domain (logged: the caller forgets the name).
 */
int
tell_domain(const char *name, struct check_domain *d)
{
	json_t *reply;
	const char *why;
	int rc = -1;

	reply = tell_call(json_pack("{s:s, s:s}", "op", PROTO_OP_DOMAIN_SHOW,
	    "domain", name));
	if (reply != NULL && check_domain_from_json(json_object_get(reply,
	    "domain"), d) == 0) {
		log_info("%s: early check (%s)", name, d->state != NULL &&
		    strcmp(d->state, "pending") == 0 ? "pending" :
		    "failing or asked for");
		rc = 0;
	} else if (reply != NULL) {
		why = json_string_value(json_object_get(reply, "error"));
		log_info("%s: not checked early: %s", name, why ? why :
		    "policyd sent no domain");
		rc = 1;
	}
	json_decref(reply);
	return rc;
}

/*
 * check-results go on their own connection, without waiting for each
 * reply: policyd commits them in batches (group commit, policyd's
 * checkbatch.h) and answers each once its batch is on disk.
 */
static void
tell_reply(struct ipc_conn *conn, json_t *msg, void *ctx)
{
	(void)conn;
	(void)ctx;
	if (tell_out > 0)
		tell_out--;
	if (!json_is_true(json_object_get(msg, "ok")) &&
	    !tell_refused) {
		log_info("policyd does not store check results (%s):"
		    " results are kept in alerts only",
		    json_string_value(json_object_get(msg, "error")));
		tell_refused = 1;
	}
	tell_more();
}

static void
tell_closed(struct ipc_conn *conn, void *ctx)
{
	(void)ctx;
	if (conn != tell_results)
		return;
	if (tell_out > 0)
		log_warn("%s: connection closed; %zu check results not"
		    " confirmed", TELL_POLICYD, tell_out);
	tell_results = NULL;
	tell_out = 0;
	tell_more();
}

void
tell_result(const char *domain, json_t *checks, long long next)
{
	static const struct ipc_conn_conf conf = {
		tell_reply, tell_closed, NULL, 0, 0, 0, 0,
	};
	struct ipc_conn_conf c = conf;
	struct buf err = BUF_INIT;
	json_t *req;
	int fd;

	if (tell_refused)
		return;
	if (tell_results == NULL) {
		if ((fd = ipc_connect_unix(TELL_POLICYD,
		    tell_timeout(), &err)) < 0) {
			log_warn("%s: check result not sent", err.s);
			buf_free(&err);
			return;
		}
		c.write_ms = tell_timeout();
		tell_results = ipc_conn_new(server_base(), fd, &c);
	}
	req = json_pack("{s:s, s:s, s:I, s:I, s:O}", "op", PROTO_OP_CHECK_RESULT,
	    "domain", domain, "time", (json_int_t)time(NULL), "next",
	    (json_int_t)next, "checks", checks);
	if (ipc_conn_send(tell_results, req) == 0)
		tell_out++;
	json_decref(req);
	buf_free(&err);
}

size_t
tell_unanswered(void)
{
	return tell_out;
}

void
tell_call_close(void)
{
	if (tell_fd >= 0)
		close(tell_fd);
	tell_fd = -1;
}

/* tell_call() as lib/policyc's call: the reply when it says ok. */
static json_t *
tell_lease_call(json_t *req, void *ctx, struct buf *err)
{
	json_t *reply = tell_call(req);
	const char *why;

	(void)ctx;
	if (reply == NULL) {
		buf_puts(err, "policyd not reached");
		return NULL;
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		why = json_string_value(json_object_get(reply, "error"));
		buf_puts(err, why != NULL ? why : "refused");
		json_decref(reply);
		return NULL;
	}
	return reply;
}

int
tell_leased(void)
{
	if (policyc_lease_ask(&tell_lease, tell_lease_call, NULL) == 1)
		return 1;
	tell_call_close();
	return 0;
}

long long
tell_lease_wait(void)
{
	long long s = var_cluster_lease_time / PROTO_LEASE_TICKS;

	return s > 0 ? s : 1;
}

void
tell_close(void)
{
	struct ipc_conn *conn = tell_results;

	tell_results = NULL;		/* first: closing calls back */
	if (conn != NULL)
		ipc_conn_close(conn);
	tell_call_close();
	policyc_lease_free(&tell_lease);
}
