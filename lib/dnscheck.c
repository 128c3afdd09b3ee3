/*
 * dnscheck - the DNS and TLS checks of one hosted domain; see dnscheck.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: DNS through resolve, SMTP through probe; main.cf values
 * through cfg.  Writes nothing: callers decide what to do with the
 * result (dnsmon: alerts and policyd; stsctl: print).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <ldns/ldns.h>

#include "buf.h"
#include "certstore.h"
#include "dnscheck.h"
#include "dnsname.h"
#include "mymalloc.h"
#include "params.h"
#include "policy.h"
#include "mxprobe.h"
#include "resolve.h"
#include "ststxt.h"

/* Appends one check to the result. */
static json_t *
check_add(json_t *checks, const char *name, const char *status,
    const char *key, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static json_t *
check_add(json_t *checks, const char *name, const char *status,
    const char *key, const char *fix, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;
	json_t *c;
	char *m;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	buf_puts(&msg, m ? m : "");
	free(m);
	c = json_pack("{s:s, s:s, s:s}", "check", name, "status", status,
	    "message", msg.s);
	if (key != NULL)
		json_object_set_new(c, "key", json_string(key));
	if (fix != NULL)
		json_object_set_new(c, "fix", json_string(fix));
	json_array_append_new(checks, c);
	buf_free(&msg);
	return c;
}

static const char *
check_dns_status(enum resolve_status st)
{
	return resolve_status_is_error(st) ? "dns-error" : "fail";
}

/*
 * The rua we ask for (ststxt_rua_make(), what policyd publishes), and
 * of it what the domain's record must list: the first mailto: URI, and
 * the https: URI when there is one.  The other addresses of
 * report_recipients may be missing: reports reach us through the first.
 */
#define CHECK_RUA_MAILTO	0	/* indexes of check_rua.need */
#define CHECK_RUA_HTTPS		1
#define CHECK_RUA_NEED		2

struct check_rua {
	char	*rua;		/* the whole list, or NULL: none configured */
	const char *need[CHECK_RUA_NEED];	/* URIs of rua that must be
						 * listed, or NULL */
	struct ststxt_tlsrpt *r;
};

static void
check_rua_init(struct check_rua *c, const char *domain)
{
	struct buf err = BUF_INIT;
	char *txt;
	size_t i;

	memset(c, 0, sizeof(*c));
	if ((c->rua = ststxt_rua_for(domain, &err)) == NULL) {
		buf_free(&err);
		return;
	}
	txt = xasprintf("v=TLSRPTv1; rua=%s", c->rua);
	if (ststxt_tlsrpt_parse(txt, strlen(txt), &c->r, &err) == 0)
		for (i = 0; i < c->r->nrua; i++) {
			if (c->r->rua[i].scheme == STSTXT_URI_MAILTO &&
			    c->need[CHECK_RUA_MAILTO] == NULL)
				c->need[CHECK_RUA_MAILTO] = c->r->rua[i].uri;
			if (c->r->rua[i].scheme == STSTXT_URI_HTTPS &&
			    c->need[CHECK_RUA_HTTPS] == NULL)
				c->need[CHECK_RUA_HTTPS] = c->r->rua[i].uri;
		}
	free(txt);
	buf_free(&err);
}

static void
check_rua_clear(struct check_rua *c)
{
	free(c->rua);
	ststxt_tlsrpt_free(c->r);
	memset(c, 0, sizeof(*c));
}

/* Does the record r list uri (case aside)? */
static int
check_rua_lists(const struct ststxt_tlsrpt *r, const char *uri)
{
	size_t i;

	for (i = 0; i < r->nrua; i++)
		if (strcasecmp(r->rua[i].uri, uri) == 0)
			return 1;
	return 0;
}

static int
check_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* Is name (no trailing dot) inside zone? */
static int
check_in_zone(const char *name, const char *zone)
{
	size_t ln = strlen(name), lz = strlen(zone);

	if (lz == 0 || ln <= lz)
		return 0;
	return name[ln - lz - 1] == '.' &&
	    strncasecmp(name + ln - lz, zone, lz) == 0;
}

/*
 * The CNAME target of name, or NULL.  *stp (when not NULL) says whether
 * the answer is still RESOLVE_PENDING: then the caller asks nothing that
 * depends on it (its result is thrown away, and the pass after asks).
 */
static char *
check_cname(struct resolve *res, const char *name, enum resolve_status *stp)
{
	enum resolve_status st;
	ldns_rr_list *l;
	char *t = NULL;

	st = resolve_query(res, name, LDNS_RR_TYPE_CNAME, &l, NULL);
	if (stp != NULL)
		*stp = st;
	if (st == RESOLVE_OK) {
		t = resolve_rdf_name(ldns_rr_rdf(ldns_rr_list_rr(l, 0), 0));
		ldns_rr_list_deep_free(l);
	}
	return t;
}

/* TXT records of name (CNAMEs followed), joined; NULL-terminated. */
static enum resolve_status
check_txt_final(struct resolve *res, const char *name, char ***out,
    size_t *n, char **final)
{
	enum resolve_status st;
	ldns_rr_list *l;
	size_t i;

	*n = 0;
	*out = NULL;
	st = resolve_query(res, name, LDNS_RR_TYPE_TXT, &l, final);
	if (st != RESOLVE_OK)
		return st;
	*n = ldns_rr_list_rr_count(l);
	*out = xcalloc(*n + 1, sizeof(**out));
	for (i = 0; i < *n; i++)
		(*out)[i] = resolve_txt_text(ldns_rr_list_rr(l, i));
	ldns_rr_list_deep_free(l);
	return st;
}

static enum resolve_status
check_txt(struct resolve *res, const char *name, char ***out, size_t *n)
{
	return check_txt_final(res, name, out, n, NULL);
}

static void
check_strv_free(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* Whether TXT _stsd-verify.D holds value. */
static int
check_verify_txt(struct resolve *res, const struct check_domain *d,
    const char *value)
{
	char *name, **txt;
	size_t n, i;
	int ok = 0;

	name = xasprintf("%s.%s", CHECK_VERIFY_LABEL, d->name);
	check_txt(res, name, &txt, &n);
	for (i = 0; i < n; i++)
		if (strcmp(txt[i], value) == 0)
			ok = 1;
	check_strv_free(txt);
	free(name);
	return ok;
}

static int
check_verified(struct resolve *res, const struct check_domain *d)
{
	const char *host = var_policy_host, *zone = var_sts_zone;
	enum resolve_status st;
	char *name, *t;
	int ok = 0;

	name = xasprintf("mta-sts.%s", d->name);
	if ((t = check_cname(res, name, &st)) != NULL)
		ok = check_name_eq(t, host) || check_in_zone(t, zone);
	free(t);
	free(name);
	if (st == RESOLVE_PENDING)
		return 0;
	if (!ok) {
		name = xasprintf("_mta-sts.%s", d->name);
		if ((t = check_cname(res, name, &st)) != NULL)
			ok = check_in_zone(t, zone);
		free(t);
		free(name);
		if (st == RESOLVE_PENDING)
			return 0;
	}
	/* An account's domain: the delegation and its proof, both. */
	if (d->proof != NULL && *d->proof != '\0')
		return ok && check_verify_txt(res, d, d->proof);
	if (!ok && d->token != NULL && *d->token != '\0')
		ok = check_verify_txt(res, d, d->token);
	return ok;
}

static void
check_verification(struct resolve *res, const struct check_domain *d,
    json_t *out, json_t *checks)
{
	int ok = check_verified(res, d);
	char *fix;

	json_object_set_new(out, "verified", json_boolean(ok));
	/* Only a pending domain needs the proof. */
	if (d->state == NULL || strcmp(d->state, "pending") != 0)
		return;
	if (ok) {
		check_add(checks, "verification", "ok", NULL, NULL,
		    "ownership of %s is proven by DNS", d->name);
		return;
	}
	if (d->proof != NULL && *d->proof != '\0')
		fix = xasprintf("add mta-sts.%s. CNAME %s. and TXT %s.%s."
		    " \"%s\"", d->name, var_policy_host, CHECK_VERIFY_LABEL,
		    d->name, d->proof);
	else
		fix = xasprintf("add mta-sts.%s. CNAME %s. (or TXT %s.%s."
		    " \"%s\")", d->name, var_policy_host, CHECK_VERIFY_LABEL,
		    d->name, d->token ? d->token : "");
	check_add(checks, "verification", "fail", "unproven", fix, "ownership of %s is not proven by DNS", d->name);
	free(fix);
}

/* MX hosts, sorted by preference; NULL on error (reported). */
/*
 * The MX hosts in the mx check too, for policyd (a migration watches
 * them): as many as fit in CHECK_MX_HOSTS_BYTES, "hosts_cut" when not
 * all did, so that the check stays within what policyd stores.
 */
static void
check_mx_hosts(json_t *c, char **hosts)
{
	json_t *a = json_array();
	size_t bytes = 0;
	char **h;

	for (h = hosts; h && *h; h++) {
		bytes += strlen(*h) + 3;
		if (bytes > CHECK_MX_HOSTS_BYTES) {
			json_object_set_new(c, "hosts_cut", json_true());
			break;
		}
		json_array_append_new(a, json_string(*h));
	}
	json_object_set_new(c, "hosts", a);
}

static char **
check_mx(struct resolve *res, const struct check_domain *d, json_t *out,
    json_t *checks)
{
	enum resolve_status st;
	ldns_rr_list *l;
	json_t *mxj = json_array();
	char **hosts;
	size_t i, j, n;
	int *pref, tp;
	char *tmp;

	json_object_set_new(out, "mx", mxj);
	st = resolve_query(res, d->name, LDNS_RR_TYPE_MX, &l, NULL);
	if (st != RESOLVE_OK) {
		check_add(checks, "mx", check_dns_status(st),
		    resolve_status_name(st), NULL, "MX lookup of %s: %s",
		    d->name, resolve_status_name(st));
		return NULL;
	}
	n = ldns_rr_list_rr_count(l);
	if (n > CHECK_MX_MAX)
		n = CHECK_MX_MAX;
	hosts = xcalloc(n + 1, sizeof(*hosts));
	pref = xcalloc(n + 1, sizeof(*pref));
	for (i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);

		pref[i] = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
		hosts[i] = resolve_rdf_name(ldns_rr_rdf(rr, 1));
	}
	for (i = 1; i < n; i++)		/* insertion sort: n is small */
		for (j = i; j > 0 && (pref[j - 1] > pref[j] ||
		    (pref[j - 1] == pref[j] &&
		    strcmp(hosts[j - 1], hosts[j]) > 0)); j--) {
			tp = pref[j]; pref[j] = pref[j - 1]; pref[j - 1] = tp;
			tmp = hosts[j]; hosts[j] = hosts[j - 1];
			hosts[j - 1] = tmp;
		}
	for (i = 0; i < n; i++)
		json_array_append_new(mxj, json_string(hosts[i]));
	free(pref);
	ldns_rr_list_deep_free(l);
	check_mx_hosts(check_add(checks, "mx", "ok", NULL, NULL,
	    "%s has %zu MX host%s", d->name, n, n == 1 ? "" : "s"), hosts);
	return hosts;
}

static void
check_mx_policy(const struct check_domain *d, char **hosts, json_t *checks)
{
	struct buf bad = BUF_INIT, fix = BUF_INIT, pol = BUF_INIT;
	char **h, **p;
	int match;

	for (p = d->mx; p && *p; p++)
		buf_printf(&pol, "%s%s", pol.len ? ", " : "", *p);
	buf_printf(&fix, "stsctl domain set %s", d->name);
	for (p = d->mx; p && *p; p++)
		buf_printf(&fix, " --mx %s", *p);
	for (h = hosts; h && *h; h++) {
		match = 0;
		for (p = d->mx; p && *p && !match; p++)
			match = policy_mx_match(*p, *h);
		if (match)
			continue;
		buf_printf(&bad, "%s%s", bad.len ? ", " : "", *h);
		buf_printf(&fix, " --mx %s", *h);
	}
	if (bad.len == 0)
		check_add(checks, "mx-policy", "ok", NULL, NULL,
		    "every MX host of %s matches the policy", d->name);
	else
		check_add(checks, "mx-policy", "fail", bad.s, fix.s,
		    "MX %s of %s not in the policy (mx: %s)", bad.s, d->name,
		    pol.len ? pol.s : "none");
	buf_free(&bad);
	buf_free(&fix);
	buf_free(&pol);
}

/* Sorted text of the A and AAAA records of name, "" when none. */
static char *
check_addrs(struct resolve *res, const char *name, enum resolve_status *stp)
{
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_A,
	    LDNS_RR_TYPE_AAAA };
	struct buf b = BUF_INIT;
	enum resolve_status st;
	ldns_rr_list *l;
	size_t t, i;
	char *s;

	*stp = RESOLVE_NODATA;
	buf_puts(&b, "");
	for (t = 0; t < 2; t++) {
		st = resolve_query(res, name, types[t], &l, NULL);
		if (resolve_status_is_error(st))
			*stp = st;
		else if (st == RESOLVE_OK && !resolve_status_is_error(*stp))
			*stp = RESOLVE_OK;
		if (st != RESOLVE_OK)
			continue;
		ldns_rr_list_sort(l);
		for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
			s = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(l, i), 0));
			buf_printf(&b, "%s%s", b.len ? " " : "", s ? s : "");
			free(s);
		}
		ldns_rr_list_deep_free(l);
	}
	return buf_steal(&b);
}

static void
check_host(struct resolve *res, const struct check_domain *d,
    json_t *checks)
{
	const char *ph = var_policy_host;
	enum resolve_status st, st2;
	char *name, *t, *mine, *ours, *fix;

	name = xasprintf("mta-sts.%s", d->name);
	fix = xasprintf("add %s. CNAME %s.", name, ph);
	if ((t = check_cname(res, name, &st)) != NULL && check_name_eq(t, ph)) {
		check_add(checks, "mta-sts-host", "ok", NULL, NULL,
		    "%s is a CNAME to %s", name, ph);
		goto out;
	}
	if (st == RESOLVE_PENDING)
		goto out;		/* the addresses only if no CNAME */
	mine = check_addrs(res, name, &st);
	ours = check_addrs(res, ph, &st2);
	if (resolve_status_is_error(st))
		check_add(checks, "mta-sts-host", "dns-error",
		    resolve_status_name(st), NULL, "%s: %s", name,
		    resolve_status_name(st));
	else if (*mine == '\0')
		check_add(checks, "mta-sts-host", "fail", "missing", fix,
		    "%s does not resolve", name);
	else if (strcmp(mine, ours) != 0)
		check_add(checks, "mta-sts-host", "fail", mine, fix,
		    "%s resolves to %s, %s to %s", name, mine, ph,
		    *ours ? ours : "nothing");
	else
		check_add(checks, "mta-sts-host", "ok", NULL, NULL,
		    "%s has the addresses of %s", name, ph);
	free(mine);
	free(ours);
out:
	free(t);
	free(fix);
	free(name);
}

/* The TXT records of MTA-STS (RFC 8461 3.1) and TLS-RPT (RFC 8460 3). */
struct check_txt_kind {
	const char *id;			/* of the check */
	const char *version;		/* "v=STSv1" */
	int	(*is)(const char *, size_t);
	const char *waiting;		/* after "its publication waits" */
};

static const struct check_txt_kind check_sts_kind = {
	"sts-txt", "v=STSv1", ststxt_is_sts,
	" (RFC 8461 section 8.1: HTTPS before DNS)",
};
static const struct check_txt_kind check_tlsrpt_kind = {
	"tlsrpt-txt", "v=TLSRPTv1", ststxt_is_tlsrpt, "",
};

/*
 * The verdicts of both TXT checks: a DNS error, no record of the kind
 * yet (its publication waits), none, several.  1 when one was given;
 * 0 with the one record of the kind in *found.
 */
static int
check_txt_verdict(json_t *checks, const struct check_txt_kind *k,
    enum resolve_status st, char **txt, size_t n, const char *name,
    const struct check_domain *d, const char *fix, char **found)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		if (k->is(txt[i], strlen(txt[i]))) {
			count++;
			*found = txt[i];
		}
	if (resolve_status_is_error(st))
		check_add(checks, k->id, "dns-error", resolve_status_name(st),
		    NULL, "TXT %s: %s", name, resolve_status_name(st));
	else if (count == 0 && d->waiting != NULL)
		check_add(checks, k->id, "info", "waiting", NULL, "no %s TXT"
		    " record at %s yet: its publication waits for %s%s",
		    k->version, name, d->waiting, k->waiting);
	else if (count == 0)
		check_add(checks, k->id, "fail", "missing", fix,
		    "no %s TXT record at %s", k->version, name);
	else if (count > 1)
		check_add(checks, k->id, "fail", "several", fix, "%zu %s TXT"
		    " records at %s (exactly one allowed)", count, k->version,
		    name);
	else
		return 0;
	return 1;
}

/* The one record of the kind does not parse: err says why. */
static void
check_txt_invalid(json_t *checks, const struct check_txt_kind *k,
    const char *name, const char *fix, const struct buf *err)
{
	check_add(checks, k->id, "fail", err->s, fix, "TXT %s is invalid: %s",
	    name, err->s);
}

static void
check_sts_txt(struct resolve *res, const struct check_domain *d,
    json_t *checks)
{
	struct buf err = BUF_INIT;
	struct ststxt_sts *r = NULL;
	enum resolve_status st;
	char *name, *fix, **txt, *found = NULL, *final = NULL, *zfix;
	const char *zone = var_sts_zone;
	size_t n, zl = strlen(zone), fl;

	name = xasprintf("_mta-sts.%s", d->name);
	fix = xasprintf("add %s. CNAME %s.%s. (or TXT \"v=STSv1; id=%s;\")",
	    name, d->name, var_sts_zone, d->policy_id ? d->policy_id :
	    "");
	st = check_txt_final(res, name, &txt, &n, &final);
	/* Delegated into the service zone: the stale record is ours. */
	fl = final ? strlen(final) : 0;
	if (final != NULL && zl > 0 && fl > zl && final[fl - zl - 1] == '.' &&
	    strcasecmp(final + fl - zl, zone) == 0) {
		if (*var_dns_update_server != '\0')
			zfix = xasprintf("policyd publishes %s. TXT \"v=STSv1;"
			    " id=%s;\" by DNS UPDATE to %s: see \"stsctl domain"
			    " show %s\" for its state", final, d->policy_id ?
			    d->policy_id : "", var_dns_update_server,
			    d->name);
		else
			zfix = xasprintf("publish %s. TXT \"v=STSv1; id=%s;\" in"
			    " the service zone %s (no dns_update_server is set)",
			    final, d->policy_id ? d->policy_id : "", zone);
		free(fix);
		fix = zfix;
	}
	free(final);
	if (check_txt_verdict(checks, &check_sts_kind, st, txt, n, name, d,
	    fix, &found))
		goto out;
	if (ststxt_sts_parse(found, strlen(found), &r, &err) < 0)
		check_txt_invalid(checks, &check_sts_kind, name, fix, &err);
	else if (d->policy_id != NULL && strcmp(r->id, d->policy_id) != 0)
		check_add(checks, "sts-txt", "fail", r->id, fix,
		    "TXT %s has id %s, the current policy id is %s", name,
		    r->id, d->policy_id);
	else
		check_add(checks, "sts-txt", "ok", NULL, NULL,
		    "TXT %s has the current id", name);
out:
	ststxt_sts_free(r);
	check_strv_free(txt);
	buf_free(&err);
	free(fix);
	free(name);
}

static void
check_tlsrpt_txt(struct resolve *res, const struct check_domain *d,
    json_t *checks)
{
	struct buf err = BUF_INIT, missing = BUF_INIT;
	struct ststxt_tlsrpt *r = NULL;
	struct check_rua want;
	enum resolve_status st;
	char *name, *fix, **txt, *found = NULL;
	const char *key = NULL;
	size_t n, i;

	check_rua_init(&want, d->name);
	name = xasprintf("_smtp._tls.%s", d->name);
	fix = xasprintf("add %s. CNAME %s._report.%s. (or TXT"
	    " \"v=TLSRPTv1; rua=%s\")", name, d->name, var_sts_zone,
	    want.rua ? want.rua : "");
	st = check_txt(res, name, &txt, &n);
	if (check_txt_verdict(checks, &check_tlsrpt_kind, st, txt, n, name, d,
	    fix, &found))
		goto out;
	if (ststxt_tlsrpt_parse(found, strlen(found), &r, &err) < 0)
		check_txt_invalid(checks, &check_tlsrpt_kind, name, fix, &err);
	else {
		/* The key, for alerts, names the first URI missing. */
		for (i = 0; i < CHECK_RUA_NEED; i++)
			if (want.need[i] != NULL &&
			    !check_rua_lists(r, want.need[i])) {
				buf_printf(&missing, "%s%s", missing.len ?
				    " and " : "", want.need[i]);
				if (key == NULL)
					key = i == CHECK_RUA_MAILTO ?
					    "no-rua" : "no-https-rua";
			}
		if (key == NULL)
			check_add(checks, "tlsrpt-txt", "ok", NULL, NULL,
			    "TXT %s sends reports to us", name);
		else
			check_add(checks, "tlsrpt-txt", "fail", key, fix,
			    "TXT %s does not list %s in rua", name,
			    missing.s);
	}
out:
	ststxt_tlsrpt_free(r);
	check_strv_free(txt);
	buf_free(&err);
	buf_free(&missing);
	free(fix);
	free(name);
	check_rua_clear(&want);
}

static void
check_tlsa(struct resolve *res, const char *host, json_t *checks)
{
	enum resolve_status st;
	ldns_rr_list *l;
	ldns_rr *rr;
	size_t i, n, bad = 0;
	char *name = xasprintf("_25._tcp.%s", host);
	json_t *c;

	st = resolve_query(res, name, LDNS_RR_TYPE_TLSA, &l, NULL);
	if (st == RESOLVE_OK) {
		n = ldns_rr_list_rr_count(l);
		for (i = 0; i < n; i++) {
			rr = ldns_rr_list_rr(l, i);
			/* RFC 7672: usages 2 and 3 only; selector 0-1;
			 * matching type 0-2. */
			if (ldns_rr_rd_count(rr) < 4 ||
			    ldns_rdf2native_int8(ldns_rr_rdf(rr, 0)) < 2 ||
			    ldns_rdf2native_int8(ldns_rr_rdf(rr, 0)) > 3 ||
			    ldns_rdf2native_int8(ldns_rr_rdf(rr, 1)) > 1 ||
			    ldns_rdf2native_int8(ldns_rr_rdf(rr, 2)) > 2)
				bad++;
		}
		ldns_rr_list_deep_free(l);
		c = bad == n ?
		    check_add(checks, "tlsa", "info", "unusable", NULL,
		    "DANE: %s has TLSA records, none usable for SMTP"
		    " (RFC 7672)", name) :
		    check_add(checks, "tlsa", "info", "present", NULL,
		    "DANE: %s has %zu TLSA record%s", name, n,
		    n == 1 ? "" : "s");
	} else if (resolve_status_is_error(st))
		c = check_add(checks, "tlsa", "dns-error", "bogus", NULL,
		    "DANE: TLSA %s: %s (bogus or unusable)", name,
		    resolve_status_name(st));
	else
		c = check_add(checks, "tlsa", "info", "absent", NULL,
		    "DANE: no TLSA records at %s", name);
	json_object_set_new(c, "host", json_string(host));
	free(name);
}

static char *
check_probe_fix(enum probe_result r, const char *host)
{
	switch (r) {
	case PROBE_STARTTLS_NOT_SUPPORTED:
		return xasprintf("enable STARTTLS on %s", host);
	case PROBE_CERT_EXPIRED:
		return xasprintf("renew the certificate of %s", host);
	case PROBE_HOST_MISMATCH:
		return xasprintf("reissue with %s in subjectAltName", host);
	case PROBE_VALIDATION_FAILURE:
		return xasprintf("install on %s a certificate from a trusted"
		    " CA with its intermediate certificates", host);
	case PROBE_HANDSHAKE_FAILURE:
		return xasprintf("check the TLS set-up of %s (TLS 1.2 or"
		    " later, a certificate and key)", host);
	default:
		return xasprintf("make %s accept SMTP connections", host);
	}
}

void
check_probe_add(json_t *checks, const char *host, const struct probe *p)
{
	char *fix;
	json_t *c;

	fix = p->result == PROBE_OK ? NULL : check_probe_fix(p->result, host);
	c = check_add(checks, "probe", p->result == PROBE_OK ? "ok" : "fail",
	    probe_result_name(p->result), fix, "%s: %s",
	    probe_result_name(p->result), p->detail);
	json_object_set_new(c, "host", json_string(host));
	if (p->tls_version[0])
		json_object_set_new(c, "tls_version",
		    json_string(p->tls_version));
	if (p->days_left != PROBE_DAYS_UNKNOWN)
		json_object_set_new(c, "days_left",
		    json_integer(p->days_left));
	free(fix);
}

void
check_probe_host(const char *host, struct probe *p)
{
	probe_mx(host, (int)var_dnsmon_smtp_port,
	    var_smtp_hostname,
	    (int)var_dnsmon_probe_timeout * 1000,
	    var_dnsmon_ca_file, p);
}

/*
 * The certificate of the domain's policy host in the store (from acmed
 * or installed by hand): expired, or expiring within
 * cert_warning_time, is a failure (an alert, keyed by the state);
 * missing while the domain waits for it is said as info.
 */
static void
check_policy_cert(const struct check_domain *d, json_t *checks)
{
	char *host = xasprintf("mta-sts.%s", d->name), *dir = certstore_dir();
	long long now = (long long)time(NULL), days;
	struct certstore_leaf leaf;
	struct buf err = BUF_INIT;
	json_t *c;

	/* Only mail_owner and root read the store (stsctl may not). */
	if (d->state == NULL || (strcmp(d->state, "active") != 0 &&
	    strcmp(d->state, "retiring") != 0) || access(dir, X_OK) != 0)
		goto out;
	if (certstore_leaf_read(dir, host, &leaf, &err) < 0) {
		c = d->waiting != NULL ?
		    check_add(checks, "policy-cert", "info", "waiting", NULL,
		    "no certificate for %s yet (%s)", host, err.s) :
		    check_add(checks, "policy-cert", "fail", "missing", NULL,
		    "no usable certificate for %s: %s", host, err.s);
		json_object_set_new(c, "host", json_string(host));
		goto out;
	}
	days = (leaf.not_after - now) / 86400;
	switch (certstore_health(leaf.not_after, now,
	    var_cert_warning_time)) {
	case CERTSTORE_EXPIRED:
		c = check_add(checks, "policy-cert", "fail", "expired",
		    "stsctl cert renew, or install a new certificate",
		    "the certificate of %s has expired (%lld days ago):"
		    " senders cannot fetch the policy", host, -days);
		break;
	case CERTSTORE_WARNING:
		c = check_add(checks, "policy-cert", "fail", "warning",
		    "stsctl cert renew, or install a new certificate",
		    "the certificate of %s expires in %lld days (within"
		    " cert_warning_time)", host, days);
		break;
	default:
		c = leaf.names_host ?
		    check_add(checks, "policy-cert", "ok", NULL, NULL,
		    "the certificate of %s is valid for %lld more days", host,
		    days) :
		    check_add(checks, "policy-cert", "fail", "name", NULL,
		    "the certificate of %s does not name it", host);
		break;
	}
	json_object_set_new(c, "host", json_string(host));
out:
	buf_free(&err);
	free(dir);
	free(host);
}

json_t *
check_run(struct resolve *res, const struct check_domain *d, int probe)
{
	json_t *out = json_pack("{s:s}", "domain", d->name);
	json_t *checks = json_array();
	char **hosts, **h;

	json_object_set_new(out, "checks", checks);
	check_verification(res, d, out, checks);
	hosts = check_mx(res, d, out, checks);
	if (hosts != NULL)
		check_mx_policy(d, hosts, checks);
	check_host(res, d, checks);
	check_sts_txt(res, d, checks);
	check_tlsrpt_txt(res, d, checks);
	check_policy_cert(d, checks);
	for (h = hosts; h && *h; h++)
		check_tlsa(res, *h, checks);
	check_strv_free(hosts);
	hosts = probe ? check_probe_hosts(out, d) : NULL;
	for (h = hosts; h && *h; h++) {
		struct probe p;

		check_probe_host(*h, &p);
		check_probe_add(checks, *h, &p);
	}
	check_strv_free(hosts);
	return out;
}
