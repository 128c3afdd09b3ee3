/*
 * request_snapshot - what subscribers (httpd) are told: the snapshot of
 * servable policies, each change after it, and the snapshot file
 * (lib/polsnap) that policyd keeps for httpd; see request.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "log.h"
#include "policydb.h"
#include "polsnap.h"
#include "proto.h"
#include "request.h"
#include "request_ops.h"

/*
 * The snapshot file (polsnap.h): a failed append is said once until a
 * compaction rewrites the file (policyd.c arms it when due).
 */
static void
request_snap_result(struct policyd *pd, int rc, struct buf *err)
{
	if (rc < 0 && !pd->snap_failed)
		log_error("policy snapshot: %s; changes reach the running"
		    " httpd processes, and the file at the next compaction",
		    err->s);
	if (rc < 0)
		pd->snap_failed = 1;	/* until a compaction succeeds */
	buf_free(err);
}

/*
 * The subscription message that asks httpd whether it serves host with
 * a valid certificate (it answers with cert-served when it does).
 */
json_t *
request_cert_check_msg(const char *domain)
{
	char *host = request_policy_host(domain);
	json_t *o = json_pack("{s:s, s:s}", "op", PROTO_OP_CERT_CHECK,
	    "host", host);

	free(host);
	return o;
}

/* The policy of d, pushed to httpd (and its certificate asked about). */
static void
request_push_policy(struct policyd *pd, const struct domain *d,
    const struct buf *policy)
{
	request_notify(pd, request_policy_msg(d, policy));
	if (policydb_state_servable(d->state) && d->served == 0)
		request_notify(pd, request_cert_check_msg(d->name));
}

/* The change is written to the snapshot first, then pushed to httpd. */
void
request_notify_policy(struct policyd *pd, const struct domain *d)
{
	struct buf policy = BUF_INIT, err = BUF_INIT;

	request_render(d, &policy);
	if (pd->snap != NULL)
		request_snap_result(pd, polsnap_append_put(pd->snap, d->name,
		    d->policy_id, policy.s, policy.len, &err), &err);
	request_push_policy(pd, d, &policy);
	buf_free(&policy);
}

/*
 * Before the commit of a new domain d: its record is appended to the
 * snapshot journal and its write and fdatasync begin in the writer's
 * helper thread, while policy.db commits (both syncs on the disk at
 * once: bench/README "million").  request_snap_sync() at the end of
 * the request waits for it, so the reply still comes after both.
 * Then, after the commit, request_snap_commit() pushes the policy to
 * httpd; after a failed commit, request_snap_undo() appends the
 * withdrawal of d (the domain is not there).
 */
void
request_snap_early(struct policyd *pd, const struct domain *d)
{
	struct buf policy = BUF_INIT, err = BUF_INIT;

	if (pd->snap == NULL)
		return;
	request_render(d, &policy);
	request_snap_result(pd, polsnap_append_put(pd->snap, d->name,
	    d->policy_id, policy.s, policy.len, &err), &err);
	request_snap_result(pd, polsnap_sync_start(pd->snap, &err), &err);
	buf_free(&policy);
}

void
request_snap_commit(struct policyd *pd, const struct domain *d)
{
	struct buf policy = BUF_INIT;

	request_render(d, &policy);
	request_push_policy(pd, d, &policy);
	buf_free(&policy);
}

void
request_snap_undo(struct policyd *pd, const char *domain)
{
	struct buf err = BUF_INIT;

	if (pd->snap != NULL)
		request_snap_result(pd, polsnap_append_del(pd->snap, domain,
		    &err), &err);
}

void
request_notify_withdraw(struct policyd *pd, const char *domain)
{
	char *host = request_policy_host(domain);
	struct buf err = BUF_INIT;

	if (pd->snap != NULL)
		request_snap_result(pd, polsnap_append_del(pd->snap, domain,
		    &err), &err);
	request_notify(pd, json_pack("{s:s, s:s}", "op", PROTO_OP_WITHDRAW,
	    "host", host));
	free(host);
}

/* The changes of a request are durable before its reply. */
void
request_snap_sync(struct policyd *pd)
{
	struct buf err = BUF_INIT;

	if (pd->snap != NULL)
		request_snap_result(pd, polsnap_sync(pd->snap, &err), &err);
}

/*
 * Bytes that s takes as a JSON string in a snapshot message, at most:
 * quotes, a comma, and the escapes that jansson writes.
 */
static size_t
request_json_len(const char *s, size_t len)
{
	size_t n = len + 3, i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\' || c == '\b' || c == '\f' ||
		    c == '\n' || c == '\r' || c == '\t')
			n += 1;
		else if (c < 0x20 || c == 0x7f)
			n += 5;
	}
	return n;
}

/* The snapshot being built: the current message and its texts. */
struct request_snap {
	void	(*cb)(json_t *, void *);
	void	*arg;
	size_t	 max;			/* bytes per message */
	size_t	 used;			/* of the current one, at most */
	size_t	 count;			/* domains */
	json_t	*texts;			/* distinct policy texts, or NULL */
	struct buf lines;		/* "DOMAIN ID N\n" per domain */
	uint32_t hash[REQUEST_SNAPSHOT_TEXTS];
	struct buf policy;
};

static void
request_snap_flush(struct request_snap *sn)
{
	json_t *msg;

	if (sn->texts == NULL)
		return;
	/* The lines are ASCII (DNS names, digits): no UTF-8 check. */
	msg = json_pack("{s:s, s:o, s:o}", "op", PROTO_OP_POLICIES, "texts",
	    sn->texts, "domains", json_stringn_nocheck(sn->lines.s,
	    sn->lines.len));
	if (msg == NULL)
		log_panic("request_snap_flush: cannot build a message");
	sn->cb(msg, sn->arg);
	json_decref(msg);
	sn->texts = NULL;
	buf_reset(&sn->lines);
}

/* Index of the policy text in the current message, or -1. */
static long
request_snap_text(const struct request_snap *sn, uint32_t hash)
{
	const json_t *t;
	size_t i;

	for (i = 0; i < json_array_size(sn->texts); i++) {
		t = json_array_get(sn->texts, i);
		if (sn->hash[i] == hash &&
		    json_string_length(t) == sn->policy.len &&
		    memcmp(json_string_value(t), sn->policy.s,
		    sn->policy.len) == 0)
			return (long)i;
	}
	return -1;
}

/* policydb_domain_each_servable(): one domain into the snapshot. */
static void
request_snap_one(const struct domain *d, void *arg)
{
	struct request_snap *sn = arg;
	char num[REQUEST_SNAPSHOT_INDEX];
	size_t len, tlen;
	json_t *text;
	uint32_t hash;
	long k = -1;

	buf_reset(&sn->policy);
	request_render(d, &sn->policy);
	hash = hash_bytes(sn->policy.s, sn->policy.len);
	if (sn->texts != NULL)
		k = request_snap_text(sn, hash);
	/* Names and ids are DNS names and digits: no escapes but "\n". */
	len = strlen(d->name) + strlen(d->policy_id) + REQUEST_SNAPSHOT_INDEX;
	tlen = request_json_len(sn->policy.s, sn->policy.len);
	if (sn->texts != NULL && (sn->used + len + (k < 0 ? tlen : 0) >
	    sn->max || (k < 0 &&
	    json_array_size(sn->texts) == REQUEST_SNAPSHOT_TEXTS))) {
		request_snap_flush(sn);
		k = -1;
	}
	if (k < 0) {
		if ((text = json_stringn(sn->policy.s, sn->policy.len)) == NULL) {
			log_error("%s: snapshot: policy is not UTF-8; not sent",
			    d->name);
			return;
		}
		if (sn->texts == NULL) {
			sn->texts = json_array();
			sn->used = REQUEST_SNAPSHOT_HEAD;
		}
		k = (long)json_array_size(sn->texts);
		sn->hash[k] = hash;
		json_array_append_new(sn->texts, text);
		sn->used += tlen;
	}
	snprintf(num, sizeof(num), " %ld\n", k);
	buf_puts(&sn->lines, d->name);
	buf_putc(&sn->lines, ' ');
	buf_puts(&sn->lines, d->policy_id);
	buf_puts(&sn->lines, num);
	sn->used += len;
	sn->count++;
}

/*
 * The snapshot: {"op":"policies","texts":[POLICY, ...],"domains":
 * "DOMAIN ID N\n..."}: a line per servable domain, N the index of its
 * policy text in "texts" of the same message (domains that have the
 * same policy share it), as many domains per message as fit in
 * pd->snapshot_size bytes (REQUEST_SNAPSHOT_SIZE when 0), at least one.
 * One string of lines costs a fraction of a JSON value per domain to
 * build, encode and parse, and hosted domains often have the same
 * policy (the same mail provider, mode and max_age).
 */
size_t
request_snapshot(struct policyd *pd, void (*cb)(json_t *, void *), void *arg)
{
	struct request_snap sn;
	struct buf err = BUF_INIT;

	memset(&sn, 0, sizeof(sn));
	sn.cb = cb;
	sn.arg = arg;
	sn.max = pd->snapshot_size ? pd->snapshot_size : REQUEST_SNAPSHOT_SIZE;
	if (policydb_domain_each_servable(pd->db, request_snap_one, &sn,
	    &err) < 0) {
		log_error("snapshot: %s", err.s);
		json_decref(sn.texts);
		buf_free(&sn.lines);
		buf_free(&sn.policy);
		buf_free(&err);
		return 0;
	}
	request_snap_flush(&sn);
	buf_free(&sn.lines);
	buf_free(&sn.policy);
	return sn.count;
}

/* The compaction being written. */
struct request_snap_write {
	struct policyd *pd;
	long long n;
};

/* policydb_domain_each_servable(): one domain into the new base. */
static void
request_snap_write_one(const struct domain *d, void *arg)
{
	struct request_snap_write *sw = arg;
	struct buf policy = BUF_INIT;

	request_render(d, &policy);
	if (polsnap_compact_put(sw->pd->snap, d->name, d->policy_id, policy.s,
	    policy.len) < 0)
		log_error("%s: policy id %s: not a name, an id or a policy that"
		    " the snapshot file takes; left out of it", d->name,
		    d->policy_id);
	else
		sw->n++;
	buf_free(&policy);
}

/*
 * A new base of the snapshot file from policy.db, and an empty journal
 * (polsnap.h); the number of domains, or -1.
 */
long long
request_snapshot_write(struct policyd *pd, struct buf *err)
{
	struct request_snap_write sw = { pd, 0 };

	if (pd->snap == NULL)
		return 0;
	/* Said by the caller: the appends that fail until then are not. */
	pd->snap_failed = 1;
	if (polsnap_compact_begin(pd->snap, err) < 0)
		return -1;
	if (policydb_domain_each_servable(pd->db, request_snap_write_one, &sw,
	    err) < 0) {
		polsnap_compact_abort(pd->snap);
		return -1;
	}
	if (polsnap_compact_end(pd->snap, err) < 0)
		return -1;
	pd->snap_failed = 0;
	return sw.n;
}
