/*
 * ststxt - parse and render the MTA-STS (RFC 8461 section 3.1) and
 * TLS-RPT (RFC 8460 section 3) TXT records; see ststxt.h.
 * SPDX-License-Identifier: ISC
 *
 * Both records share one tokenizer, ststxt_scan(): the version tag,
 * then NAME=VALUE fields separated by ";".  Each record type only says
 * what its fields mean.  Pure functions: no I/O, input bounded by
 * STSTXT_SIZE_MAX before anything is allocated.  The rua of a hosted
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

/* Called once per field; returns 0, or -1 with the cause in err. */
typedef int (*ststxt_field_fn)(const char *name, size_t namelen,
    const char *value, size_t valuelen, void *ctx, struct buf *err);

/* Extension fields while a record is parsed. */
struct ststxt_exts {
	struct ststxt_ext **ext;
	size_t	*next;
	size_t	 cap;
};

struct ststxt_sts_ctx {
	struct ststxt_sts *r;
	struct ststxt_exts exts;
	int	 seen_id;
};

struct ststxt_tlsrpt_ctx {
	struct ststxt_tlsrpt *r;
	struct ststxt_exts exts;
	size_t	 ruacap;
	int	 seen_rua;
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

/* One field: NAME=VALUE, handed to fn. */
static int
ststxt_field(const char *s, size_t len, ststxt_field_fn fn, void *ctx,
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
	return fn(s, namelen, eq + 1, len - namelen - 1, ctx, err);
}

/*
 * Checks the version tag, then calls fn for each field, in order.
 * Fields are separated by ";" with optional white space around it; one
 * ";" may end the record.
 */
static int
ststxt_scan(const char *txt, size_t len, const char *version,
    ststxt_field_fn fn, void *ctx, struct buf *err)
{
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
		if (ststxt_field(txt + start, end - start, fn, ctx, err) < 0)
			return -1;
	}
	return 0;
}

/* A record of the field handler fn, which must have its required field. */
static int
ststxt_parse(const char *txt, size_t len, const char *version,
    ststxt_field_fn fn, void *ctx, const int *seen, const char *required,
    struct buf *err)
{
	if (ststxt_scan(txt, len, version, fn, ctx, err) < 0)
		return -1;
	if (!*seen) {
		buf_printf(err, "no %s field", required);
		return -1;
	}
	return 0;
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
ststxt_add_ext(struct ststxt_exts *x, const char *name, size_t namelen,
    const char *value, size_t valuelen, struct buf *err)
{
	struct ststxt_ext *e;

	if (ststxt_ext_value_valid(name, namelen, value, valuelen, err) < 0)
		return -1;
	if (*x->next == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 4;
		*x->ext = xreallocarray(*x->ext, x->cap, sizeof(**x->ext));
	}
	e = &(*x->ext)[(*x->next)++];
	e->name = xstrndup(name, namelen);
	e->value = xstrndup(value, valuelen);
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

static int
ststxt_sts_field(const char *name, size_t namelen, const char *value,
    size_t valuelen, void *vctx, struct buf *err)
{
	struct ststxt_sts_ctx *ctx = vctx;
	size_t i;

	if (!ststxt_eq(name, namelen, "id"))
		return ststxt_add_ext(&ctx->exts, name, namelen, value,
		    valuelen, err);
	if (ctx->seen_id++) {
		buf_puts(err, "id given twice");
		return -1;
	}
	for (i = 0; i < valuelen; i++)
		if (!ascii_is_alnum((unsigned char)value[i]))
			break;
	if (valuelen == 0 || valuelen > STSTXT_ID_MAX || i < valuelen) {
		buf_printf(err, "id \"%.*s\": must be 1 to %d letters and "
		    "digits", (int)valuelen, value, STSTXT_ID_MAX);
		return -1;
	}
	memcpy(ctx->r->id, value, valuelen);
	ctx->r->id[valuelen] = '\0';
	return 0;
}

int
ststxt_sts_parse(const char *txt, size_t len, struct ststxt_sts **out,
    struct buf *err)
{
	struct ststxt_sts_ctx ctx;

	*out = NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.r = xcalloc(1, sizeof(*ctx.r));
	ctx.exts.ext = &ctx.r->ext;
	ctx.exts.next = &ctx.r->next;
	if (ststxt_parse(txt, len, STSTXT_STS_VERSION, ststxt_sts_field, &ctx,
	    &ctx.seen_id, "id", err) < 0) {
		ststxt_sts_free(ctx.r);
		return -1;
	}
	*out = ctx.r;
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

	if (r->nrua == ctx->ruacap) {
		ctx->ruacap = ctx->ruacap ? ctx->ruacap * 2 : 4;
		r->rua = xreallocarray(r->rua, ctx->ruacap, sizeof(*r->rua));
	}
	r->rua[r->nrua].uri = xstrndup(s, len);
	r->rua[r->nrua].scheme = scheme;
	r->nrua++;
}

/* URI *(*WSP "," *WSP URI); the value has no white space at its ends. */
static int
ststxt_rua_parse(struct ststxt_tlsrpt_ctx *ctx, const char *v, size_t len,
    struct buf *err)
{
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

static int
ststxt_tlsrpt_field(const char *name, size_t namelen, const char *value,
    size_t valuelen, void *vctx, struct buf *err)
{
	struct ststxt_tlsrpt_ctx *ctx = vctx;

	if (!ststxt_eq(name, namelen, "rua"))
		return ststxt_add_ext(&ctx->exts, name, namelen, value,
		    valuelen, err);
	if (ctx->seen_rua++) {
		buf_puts(err, "rua given twice");
		return -1;
	}
	return ststxt_rua_parse(ctx, value, valuelen, err);
}

int
ststxt_tlsrpt_parse(const char *txt, size_t len, struct ststxt_tlsrpt **out,
    struct buf *err)
{
	struct ststxt_tlsrpt_ctx ctx;

	*out = NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.r = xcalloc(1, sizeof(*ctx.r));
	ctx.exts.ext = &ctx.r->ext;
	ctx.exts.next = &ctx.r->next;
	if (ststxt_parse(txt, len, STSTXT_TLSRPT_VERSION, ststxt_tlsrpt_field,
	    &ctx, &ctx.seen_rua, "rua", err) < 0) {
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
