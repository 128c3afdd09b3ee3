/*
 * dkimcheck - the DKIM outcome of a mailed report (see dkimcheck.h).
 * SPDX-License-Identifier: ISC
 *
 * May touch: memory, /etc/resolv.conf (read) and the nameservers it
 * names (DNS queries for TXT records under _domainkey).
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <glib.h>
#include <ldns/ldns.h>
#include <opendkim/dkim.h>

#include "buf.h"
#include "dkimcheck.h"
#include "dkimkey.h"
#include "log.h"
#include "mymalloc.h"

#define DKIMCHECK_RESOLV_CONF	"/etc/resolv.conf"
#define DKIMCHECK_NS_MIN_MS	200	/* per nameserver, at least */
#define DKIMCHECK_NEG_TTL	60	/* NXDOMAIN without an SOA */
#define DKIMCHECK_ID		"rptparse"	/* libopendkim's message id */
#define DKIMCHECK_KEEP		(1024 * 1024)	/* body buffer kept */

/* A cached lookup: a key record, no key, or a temporary failure. */
struct dkimcheck_entry {
	enum dkimcheck_key kind;
	char	*text;			/* the record, or why it failed */
	time_t	 expires;
};

struct dkimcheck {
	DKIM_LIB *lib;
	struct dkimcheck_conf conf;
	GHashTable *cache;		/* qname: struct dkimcheck_entry */
	ldns_resolver *res;
	struct timespec res_mtime;	/* of resolv.conf when read */
	ino_t	 res_ino;
	dkimcheck_lookup_fn lookup;	/* NULL: DNS */
	void	*lookup_ctx;
	long	 budget_ms;		/* lookup time left in this run */
	struct buf field;		/* one header field, reused */
	struct buf body;		/* the body with CRLF, reused */
};

/* One message being verified: libopendkim's user context. */
struct dkimcheck_run {
	struct dkimcheck *dc;
	const char *from_domain;	/* or NULL */
	int	 froms;			/* From: fields seen */
	int	 refused;		/* a signature not verified */
	int	 temp;			/* an aligned key: temporary failure */
	char	 temp_reason[DKIMCHECK_REASON_MAX];
	char	 temp_domain[DKIMCHECK_NAME_MAX + 1];	/* where it stopped */
	char	 temp_selector[DKIMCHECK_NAME_MAX + 1];
	char	 key_reason[DKIMCHECK_REASON_MAX];	/* a refused record */
};

const char *
dkimcheck_result_name(enum dkimcheck_result r)
{
	switch (r) {
	case DKIMCHECK_PASS:
		return "pass";
	case DKIMCHECK_FAIL:
		return "fail";
	case DKIMCHECK_NONE:
		return "none";
	case DKIMCHECK_TEMPERROR:
		return "temperror";
	}
	return "fail";
}

/*
 * d= counts for From: when it is the From: domain or a parent of it
 * (on a label boundary), and not a top-level domain alone.
 */
int
dkimcheck_aligned(const char *from_domain, const char *d)
{
	size_t fl, dl;

	if (from_domain == NULL || d == NULL || *d == '\0' ||
	    strchr(d, '.') == NULL)
		return 0;
	fl = strlen(from_domain);
	dl = strlen(d);
	if (dl > 0 && d[dl - 1] == '.')
		dl--;
	if (fl > 0 && from_domain[fl - 1] == '.')
		fl--;
	if (dl == 0 || dl > fl ||
	    g_ascii_strncasecmp(from_domain + fl - dl, d, dl) != 0)
		return 0;
	return dl == fl || from_domain[fl - dl - 1] == '.';
}

/* Printable ASCII of s into out (size n), others as '?'. */
static void
dkimcheck_copy(char *out, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i + 1 < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

static void
dkimcheck_entry_free(void *p)
{
	struct dkimcheck_entry *e = p;

	free(e->text);
	free(e);
}

/* A name fit to ask for: letters, digits, '-', '_', dots, no empty label. */
static int
dkimcheck_name_ok(const char *s)
{
	size_t i, label = 0;

	if (*s == '\0' || strlen(s) > DKIMCHECK_NAME_MAX)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)s[i]) || s[i] == '-' ||
		    s[i] == '_') {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return 1;
}

/* The resolver of resolv.conf, made again when the file changed. */
static ldns_resolver *
dkimcheck_resolver(struct dkimcheck *dc, struct buf *why)
{
	struct stat sb;
	ldns_resolver *res = NULL;
	ldns_status st;
	struct timeval tv;
	size_t n;
	long per;

	if (stat(DKIMCHECK_RESOLV_CONF, &sb) != 0)
		memset(&sb, 0, sizeof(sb));
	if (dc->res != NULL && sb.st_ino == dc->res_ino &&
	    sb.st_mtim.tv_sec == dc->res_mtime.tv_sec &&
	    sb.st_mtim.tv_nsec == dc->res_mtime.tv_nsec)
		return dc->res;
	if (dc->res != NULL)
		ldns_resolver_deep_free(dc->res);
	dc->res = NULL;
	if ((st = ldns_resolver_new_frm_file(&res, NULL)) != LDNS_STATUS_OK) {
		buf_printf(why, "%s: %s", DKIMCHECK_RESOLV_CONF,
		    ldns_get_errorstr_by_id(st));
		return NULL;
	}
	if ((n = ldns_resolver_nameserver_count(res)) == 0) {
		buf_printf(why, "%s: no nameserver", DKIMCHECK_RESOLV_CONF);
		ldns_resolver_deep_free(res);
		return NULL;
	}
	/* The timeout bounds the whole lookup: one try per nameserver. */
	per = dc->conf.timeout_ms / (long)n;
	if (per < DKIMCHECK_NS_MIN_MS)
		per = DKIMCHECK_NS_MIN_MS;
	tv.tv_sec = per / 1000;
	tv.tv_usec = (per % 1000) * 1000;
	ldns_resolver_set_timeout(res, tv);
	ldns_resolver_set_retry(res, 1);
	ldns_resolver_set_retrans(res, 0);
	ldns_resolver_set_fallback(res, true);
	ldns_resolver_set_recursive(res, true);
	ldns_resolver_set_dnsrch(res, false);
	ldns_resolver_set_defnames(res, false);
	dc->res = res;
	dc->res_ino = sb.st_ino;
	dc->res_mtime = sb.st_mtim;
	return res;
}

/* The TTL of a negative answer: its SOA's, else DKIMCHECK_NEG_TTL. */
static time_t
dkimcheck_neg_ttl(ldns_pkt *pkt)
{
	ldns_rr_list *soa;
	time_t ttl = DKIMCHECK_NEG_TTL;

	soa = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_SOA,
	    LDNS_SECTION_AUTHORITY);
	if (soa != NULL && ldns_rr_list_rr_count(soa) > 0)
		ttl = (time_t)ldns_rr_ttl(ldns_rr_list_rr(soa, 0));
	ldns_rr_list_deep_free(soa);
	return ttl;
}

/* The strings of a TXT record, joined (RFC 6376 section 3.6.2.2). */
static void
dkimcheck_txt(const ldns_rr *rr, struct buf *txt)
{
	const ldns_rdf *rdf;
	const uint8_t *p;
	size_t i;

	buf_reset(txt);
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		rdf = ldns_rr_rdf(rr, i);
		if (ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_STR ||
		    ldns_rdf_size(rdf) < 1)
			continue;
		p = ldns_rdf_data(rdf);
		buf_append(txt, p + 1, p[0] < ldns_rdf_size(rdf) ? p[0] :
		    ldns_rdf_size(rdf) - 1);
	}
	buf_putc(txt, '\0');
	txt->len--;
}

/* A key record from DNS. */
static enum dkimcheck_key
dkimcheck_dns(void *ctx, const char *qname, struct buf *txt, time_t *ttl)
{
	struct dkimcheck *dc = ctx;
	ldns_resolver *res;
	ldns_rdf *name;
	ldns_pkt *pkt = NULL;
	ldns_rr_list *rrs;
	ldns_status st;
	enum dkimcheck_key kind;
	struct timespec t0, t1;
	char *rcode;
	size_t i;
	long ms;

	buf_reset(txt);
	if ((res = dkimcheck_resolver(dc, txt)) == NULL)
		return DKIMCHECK_KEY_TEMP;
	if ((name = ldns_dname_new_frm_str(qname)) == NULL)
		return DKIMCHECK_KEY_NONE;
	/* ldns passes over a nameserver once it timed out: not for long. */
	for (i = 0; i < ldns_resolver_nameserver_count(res); i++)
		ldns_resolver_set_nameserver_rtt(res, i, LDNS_RESOLV_RTT_MIN);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = ldns_resolver_query_status(&pkt, res, name, LDNS_RR_TYPE_TXT,
	    LDNS_RR_CLASS_IN, LDNS_RD);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ldns_rdf_deep_free(name);
	if (st != LDNS_STATUS_OK || pkt == NULL) {
		ms = (t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (st == LDNS_STATUS_NETWORK_ERR &&
		    ms >= dc->conf.timeout_ms * 9 / 10)
			buf_printf(txt, "no answer within %ld ms from the %zu"
			    " nameservers of %s", ms,
			    ldns_resolver_nameserver_count(res),
			    DKIMCHECK_RESOLV_CONF);
		else
			buf_printf(txt, "%s", st == LDNS_STATUS_OK ?
			    "no answer" : ldns_get_errorstr_by_id(st));
		ldns_pkt_free(pkt);
		return DKIMCHECK_KEY_TEMP;
	}
	switch (ldns_pkt_get_rcode(pkt)) {
	case LDNS_RCODE_NOERROR:
		rrs = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_TXT,
		    LDNS_SECTION_ANSWER);
		if (rrs != NULL && ldns_rr_list_rr_count(rrs) > 0) {
			dkimcheck_txt(ldns_rr_list_rr(rrs, 0), txt);
			*ttl = (time_t)ldns_rr_ttl(ldns_rr_list_rr(rrs, 0));
			kind = DKIMCHECK_KEY_FOUND;
		} else {
			*ttl = dkimcheck_neg_ttl(pkt);
			kind = DKIMCHECK_KEY_NONE;
		}
		ldns_rr_list_deep_free(rrs);
		break;
	case LDNS_RCODE_NXDOMAIN:
		*ttl = dkimcheck_neg_ttl(pkt);
		kind = DKIMCHECK_KEY_NONE;
		break;
	default:
		rcode = ldns_pkt_rcode2str(ldns_pkt_get_rcode(pkt));
		buf_printf(txt, "%s", rcode ? rcode : "DNS error");
		free(rcode);
		kind = DKIMCHECK_KEY_TEMP;
		break;
	}
	ldns_pkt_free(pkt);
	return kind;
}

/* qname's key, from the cache or looked up (and then cached). */
static const struct dkimcheck_entry *
dkimcheck_key_of(struct dkimcheck *dc, const char *qname)
{
	static struct dkimcheck_entry spent = { DKIMCHECK_KEY_TEMP,
	    "not asked: lookups already waited the time allowed for this"
	    " run", 0 };
	struct dkimcheck_entry *e;
	struct buf txt = BUF_INIT;
	time_t now = time(NULL), ttl = 0;
	struct timespec t0, t1;
	char *key = g_ascii_strdown(qname, -1);

	if ((e = g_hash_table_lookup(dc->cache, key)) != NULL &&
	    e->expires > now) {
		g_free(key);
		return e;
	}
	if (dc->budget_ms <= 0) {
		g_free(key);
		return &spent;		/* not cached: the next run asks */
	}
	e = xcalloc(1, sizeof(*e));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	e->kind = dc->lookup(dc->lookup_ctx, qname, &txt, &ttl);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dc->budget_ms -= (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	if (e->kind == DKIMCHECK_KEY_TEMP)
		ttl = dc->conf.temp_ttl;
	else if (ttl > DKIMCHECK_TTL_MAX)
		ttl = DKIMCHECK_TTL_MAX;
	else if (ttl < DKIMCHECK_TTL_MIN)
		ttl = DKIMCHECK_TTL_MIN;
	e->expires = now + ttl;
	e->text = buf_steal(&txt);
	if (g_hash_table_size(dc->cache) >= DKIMCHECK_CACHE_MAX)
		g_hash_table_remove_all(dc->cache);
	g_hash_table_insert(dc->cache, key, e);
	return e;
}

/* libopendkim's key lookup: the cache, then dc->lookup. */
static DKIM_CBSTAT
dkimcheck_key_cb(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct dkimcheck_run *run = dkim_get_user_context(dkim);
	const char *d = (const char *)dkim_sig_getdomain(sig);
	const char *s = (const char *)dkim_sig_getselector(sig);
	const struct dkimcheck_entry *e;
	char qname[DKIMCHECK_NAME_MAX + 2];
	int n;

	if (run == NULL || d == NULL || s == NULL)
		return DKIM_CBSTAT_NOTFOUND;
	n = snprintf(qname, sizeof(qname), "%s._domainkey.%s", s, d);
	if (n < 0 || (size_t)n >= sizeof(qname) || !dkimcheck_name_ok(qname))
		return DKIM_CBSTAT_NOTFOUND;
	e = dkimcheck_key_of(run->dc, qname);
	switch (e->kind) {
	case DKIMCHECK_KEY_FOUND:
		if (strlen(e->text) > DKIMCHECK_KEY_MAX ||
		    strlen(e->text) >= buflen) {
			/* libopendkim stops at it: the outcome is this. */
			snprintf(run->key_reason, sizeof(run->key_reason),
			    "key record at %s is longer than %d bytes", qname,
			    DKIMCHECK_KEY_MAX);
			dkimcheck_copy(run->temp_domain,
			    sizeof(run->temp_domain), d);
			dkimcheck_copy(run->temp_selector,
			    sizeof(run->temp_selector), s);
			return DKIM_CBSTAT_ERROR;
		}
		memcpy(buf, e->text, strlen(e->text) + 1);
		return DKIM_CBSTAT_CONTINUE;
	case DKIMCHECK_KEY_NONE:
		return DKIM_CBSTAT_NOTFOUND;
	case DKIMCHECK_KEY_TEMP:
		break;
	}
	if (!run->temp) {
		run->temp = 1;
		snprintf(run->temp_reason, sizeof(run->temp_reason),
		    "key lookup of %s: %s", qname, e->text);
		dkimcheck_copy(run->temp_domain, sizeof(run->temp_domain), d);
		dkimcheck_copy(run->temp_selector, sizeof(run->temp_selector),
		    s);
	}
	return DKIM_CBSTAT_TRYAGAIN;
}

/*
 * Before any key is looked up: only aligned signatures, and at most
 * DKIMCHECK_SIGS_MAX of them, are verified.
 */
static DKIM_CBSTAT
dkimcheck_prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct dkimcheck_run *run = dkim_get_user_context(dkim);
	int i, taken = 0;

	for (i = 0; i < nsigs; i++) {
		if (run == NULL || taken >= DKIMCHECK_SIGS_MAX ||
		    !dkimcheck_aligned(run->from_domain,
		    (const char *)dkim_sig_getdomain(sigs[i])))
			dkim_sig_ignore(sigs[i]);
		else
			taken++;
	}
	return DKIM_CBSTAT_CONTINUE;
}

struct dkimcheck *
dkimcheck_new(const struct dkimcheck_conf *conf, struct buf *err)
{
	struct dkimcheck *dc;
	unsigned int flags = DKIM_LIBFLAGS_NONE;

	dc = xcalloc(1, sizeof(*dc));
	dc->conf = *conf;
	if ((dc->lib = dkim_init(NULL, NULL)) == NULL) {
		buf_puts(err, "libopendkim: cannot initialise");
		free(dc);
		return NULL;
	}
	if (!dkim_libfeature(dc->lib, DKIM_FEATURE_ED25519))
		log_warn("libopendkim without ed25519-sha256 (RFC 8463):"
		    " such signatures fail");
	if (dkim_options(dc->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof(flags)) != DKIM_STAT_OK ||
	    dkim_set_key_lookup(dc->lib, dkimcheck_key_cb) != DKIM_STAT_OK ||
	    dkim_set_prescreen(dc->lib, dkimcheck_prescreen) != DKIM_STAT_OK) {
		buf_puts(err, "libopendkim: cannot set its options");
		dkim_close(dc->lib);
		free(dc);
		return NULL;
	}
	dc->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    dkimcheck_entry_free);
	dc->lookup = dkimcheck_dns;
	dc->lookup_ctx = dc;
	dc->budget_ms = LONG_MAX;
	return dc;
}

void
dkimcheck_free(struct dkimcheck *dc)
{
	if (dc == NULL)
		return;
	dkim_close(dc->lib);
	dkimkey_clear();
	g_hash_table_destroy(dc->cache);
	buf_free(&dc->field);
	buf_free(&dc->body);
	if (dc->res != NULL)
		ldns_resolver_deep_free(dc->res);
	free(dc);
}

void
dkimcheck_budget(struct dkimcheck *dc, long ms)
{
	dc->budget_ms = ms;
}

void
dkimcheck_set_lookup(struct dkimcheck *dc, dkimcheck_lookup_fn fn, void *ctx)
{
	dc->lookup = fn ? fn : dkimcheck_dns;
	dc->lookup_ctx = fn ? ctx : dc;
	g_hash_table_remove_all(dc->cache);
}

/* The offset of the value when field f is name (name WSP* ":"), else 0. */
static size_t
dkimcheck_field_is(const char *f, size_t len, const char *name)
{
	size_t j, n = strlen(name);

	if (len <= n || g_ascii_strncasecmp(f, name, n) != 0)
		return 0;
	for (j = n; j < len && (f[j] == ' ' || f[j] == '\t'); j++)
		;
	return j < len && f[j] == ':' ? j + 1 : 0;
}

static int
dkimcheck_fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * 1 when the h= tag of a DKIM-Signature value (RFC 6376 section 3.2:
 * tag=value pairs separated by ";", folding white space around them)
 * lists DKIM-Signature.  libopendkim 2.11 writes out of bounds on such
 * a signature (found by tests/fuzz/fuzz_dkim): it is not passed to it.
 */
static int
dkimcheck_h_lists_sig(const char *v, size_t len)
{
	static const char sig[] = "dkim-signature";
	size_t i = 0, end, a, b;

	while (i < len) {
		for (end = i; end < len && v[end] != ';'; end++)
			;
		for (a = i; a < end && dkimcheck_fws(v[a]); a++)
			;
		if (a < end && (v[a] == 'h' || v[a] == 'H')) {
			for (a++; a < end && dkimcheck_fws(v[a]); a++)
				;
			if (a < end && v[a] == '=') {
				/* The list: names between ':', each trimmed. */
				for (a++; a < end; a = b + 1) {
					while (a < end && dkimcheck_fws(v[a]))
						a++;
					for (b = a; b < end && v[b] != ':'; b++)
						;
					if (b - a >= sizeof(sig) - 1 &&
					    g_ascii_strncasecmp(v + a, sig,
					    sizeof(sig) - 1) == 0)
						return 1;
				}
			}
		}
		i = end + 1;
	}
	return 0;
}

/*
 * The header fields to libopendkim one by one: a field is its line and
 * the lines that continue it, joined by CRLF, without the last line
 * end; a line without a colon (an mbox "From " line) is left out.
 * Returns the offset of the body, after the empty line.
 */
static size_t
dkimcheck_headers(struct dkimcheck *dc, DKIM *dkim, struct dkimcheck_run *run,
    const char *data, size_t len, DKIM_STAT *st)
{
	struct buf *f = &dc->field;
	size_t i = 0, eol, n, v;

	*st = DKIM_STAT_OK;
	while (i < len && *st == DKIM_STAT_OK) {
		if (data[i] == '\n')
			return i + 1;
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			return i + 2;
		buf_reset(f);
		do {
			for (eol = i; eol < len && data[eol] != '\n'; eol++)
				;
			n = eol - i;
			if (n > 0 && data[i + n - 1] == '\r')
				n--;
			if (f->len > 0)
				buf_append(f, "\r\n", 2);
			buf_append(f, data + i, n);
			i = eol < len ? eol + 1 : len;
		} while (i < len && (data[i] == ' ' || data[i] == '\t'));
		if (f->len == 0 || memchr(f->s, ':', f->len) == NULL)
			continue;
		if (dkimcheck_field_is(f->s, f->len, "from") > 0)
			run->froms++;
		if ((v = dkimcheck_field_is(f->s, f->len, "dkim-signature")) >
		    0 && dkimcheck_h_lists_sig(f->s + v, f->len - v)) {
			run->refused = 1;
			continue;
		}
		*st = dkim_header(dkim, (u_char *)f->s, f->len);
	}
	return len;
}

/* Whether some line of data ends with a bare LF, not CRLF. */
static int
dkimcheck_bare_lf(const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (nl == data || nl[-1] != '\r')
			return 1;
		p = nl + 1;
	}
	return 0;
}

/*
 * The body with every line ended by CRLF, as it was signed: as it is
 * when it has no bare LF (rptrecv spools mail as it came, in CRLF),
 * else a copy with a CR put before each bare LF.
 */
static DKIM_STAT
dkimcheck_body(struct dkimcheck *dc, DKIM *dkim, const char *data,
    size_t len)
{
	struct buf *b = &dc->body;
	size_t i, from = 0;
	DKIM_STAT st;

	if (len == 0)
		return DKIM_STAT_OK;
	if (!dkimcheck_bare_lf(data, len))
		return dkim_body(dkim, (u_char *)(uintptr_t)data, len);
	buf_reset(b);
	for (i = 0; i < len; i++) {
		if (data[i] != '\n' || (i > 0 && data[i - 1] == '\r'))
			continue;
		buf_append(b, data + from, i - from);
		buf_append(b, "\r\n", 2);
		from = i + 1;
	}
	buf_append(b, data + from, len - from);
	st = b->len > 0 ? dkim_body(dkim, (u_char *)b->s, b->len) :
	    DKIM_STAT_OK;
	if (b->cap > DKIMCHECK_KEEP)
		buf_free(b);
	return st;
}

/* Why a signature failed, one line. */
static void
dkimcheck_why(DKIM_SIGINFO *sig, char *out, size_t n)
{
	const char *d = (const char *)dkim_sig_getdomain(sig);
	const char *s = (const char *)dkim_sig_getselector(sig);
	const char *text;
	int e = dkim_sig_geterror(sig);

	switch (e) {
	case DKIM_SIGERROR_OK:
		if (dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH)
			text = "body hash did not verify";
		else
			text = "signature did not verify";
		break;
	case DKIM_SIGERROR_BADSIG:
		text = dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH ?
		    "body hash did not verify" : "signature did not verify";
		break;
	case DKIM_SIGERROR_EXPIRED:
		text = "expired";
		break;
	case DKIM_SIGERROR_FUTURE:
		text = "signed in the future (t=)";
		break;
	case DKIM_SIGERROR_NOKEY:
		snprintf(out, n, "no key at %s._domainkey.%s", s ? s : "?",
		    d ? d : "?");
		dkimcheck_copy(out, n, out);
		return;
	case DKIM_SIGERROR_KEYREVOKED:
		text = "key revoked";
		break;
	default:
		text = dkim_sig_geterrorstr(e);
		if (text == NULL)
			text = "signature did not verify";
		break;
	}
	dkimcheck_copy(out, n, text);
}

/* The domain of an address: after its last '@'. */
static const char *
dkimcheck_from_domain(const char *from)
{
	const char *at = from ? strrchr(from, '@') : NULL;

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

/* The outcome from the signatures that libopendkim looked at. */
static void
dkimcheck_judge(DKIM *dkim, const struct dkimcheck_run *run,
    struct dkimcheck_outcome *out)
{
	DKIM_SIGINFO **sigs = NULL, *first = NULL, *aligned = NULL;
	struct buf why = BUF_INIT;
	int nsigs = 0, i, passed = 0;

	if (run->temp || run->key_reason[0] != '\0') {
		/* libopendkim stops at the first key it cannot get. */
		out->result = run->temp ? DKIMCHECK_TEMPERROR : DKIMCHECK_FAIL;
		dkimcheck_copy(out->domain, sizeof(out->domain),
		    run->temp_domain);
		dkimcheck_copy(out->selector, sizeof(out->selector),
		    run->temp_selector);
		dkimcheck_copy(out->reason, sizeof(out->reason), run->temp ?
		    run->temp_reason : run->key_reason);
		return;
	}
	if (dkim_getsiglist(dkim, &sigs, &nsigs) != DKIM_STAT_OK ||
	    nsigs == 0) {
		out->result = DKIMCHECK_NONE;
		dkimcheck_copy(out->reason, sizeof(out->reason),
		    "no signature");
		return;
	}
	for (i = 0; i < nsigs; i++) {
		if (first == NULL)
			first = sigs[i];
		if ((dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) != 0)
			continue;
		if (aligned == NULL)
			aligned = sigs[i];
		if (DKIM_SIG_CHECK(sigs[i])) {
			passed = 1;
			aligned = sigs[i];
			break;
		}
	}
	out->result = passed ? DKIMCHECK_PASS : DKIMCHECK_FAIL;
	if (aligned == NULL)
		aligned = first;
	dkimcheck_copy(out->domain, sizeof(out->domain),
	    (const char *)dkim_sig_getdomain(aligned));
	dkimcheck_copy(out->selector, sizeof(out->selector),
	    (const char *)dkim_sig_getselector(aligned));
	if (out->result == DKIMCHECK_PASS)
		return;
	if ((dkim_sig_getflags(aligned) & DKIM_SIGFLAG_IGNORE) == 0)
		dkimcheck_why(aligned, out->reason, sizeof(out->reason));
	else {
		if (run->from_domain == NULL)
			buf_printf(&why, "d=%s: no From: address to align it"
			    " with", out->domain);
		else
			buf_printf(&why, "d=%s is not aligned with From: %s",
			    out->domain, run->from_domain);
		dkimcheck_copy(out->reason, sizeof(out->reason), why.s);
		buf_free(&why);
	}
}

void
dkimcheck_verify(struct dkimcheck *dc, const char *data, size_t len,
    const char *from, struct dkimcheck_outcome *out)
{
	struct dkimcheck_run run;
	DKIM_STAT st;
	size_t body;
	DKIM *dkim;
	char *p;

	memset(out, 0, sizeof(*out));
	memset(&run, 0, sizeof(run));
	run.dc = dc;
	run.from_domain = dkimcheck_from_domain(from);
	if ((dkim = dkim_verify(dc->lib, (const u_char *)DKIMCHECK_ID, NULL,
	    &st)) == NULL) {
		out->result = DKIMCHECK_FAIL;
		snprintf(out->reason, sizeof(out->reason), "libopendkim: "
		    "cannot verify (status %d)", (int)st);
		return;
	}
	dkim_set_user_context(dkim, &run);
	/*
	 * Not dkim_chunk(): it hands dkim_header() an empty field for some
	 * messages, and libopendkim asserts (aborts) on that.
	 */
	body = dkimcheck_headers(dc, dkim, &run, data, len, &st);
	if (run.froms > 1)
		run.from_domain = NULL;	/* which one would be aligned? */
	if (st == DKIM_STAT_OK)
		st = dkim_eoh(dkim);
	if (st == DKIM_STAT_OK)
		st = dkimcheck_body(dc, dkim, data + body, len - body);
	if (st == DKIM_STAT_OK)
		st = dkim_eom(dkim, NULL);
	dkimcheck_judge(dkim, &run, out);
	/* Stored as reports.db stores domains: lower case. */
	for (p = out->domain; *p != '\0'; p++)
		*p = g_ascii_tolower(*p);
	if (run.refused && (out->result == DKIMCHECK_NONE ||
	    out->result == DKIMCHECK_FAIL)) {
		out->result = DKIMCHECK_FAIL;
		dkimcheck_copy(out->reason, sizeof(out->reason), "a signature"
		    " whose h= lists DKIM-Signature is not verified");
	}
	if (run.froms > 1 && (out->result != DKIMCHECK_NONE || run.refused)) {
		out->result = DKIMCHECK_FAIL;
		dkimcheck_copy(out->reason, sizeof(out->reason),
		    "several From: header fields");
	}
	dkim_free(dkim);
}
