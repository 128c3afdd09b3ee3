/*
 * resolve - bounded DNS lookups with CNAME following; see resolve.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: /etc/resolv.conf (read), UDP/TCP to its nameservers.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "resolve.h"

struct resolve {
	ldns_resolver *r;		/* NULL in source mode */
	struct resolve_source src;
	int	 depth;
};

struct resolve *
resolve_new(int timeout_ms, int cname_depth, struct buf *err)
{
	struct resolve *res;
	ldns_resolver *r;
	struct timeval tv;
	ldns_status st;

	if ((st = ldns_resolver_new_frm_file(&r, NULL)) != LDNS_STATUS_OK) {
		buf_printf(err, "resolv.conf: %s", ldns_get_errorstr_by_id(st));
		return NULL;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	ldns_resolver_set_timeout(r, tv);
	ldns_resolver_set_retry(r, 1);
	ldns_resolver_set_retrans(r, 1);
	ldns_resolver_set_fallback(r, true);
	ldns_resolver_set_dnssec(r, false);
	ldns_resolver_set_random(r, false);
	res = xcalloc(1, sizeof(*res));
	res->r = r;
	res->depth = cname_depth;
	return res;
}

struct resolve *
resolve_new_source(const struct resolve_source *src, int cname_depth)
{
	struct resolve *res = xcalloc(1, sizeof(*res));

	res->src = *src;
	res->depth = cname_depth;
	return res;
}

void
resolve_free(struct resolve *res)
{
	if (res == NULL)
		return;
	if (res->r != NULL)
		ldns_resolver_deep_free(res->r);
	free(res);
}

char *
resolve_rdf_name(const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf), *c;
	size_t n;

	if (s == NULL)
		return xstrdup("");
	n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		s[n - 1] = '\0';
	for (c = s; *c; c++)
		*c = tolower((unsigned char)*c);
	c = xstrdup(s);
	free(s);
	return c;
}

char *
resolve_txt_text(const ldns_rr *rr)
{
	struct buf b = BUF_INIT;
	const ldns_rdf *f;
	size_t i, n;

	buf_puts(&b, "");
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		f = ldns_rr_rdf(rr, i);
		if (ldns_rdf_size(f) < 1)
			continue;
		n = ldns_rdf_data(f)[0];
		if (n > ldns_rdf_size(f) - 1)
			n = ldns_rdf_size(f) - 1;
		if (b.len + n > RESOLVE_TXT_MAX)
			break;
		buf_append(&b, ldns_rdf_data(f) + 1, n);
	}
	return buf_steal(&b);
}

static enum resolve_status
resolve_rcode(ldns_pkt *p)
{
	switch (ldns_pkt_get_rcode(p)) {
	case LDNS_RCODE_NOERROR:
		return RESOLVE_OK;
	case LDNS_RCODE_NXDOMAIN:
		return RESOLVE_NXDOMAIN;
	case LDNS_RCODE_SERVFAIL:
		return RESOLVE_SERVFAIL;
	case LDNS_RCODE_REFUSED:
		return RESOLVE_REFUSED;
	default:
		return RESOLVE_ERROR;
	}
}

/* Records of the answer with this owner and type (a new list or NULL). */
static ldns_rr_list *
resolve_pick(ldns_pkt *p, const ldns_rdf *owner, ldns_rr_type t)
{
	ldns_rr_list *ans = ldns_pkt_answer(p), *out = NULL;
	ldns_rr *rr;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(ans); i++) {
		rr = ldns_rr_list_rr(ans, i);
		if (ldns_rr_get_type(rr) != t ||
		    ldns_dname_compare(ldns_rr_owner(rr), owner) != 0)
			continue;
		if (out == NULL)
			out = ldns_rr_list_new();
		ldns_rr_list_push_rr(out, ldns_rr_clone(rr));
	}
	return out;
}

/*
 * ldns marks a nameserver that timed out as unusable for good; every
 * query here gets its own chance (and its own time limit) instead.
 */
static void
resolve_reset_rtt(struct resolve *res)
{
	size_t i;

	for (i = 0; i < ldns_resolver_nameserver_count(res->r); i++)
		ldns_resolver_set_nameserver_rtt(res->r, i,
		    LDNS_RESOLV_RTT_MIN);
}

/*
 * One answer for (name, type): *p (owned by us unless *borrowed), or a
 * status without a packet.
 */
static enum resolve_status
resolve_ask(struct resolve *res, const ldns_rdf *name, ldns_rr_type t,
    ldns_pkt **p, int *borrowed)
{
	enum resolve_status st = RESOLVE_ERROR;
	const ldns_pkt *cp = NULL;
	ldns_status s;

	*p = NULL;
	*borrowed = 0;
	if (res->r == NULL) {
		if (res->src.lookup(res->src.ctx, name, t, &cp, &st) < 0)
			return RESOLVE_PENDING;
		if (cp == NULL)
			return st == RESOLVE_OK ? RESOLVE_ERROR : st;
		*p = (ldns_pkt *)cp;
		*borrowed = 1;
		return RESOLVE_OK;
	}
	resolve_reset_rtt(res);
	s = ldns_resolver_query_status(p, res->r, name, t, LDNS_RR_CLASS_IN,
	    LDNS_RD);
	if (s != LDNS_STATUS_OK || *p == NULL) {
		char *n = ldns_rdf2str(name);

		log_debug("%s: %s", n ? n : "?", ldns_get_errorstr_by_id(s));
		free(n);
		*p = NULL;
		return s == LDNS_STATUS_NETWORK_ERR || s == LDNS_STATUS_ERR ?
		    RESOLVE_TIMEOUT : RESOLVE_ERROR;
	}
	return RESOLVE_OK;
}

static void
resolve_pkt_release(ldns_pkt *p, int borrowed)
{
	if (!borrowed)
		ldns_pkt_free(p);
}

enum resolve_status
resolve_query(struct resolve *res, const char *name, ldns_rr_type t,
    ldns_rr_list **rrs, char **final)
{
	enum resolve_status st = RESOLVE_ERROR;
	ldns_rdf *cur, *next;
	ldns_rr_list *l, *cn;
	ldns_pkt *p = NULL;
	int steps = 0, asked = 0, borrowed = 0;

	*rrs = NULL;
	if (final != NULL)
		*final = NULL;
	if ((cur = ldns_dname_new_frm_str(name)) == NULL)
		return RESOLVE_ERROR;
	for (;;) {
		if (p == NULL) {
			if (asked++ > res->depth) {
				st = RESOLVE_LOOP;
				break;
			}
			st = resolve_ask(res, cur, t, &p, &borrowed);
			if (st != RESOLVE_OK)
				break;
		}
		if ((l = resolve_pick(p, cur, t)) != NULL) {
			*rrs = l;
			st = RESOLVE_OK;
			break;
		}
		if (t == LDNS_RR_TYPE_CNAME ||
		    (cn = resolve_pick(p, cur, LDNS_RR_TYPE_CNAME)) == NULL) {
			st = resolve_rcode(p);
			if (st == RESOLVE_OK)
				st = RESOLVE_NODATA;
			break;
		}
		next = ldns_rdf_clone(ldns_rr_rdf(ldns_rr_list_rr(cn, 0), 0));
		ldns_rr_list_deep_free(cn);
		ldns_rdf_deep_free(cur);
		cur = next;
		if (++steps > res->depth) {
			st = RESOLVE_LOOP;
			break;
		}
		/* The target may be in the same answer; else ask again. */
		if ((l = resolve_pick(p, cur, t)) == NULL &&
		    (cn = resolve_pick(p, cur, LDNS_RR_TYPE_CNAME)) == NULL) {
			resolve_pkt_release(p, borrowed);
			p = NULL;
		} else {
			ldns_rr_list_deep_free(l);
			if (l == NULL)
				ldns_rr_list_deep_free(cn);
		}
	}
	if (final != NULL)
		*final = resolve_rdf_name(cur);
	ldns_rdf_deep_free(cur);
	if (p != NULL)
		resolve_pkt_release(p, borrowed);
	return st;
}

const char *
resolve_status_name(enum resolve_status st)
{
	switch (st) {
	case RESOLVE_OK:
		return "ok";
	case RESOLVE_NODATA:
		return "no records";
	case RESOLVE_NXDOMAIN:
		return "NXDOMAIN";
	case RESOLVE_SERVFAIL:
		return "SERVFAIL";
	case RESOLVE_REFUSED:
		return "REFUSED";
	case RESOLVE_TIMEOUT:
		return "timed out";
	case RESOLVE_LOOP:
		return "CNAME chain too long or a loop";
	case RESOLVE_PENDING:
		return "not answered yet";
	default:
		return "DNS error";
	}
}

int
resolve_status_is_error(enum resolve_status st)
{
	return st != RESOLVE_OK && st != RESOLVE_NODATA &&
	    st != RESOLVE_NXDOMAIN;
}
