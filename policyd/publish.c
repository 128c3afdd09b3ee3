/*
 * publish - service-zone TXT records and their publication state; see
 * publish.h.
 * SPDX-License-Identifier: ISC
 *
 * The state lives in policy.db, through lib/policydb.  Nothing here
 * talks to DNS except publish_run(), which runs in a child of policyd
 * and only calls the update function it is given.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"
#include "policydb.h"
#include "publish.h"
#include "request.h"
#include "ststxt.h"

/*
 * Records.
 */
char *
publish_rua(const struct policyd_conf *conf, const char *domain,
    struct buf *err)
{
	return ststxt_rua_make(conf->report_recipients,
	    conf->report_https_path, domain, err);
}

void
publish_records(const struct policyd_conf *conf, const char *domain,
    const char *id, const char *rua, struct publish_records *r)
{
	r->sts_owner = xasprintf("%s.%s", domain, conf->sts_zone);
	r->sts_txt = id ? xasprintf("v=STSv1; id=%s;", id) : NULL;
	r->rpt_owner = xasprintf("%s.%s.%s", domain, PUBLISH_REPORT_LABEL,
	    conf->sts_zone);
	r->rpt_txt = rua && *rua ? xasprintf("v=TLSRPTv1; rua=%s", rua) : NULL;
}

void
publish_records_clear(struct publish_records *r)
{
	free(r->sts_owner);
	free(r->sts_txt);
	free(r->rpt_owner);
	free(r->rpt_txt);
	memset(r, 0, sizeof(*r));
}

/*
 * State (lib/policydb).
 */
/* publish_sync(): the rua of a domain now, or NULL for none. */
static char *
publish_rua_now(const char *domain, void *arg)
{
	const struct policyd_conf *conf = arg;
	struct buf why = BUF_INIT;
	char *rua;

	rua = publish_rua(conf, domain, &why);
	buf_free(&why);
	return rua;
}

/*
 * After a start (or a change of main.cf): every servable domain whose
 * wanted id or rua is not the current one, and every row of a domain
 * that is gone, becomes pending.
 */
int
publish_sync(struct policydb *db, const struct policyd_conf *conf,
    long long now, struct buf *err)
{
	return policydb_publish_sync(db, publish_rua_now, (void *)conf, now,
	    err);
}

static long long
publish_backoff(long long attempts, long long min, long long max)
{
	long long wait = min > 0 ? min : 1;
	long long i;

	for (i = 1; i < attempts && i < PUBLISH_ATTEMPTS_SHIFT && wait < max; i++)
		wait *= 2;
	return wait > max ? max : wait;
}

static int
publish_failure(struct policydb *db, const struct policydb_publish_item *it,
    const char *error, long long now, long long min, long long max,
    struct buf *err)
{
	long long attempts = policydb_publish_attempts(db, it->domain) + 1;

	return policydb_publish_failed(db, it->domain, attempts,
	    now + publish_backoff(attempts, min, max), now, error, err);
}

int
publish_done(struct policydb *db, const struct policydb_publish_item *it,
    const char *error, long long now, long long min, long long max,
    struct buf *err)
{
	int rc;

	if (policydb_begin(db, err) < 0)
		return -1;
	rc = error ? publish_failure(db, it, error, now, min, max, err) :
	    policydb_publish_succeeded(db, it, now, err);
	if (rc < 0 || policydb_commit(db, err) < 0) {
		policydb_rollback(db);
		return -1;
	}
	return 0;
}

static json_t *
publish_json_text(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
publish_json_time(long long t)
{
	return t == POLICYDB_NONE ? json_null() : json_integer(t);
}

json_t *
publish_state_json(struct policydb *db, const char *domain)
{
	struct policydb_publish_state s;
	json_t *o;

	if (!policydb_publish_state(db, domain, &s))
		return NULL;
	o = json_pack("{s:o, s:o, s:b, s:I, s:o, s:o, s:o, s:o}",
	    "want_id", publish_json_text(s.want_id),
	    "published_id", publish_json_text(s.published_id),
	    "pending", s.pending,
	    "attempts", (json_int_t)s.attempts,
	    "next_try", publish_json_time(s.next_try),
	    "last_try", publish_json_time(s.last_try),
	    "error", publish_json_text(s.last_error),
	    "published_at", publish_json_time(s.published_at));
	policydb_publish_state_clear(&s);
	return o;
}

/*
 * The child.
 */
static int
publish_one(const struct policyd_conf *conf,
    const struct policydb_publish_item *it,
    publish_update_fn update, struct buf *err)
{
	struct publish_records r;
	const char *txt[1];
	int rc;

	publish_records(conf, it->domain, it->id, it->rua, &r);
	/* The policy record first: it is the one senders act on. */
	txt[0] = r.sts_txt;
	rc = update(r.sts_owner, txt, it->id ? 1 : 0, err);
	if (rc == 0 && (it->id == NULL || r.rpt_txt != NULL)) {
		txt[0] = r.rpt_txt;
		rc = update(r.rpt_owner, txt, it->id ? 1 : 0, err);
	}
	publish_records_clear(&r);
	return rc;
}

void
publish_run(const struct policyd_conf *conf,
    const struct policydb_publish_item *v,
    size_t n, int fd, publish_update_fn update)
{
	struct buf err = BUF_INIT;
	json_t *msg;
	char *line;
	size_t i, len, off;
	ssize_t w;

	for (i = 0; i < n; i++) {
		buf_reset(&err);
		if (publish_one(conf, &v[i], update, &err) < 0 && err.len == 0)
			buf_puts(&err, "update failed");
		msg = json_pack("{s:s, s:o, s:o}", "domain", v[i].domain,
		    "id", v[i].id ? json_string(v[i].id) : json_null(),
		    "error", err.len ? json_string(err.s) : json_null());
		line = ipc_encode(msg, &len);
		json_decref(msg);
		for (off = 0; line && off < len; off += (size_t)w)
			if ((w = write(fd, line + off, len - off)) <= 0)
				break;
		free(line);
	}
	buf_free(&err);
}

int
publish_result_parse(const json_t *msg, struct policydb_publish_item *it,
    char **error)
{
	const char *domain = json_string_value(json_object_get(msg, "domain"));
	json_t *id = json_object_get(msg, "id");
	json_t *e = json_object_get(msg, "error");

	if (domain == NULL || (id != NULL && !json_is_string(id) &&
	    !json_is_null(id)) || (e != NULL && !json_is_string(e) &&
	    !json_is_null(e)))
		return -1;
	memset(it, 0, sizeof(*it));
	it->domain = xstrdup(domain);
	it->id = json_is_string(id) ? xstrdup(json_string_value(id)) : NULL;
	*error = json_is_string(e) ? xstrdup(json_string_value(e)) : NULL;
	return 0;
}
