/*
 * ststxt - parse and render the MTA-STS (RFC 8461 section 3.1) and
 * TLS-RPT (RFC 8460 section 3) TXT records; see ststxt.h.
 * SPDX-License-Identifier: ISC
 *
 * Both records share one tokenizer, ststxt_scan(): the version tag,
 * then NAME=VALUE fields separated by ";", one of them required (id,
 * rua) and the others kept as extensions.  Each record type only says
 * what its required field means.  Pure functions: no I/O, input bounded
 * by STSTXT_SIZE_MAX before anything is allocated.  The rua of a hosted
 * domain is made here too, so that it is checked by the same URI rules
 * that parse it; ststxt_rua_for() reads main.cf values through cfg.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "buf.h"
#include "cfg.h"
#include "mymalloc.h"
#include "params.h"
#include "ststxt.h"

#define STSTXT_STS_VERSION	"v=STSv1"
#define STSTXT_TLSRPT_VERSION	"v=TLSRPTv1"

/* The value of a record's required field; 0, or -1 with the cause. */
typedef int (*ststxt_value_fn)(void *ctx, const char *value, size_t len,
    struct buf *err);

/*
 * A record while it is parsed: both kinds have one required field, which
 * value parses into ctx, and keep every other field as an extension.
 */
struct ststxt_rec {
	const char *version;		/* the tag it starts with */
	const char *required;		/* the name of its required field */
	ststxt_value_fn value;
	void	*ctx;
	struct ststxt_ext **ext;	/* the extension fields, in order */
	size_t	*next;
	size_t	 cap;
	int	 seen;			/* the required field was given */
};

struct ststxt_tlsrpt_ctx {
	struct ststxt_tlsrpt *r;
	size_t	 ruacap;
};

/*
 * Character classes (ASCII, whatever the locale).
 */
static int
ststxt_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* Characters RFC 3986 allows in a URI, less "%", "," "!" and ";". */
static int
ststxt_is_uri_char(int c)
{
	return ascii_is_alnum(c) || (c != '\0' &&
	    strchr("-._~:/?#[]@$&'()*+=", c) != NULL);
}

static int
ststxt_caseeq(const char *a, size_t alen, const char *b)
{
	size_t i;

	if (alen != strlen(b))
		return 0;
	for (i = 0; i < alen; i++) {
		int ca = (unsigned char)a[i], cb = (unsigned char)b[i];

		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (ca != cb)
			return 0;
	}
	return 1;
}

static int
ststxt_eq(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && memcmp(a, b, alen) == 0;
}

/*
 * The shared tokenizer.
 */

/* 1 when txt starts with version followed by ";", white space or its end. */
static int
ststxt_is_kind(const char *txt, size_t len, const char *version)
{
	size_t vlen = strlen(version);

	if (len < vlen || memcmp(txt, version, vlen) != 0)
		return 0;
	return len == vlen || txt[vlen] == ';' ||
	    ststxt_is_wsp((unsigned char)txt[vlen]);
}

/* Every byte visible ASCII or white space. */
static int
ststxt_check_bytes(const char *txt, size_t len, struct buf *err)
{
	size_t i;

	if (len > STSTXT_SIZE_MAX) {
		buf_printf(err, "record is %zu bytes: more than %d allowed",
		    len, STSTXT_SIZE_MAX);
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)txt[i];

		if ((c < 0x20 && c != '\t') || c > 0x7e) {
			buf_printf(err, "bad character 0x%02x at offset %zu",
			    c, i);
			return -1;
		}
	}
	return 0;
}

/* RFC 8461 sts-ext-name, RFC 8460 tlsrpt-ext-name (the same). */
int
ststxt_name_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > STSTXT_EXT_NAME_MAX ||
	    !ascii_is_alnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!ascii_is_alnum(c) && c != '_' && c != '-' && c != '.')
			return 0;
	}
	return 1;
}

/* An extension value: visible characters except "=" and ";". */
static int
ststxt_ext_value_valid(const char *name, size_t namelen, const char *v,
    size_t len, struct buf *err)
{
	size_t i;

	if (len == 0) {
		buf_printf(err, "field \"%.*s\": empty value", (int)namelen,
		    name);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (ststxt_is_wsp((unsigned char)v[i]) || v[i] == '=') {
			buf_printf(err, "field \"%.*s=%.*s\": %s in the value",
			    (int)namelen, name, (int)len, v,
			    v[i] == '=' ? "\"=\"" : "white space");
			return -1;
		}
	}
	return 0;
}

static int
ststxt_add_ext(struct ststxt_rec *rec, const char *name, size_t namelen,
    const char *value, size_t valuelen, struct buf *err)
{
	struct ststxt_ext *e;

	if (ststxt_ext_value_valid(name, namelen, value, valuelen, err) < 0)
		return -1;
	*rec->ext = xgrowarray(*rec->ext, *rec->next, &rec->cap, 4,
	    sizeof(**rec->ext));
	e = &(*rec->ext)[(*rec->next)++];
	e->name = xstrndup(name, namelen);
	e->value = xstrndup(value, valuelen);
	return 0;
}

/* One field: NAME=VALUE, the required one (once) or an extension. */
static int
ststxt_field(const char *s, size_t len, struct ststxt_rec *rec,
    struct buf *err)
{
	const char *eq = memchr(s, '=', len);
	size_t namelen;

	if (eq == NULL) {
		buf_printf(err, "field \"%.*s\": not NAME=VALUE", (int)len, s);
		return -1;
	}
	namelen = (size_t)(eq - s);
	if (!ststxt_name_valid(s, namelen)) {
		buf_printf(err, "field \"%.*s\": name \"%.*s\" is not a letter "
		    "or digit followed by up to %d letters, digits, \"_\", "
		    "\"-\" or \".\"", (int)len, s, (int)namelen, s,
		    STSTXT_EXT_NAME_MAX - 1);
		return -1;
	}
	if (!ststxt_eq(s, namelen, rec->required))
		return ststxt_add_ext(rec, s, namelen, eq + 1,
		    len - namelen - 1, err);
	if (rec->seen++) {
		buf_printf(err, "%s given twice", rec->required);
		return -1;
	}
	return rec->value(rec->ctx, eq + 1, len - namelen - 1, err);
}

/*
 * Checks the version tag, then each field, in order.  Fields are
 * separated by ";" with optional white space around it; one ";" may end
 * the record.
 */
static int
ststxt_scan(const char *txt, size_t len, struct ststxt_rec *rec,
    struct buf *err)
{
	const char *version = rec->version;
	size_t pos, start, end;

	if (ststxt_check_bytes(txt, len, err) < 0)
		return -1;
	if (!ststxt_is_kind(txt, len, version)) {
		buf_printf(err, "not a \"%s\" record", version);
		return -1;
	}
	pos = strlen(version);
	while (pos < len && ststxt_is_wsp((unsigned char)txt[pos]))
		pos++;
	if (pos < len && txt[pos] != ';') {
		buf_printf(err, "expected \";\" after \"%s\"", version);
		return -1;
	}
	while (pos < len) {
		pos++;			/* the ";" */
		while (pos < len && ststxt_is_wsp((unsigned char)txt[pos]))
			pos++;
		if (pos == len)
			break;
		if (txt[pos] == ';') {
			buf_puts(err, "empty field between \";\"");
			return -1;
		}
		start = pos;
		while (pos < len && txt[pos] != ';')
			pos++;
		end = pos;
		while (ststxt_is_wsp((unsigned char)txt[end - 1]))
			end--;
		if (ststxt_field(txt + start, end - start, rec, err) < 0)
			return -1;
	}
	return 0;
}

/* A record, which must have its required field. */
static int
ststxt_parse(const char *txt, size_t len, struct ststxt_rec *rec,
    struct buf *err)
{
	if (ststxt_scan(txt, len, rec, err) < 0)
		return -1;
	if (!rec->seen) {
		buf_printf(err, "no %s field", rec->required);
		return -1;
	}
	return 0;
}

static void
ststxt_render_exts(const struct ststxt_ext *ext, size_t next, struct buf *out)
{
	size_t i;

	for (i = 0; i < next; i++)
		buf_printf(out, " %s=%s;", ext[i].name, ext[i].value);
}

void
ststxt_free_exts(struct ststxt_ext *ext, size_t next)
{
	size_t i;

	for (i = 0; i < next; i++) {
		free(ext[i].name);
		free(ext[i].value);
	}
	free(ext);
}

/*
 * MTA-STS: "v=STSv1; id=...;"
 */
int
ststxt_is_sts(const char *txt, size_t len)
{
	return ststxt_is_kind(txt, len, STSTXT_STS_VERSION);
}

/* id: 1 to STSTXT_ID_MAX letters and digits. */
static int
ststxt_sts_id(void *vr, const char *value, size_t len, struct buf *err)
{
	struct ststxt_sts *r = vr;
	size_t i;

	for (i = 0; i < len; i++)
		if (!ascii_is_alnum((unsigned char)value[i]))
			break;
	if (len == 0 || len > STSTXT_ID_MAX || i < len) {
		buf_printf(err, "id \"%.*s\": must be 1 to %d letters and "
		    "digits", (int)len, value, STSTXT_ID_MAX);
		return -1;
	}
	memcpy(r->id, value, len);
	r->id[len] = '\0';
	return 0;
}

int
ststxt_sts_parse(const char *txt, size_t len, struct ststxt_sts **out,
    struct buf *err)
{
	struct ststxt_sts *r = xcalloc(1, sizeof(*r));
	struct ststxt_rec rec = { STSTXT_STS_VERSION, "id", ststxt_sts_id, r,
	    &r->ext, &r->next, 0, 0 };

	*out = NULL;
	if (ststxt_parse(txt, len, &rec, err) < 0) {
		ststxt_sts_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void
ststxt_sts_render(const struct ststxt_sts *r, struct buf *out)
{
	buf_printf(out, STSTXT_STS_VERSION "; id=%s;", r->id);
	ststxt_render_exts(r->ext, r->next, out);
}

void
ststxt_sts_free(struct ststxt_sts *r)
{
	if (r == NULL)
		return;
	ststxt_free_exts(r->ext, r->next);
	free(r);
}

/*
 * TLS-RPT: "v=TLSRPTv1; rua=mailto:...,https://...;"
 */
int
ststxt_is_tlsrpt(const char *txt, size_t len)
{
	return ststxt_is_kind(txt, len, STSTXT_TLSRPT_VERSION);
}

/* The characters after "scheme:"; 0 or -1 with the cause in err. */
static int
ststxt_uri_chars(const char *s, size_t len, struct buf *err)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= len ||
			    !ascii_is_hex((unsigned char)s[i + 1]) ||
			    !ascii_is_hex((unsigned char)s[i + 2])) {
				buf_puts(err, "\"%\" not followed by two hex "
				    "digits");
				return -1;
			}
			i += 2;
		} else if (c == '!') {
			buf_puts(err, "\"!\" must be percent-encoded");
			return -1;
		} else if (ststxt_is_wsp(c)) {
			buf_puts(err, "white space inside");
			return -1;
		} else if (!ststxt_is_uri_char(c)) {
			buf_printf(err, "bad character \"%c\"", c);
			return -1;
		}
	}
	return 0;
}

/* What follows "mailto:" or "https:". */
static int
ststxt_uri_target(enum ststxt_uri_scheme scheme, const char *s, size_t len,
    struct buf *err)
{
	const char *end, *at;

	if (scheme == STSTXT_URI_MAILTO) {
		end = memchr(s, '?', len);
		len = end ? (size_t)(end - s) : len;
		at = memchr(s, '@', len);
		if (at == NULL || at == s || at == s + len - 1) {
			buf_puts(err, "no address local@domain");
			return -1;
		}
	} else if (scheme == STSTXT_URI_HTTPS) {
		if (len < 3 || s[0] != '/' || s[1] != '/' ||
		    strchr("/?#", s[2]) != NULL) {
			buf_puts(err, "no host (https://HOST/...)");
			return -1;
		}
	}
	return 0;
}

/* One rua URI: scheme ":" rest. */
static int
ststxt_uri_parse(const char *s, size_t len, enum ststxt_uri_scheme *scheme,
    struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t i;

	for (i = 0; i < len && s[i] != ':'; i++)
		if (!(i == 0 ? ascii_is_alpha((unsigned char)s[i]) :
		    ascii_is_alnum((unsigned char)s[i]) ||
		    strchr("+-.", s[i]) != NULL))
			break;
	if (i == 0 || i == len || s[i] != ':') {
		buf_puts(&why, "no scheme (mailto: or https:)");
		goto bad;
	}
	if (ststxt_caseeq(s, i, "mailto"))
		*scheme = STSTXT_URI_MAILTO;
	else if (ststxt_caseeq(s, i, "https"))
		*scheme = STSTXT_URI_HTTPS;
	else
		*scheme = STSTXT_URI_OTHER;
	if (ststxt_uri_chars(s + i + 1, len - i - 1, &why) < 0 ||
	    ststxt_uri_target(*scheme, s + i + 1, len - i - 1, &why) < 0)
		goto bad;
	return 0;

bad:
	buf_printf(err, "rua URI \"%.*s\": %s", (int)len, s, why.s);
	buf_free(&why);
	return -1;
}

static void
ststxt_add_uri(struct ststxt_tlsrpt_ctx *ctx, const char *s, size_t len,
    enum ststxt_uri_scheme scheme)
{
	struct ststxt_tlsrpt *r = ctx->r;

	r->rua = xgrowarray(r->rua, r->nrua, &ctx->ruacap, 4, sizeof(*r->rua));
	r->rua[r->nrua].uri = xstrndup(s, len);
	r->rua[r->nrua].scheme = scheme;
	r->nrua++;
}

/* URI *(*WSP "," *WSP URI); the value has no white space at its ends. */
static int
ststxt_rua_parse(void *vctx, const char *v, size_t len, struct buf *err)
{
	struct ststxt_tlsrpt_ctx *ctx = vctx;
	enum ststxt_uri_scheme scheme;
	size_t pos = 0, start, end;

	for (;;) {
		while (pos < len && ststxt_is_wsp((unsigned char)v[pos]))
			pos++;
		start = pos;
		while (pos < len && v[pos] != ',')
			pos++;
		end = pos;
		while (end > start && ststxt_is_wsp((unsigned char)v[end - 1]))
			end--;
		if (end == start) {
			buf_puts(err, "rua: empty URI");
			return -1;
		}
		if (ststxt_uri_parse(v + start, end - start, &scheme, err) < 0)
			return -1;
		ststxt_add_uri(ctx, v + start, end - start, scheme);
		if (pos == len)
			return 0;
		pos++;			/* the "," */
	}
}

int
ststxt_tlsrpt_parse(const char *txt, size_t len, struct ststxt_tlsrpt **out,
    struct buf *err)
{
	struct ststxt_tlsrpt_ctx ctx = { xcalloc(1, sizeof(*ctx.r)), 0 };
	struct ststxt_rec rec = { STSTXT_TLSRPT_VERSION, "rua",
	    ststxt_rua_parse, &ctx, &ctx.r->ext, &ctx.r->next, 0, 0 };

	*out = NULL;
	if (ststxt_parse(txt, len, &rec, err) < 0) {
		ststxt_tlsrpt_free(ctx.r);
		return -1;
	}
	*out = ctx.r;
	return 0;
}

void
ststxt_tlsrpt_render(const struct ststxt_tlsrpt *r, struct buf *out)
{
	size_t i;

	buf_puts(out, STSTXT_TLSRPT_VERSION "; rua=");
	for (i = 0; i < r->nrua; i++)
		buf_printf(out, "%s%s", i ? "," : "", r->rua[i].uri);
	buf_putc(out, ';');
	ststxt_render_exts(r->ext, r->next, out);
}

void
ststxt_tlsrpt_free(struct ststxt_tlsrpt *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nrua; i++)
		free(r->rua[i].uri);
	free(r->rua);
	ststxt_free_exts(r->ext, r->next);
	free(r);
}

/*
 * The rua of a hosted domain.
 */

/* Appends uri to the list in b when it is valid; -1 with the cause. */
static int
ststxt_rua_add(struct buf *b, const char *param, const char *uri,
    struct buf *err)
{
	enum ststxt_uri_scheme scheme;
	struct buf why = BUF_INIT;

	if (ststxt_uri_parse(uri, strlen(uri), &scheme, &why) < 0) {
		buf_printf(err, "parameter %s: %s", param, why.s);
		buf_free(&why);
		return -1;
	}
	if (b->len + 1 + strlen(uri) + sizeof(STSTXT_TLSRPT_VERSION "; rua=;") >
	    STSTXT_SIZE_MAX) {
		buf_printf(err, "parameter %s: the rua would exceed %d bytes",
		    param, STSTXT_SIZE_MAX);
		return -1;
	}
	buf_printf(b, "%s%s", b->len ? "," : "", uri);
	return 0;
}

char *
ststxt_rua_make(char *const *addrs, const char *https_path,
    const char *domain, struct buf *err)
{
	struct buf b = BUF_INIT;
	char *const *a;
	char *uri;
	int rc = 0;

	for (a = addrs; rc == 0 && a && *a; a++) {
		if (strchr(*a, '*') != NULL || strchr(*a, '@') == NULL)
			continue;
		uri = xasprintf("mailto:%s", *a);
		rc = ststxt_rua_add(&b, "report_recipients", uri, err);
		free(uri);
	}
	if (rc == 0 && https_path != NULL && *https_path != '\0') {
		if (*https_path != '/') {
			buf_printf(err, "parameter report_https_path: \"%s\":"
			    " must start with /", https_path);
			rc = -1;
		} else {
			uri = xasprintf("https://mta-sts.%s%s", domain,
			    https_path);
			rc = ststxt_rua_add(&b, "report_https_path", uri, err);
			free(uri);
		}
	}
	if (rc == 0 && b.len == 0) {
		buf_puts(err, "parameter report_recipients: no address without"
		    " a wildcard to publish as rua");
		rc = -1;
	}
	if (rc < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

char *
ststxt_rua_for(const char *domain, struct buf *err)
{
	return ststxt_rua_make(var_report_recipients,
	    var_report_https_rua ? var_report_https_path : NULL,
	    domain, err);
}
