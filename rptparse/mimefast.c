/*
 * mimefast - the common shape of a report mail, read without GMime
 * (see mimefast.h).
 * SPDX-License-Identifier: ISC
 *
 * Every rule here refuses what it does not know for certain, so that
 * whatever it accepts GMime reads the same way: line ends all CR LF or
 * all LF, one header block of "Name: value" lines (folded lines
 * joined), a multipart (not digest) Content-Type with a plain boundary
 * parameter, parts that are leaves (no multipart or message inside),
 * delimiter lines that are exactly "--boundary" or "--boundary--"
 * (trailing blanks allowed), a closing delimiter, parameters without
 * RFC 2231 or RFC 2047 encodings, a From of one plain mailbox, and
 * base64 bodies of base64 characters and line ends only, padded right.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mimefast.h"

/* The parameters of a Content-Type or Content-Disposition value. */
struct mimefast_params {
	char	 boundary[MIMEFAST_TOKEN_MAX + 1];
	char	 name[MIMEFAST_NAME_MAX + 1];		/* name= */
	char	 filename[MIMEFAST_NAME_MAX + 1];	/* filename= */
	int	 nboundary, nname, nfilename;
};

/* One line of data from p: its end (before CR LF or LF) and the next. */
static const char *
mimefast_line(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (nl == NULL) {
		*next = end;
		return end;
	}
	*next = nl + 1;
	return nl > p && nl[-1] == '\r' ? nl - 1 : nl;
}

static int
mimefast_tspecial(int c)
{
	return strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

static int
mimefast_token_char(int c)
{
	return c > ' ' && c < 0x7f && !mimefast_tspecial(c);
}

static const char *
mimefast_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A token at p into out (size n); NULL when none or too long. */
static const char *
mimefast_token(const char *p, char *out, size_t n)
{
	size_t k = 0;

	while (mimefast_token_char((unsigned char)p[k])) {
		if (k + 1 >= n)
			return NULL;
		out[k] = p[k];
		k++;
	}
	if (k == 0)
		return NULL;
	out[k] = '\0';
	return p + k;
}

/* A parameter value (token or plain quoted string) into out. */
static const char *
mimefast_value(const char *p, char *out, size_t n)
{
	size_t k = 0;

	if (*p != '"')
		return mimefast_token(p, out, n);
	for (p++; *p != '"'; p++) {
		/* Escapes and line ends: GMime's business. */
		if (*p == '\0' || *p == '\\' || *p == '\r' || *p == '\n' ||
		    (unsigned char)*p >= 0x7f || k + 1 >= n)
			return NULL;
		out[k++] = *p;
	}
	out[k] = '\0';
	return p + 1;
}

/* ";" attribute "=" value, ... up to the end of the value. */
static int
mimefast_params(const char *p, struct mimefast_params *pr)
{
	char attr[MIMEFAST_TOKEN_MAX + 1], val[MIMEFAST_NAME_MAX + 1];

	for (;;) {
		p = mimefast_skip_ws(p);
		if (*p == '\0')
			return 0;
		if (*p++ != ';')
			return -1;
		p = mimefast_skip_ws(p);
		if (*p == '\0')
			return 0;
		if ((p = mimefast_token(p, attr, sizeof(attr))) == NULL ||
		    strchr(attr, '*') != NULL)
			return -1;
		p = mimefast_skip_ws(p);
		if (*p++ != '=')
			return -1;
		p = mimefast_skip_ws(p);
		if ((p = mimefast_value(p, val, sizeof(val))) == NULL ||
		    strstr(val, "=?") != NULL)
			return -1;
		/* Twice: which one wins is GMime's business. */
		if (strcasecmp(attr, "boundary") == 0) {
			if (pr->nboundary++ > 0 ||
			    strlen(val) >= sizeof(pr->boundary))
				return -1;
			memcpy(pr->boundary, val, strlen(val) + 1);
		} else if (strcasecmp(attr, "name") == 0) {
			if (pr->nname++ > 0)
				return -1;
			memcpy(pr->name, val, strlen(val) + 1);
		} else if (strcasecmp(attr, "filename") == 0) {
			if (pr->nfilename++ > 0)
				return -1;
			memcpy(pr->filename, val, strlen(val) + 1);
		}
	}
}

/* "type/subtype" and its parameters, lower case only. */
static int
mimefast_content_type(const char *v, char *type, char *sub,
    struct mimefast_params *pr)
{
	const char *p = mimefast_skip_ws(v), *q;

	if ((p = mimefast_token(p, type, MIMEFAST_TOKEN_MAX + 1)) == NULL ||
	    *p++ != '/' ||
	    (p = mimefast_token(p, sub, MIMEFAST_TOKEN_MAX + 1)) == NULL)
		return -1;
	/* GMime keeps the case a sender wrote: do not guess it here. */
	for (q = type; *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'Z')
			return -1;
	for (q = sub; *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'Z')
			return -1;
	return mimefast_params(p, pr);
}

/* The value of a header line (from its colon), folded lines joined. */
static int
mimefast_unfold(const char *p, const char *end, char *out, int *count)
{
	const char *eol, *next;
	size_t k = 0, n;

	if ((*count)++ > 0)
		return -1;		/* twice: which one wins is GMime's */
	for (;;) {
		eol = mimefast_line(p, end, &next);
		n = (size_t)(eol - p);
		if (k + n + 1 > MIMEFAST_HEADER_MAX ||
		    memchr(p, '\0', n) != NULL)
			return -1;
		memcpy(out + k, p, n);
		k += n;
		if (next >= end || (*next != ' ' && *next != '\t'))
			break;
		p = next;
	}
	out[k] = '\0';
	return 0;
}

/*
 * A header block from *pp: the fields of h, *pp after the blank line
 * that ends it.  Other fields are skipped, but must be well formed.
 */
static int
mimefast_headers(const char **pp, const char *end, struct mimefast_headers *h)
{
	const char *p = *pp, *eol, *next, *colon;
	size_t n;
	int rc;

	h->ntype = h->ndisp = h->ncte = h->nfrom = h->nversion = 0;
	for (;;) {
		if (p >= end)
			return -1;	/* no body */
		eol = mimefast_line(p, end, &next);
		if (eol == p)
			break;
		if (*p == ' ' || *p == '\t' ||
		    memchr(p, '\0', (size_t)(eol - p)) != NULL)
			return -1;	/* folded line without a field, NUL */
		for (colon = p; colon < eol && mimefast_token_char(
		    (unsigned char)*colon) && *colon != ':'; colon++)
			;
		if (colon == p || colon == eol || *colon != ':')
			return -1;
		n = (size_t)(colon - p);
		rc = 0;
#define MIMEFAST_IS(s)	(n == sizeof(s) - 1 && strncasecmp(p, s, n) == 0)
		if (MIMEFAST_IS("Content-Type"))
			rc = mimefast_unfold(colon + 1, end, h->type, &h->ntype);
		else if (MIMEFAST_IS("Content-Disposition"))
			rc = mimefast_unfold(colon + 1, end, h->disp, &h->ndisp);
		else if (MIMEFAST_IS("Content-Transfer-Encoding"))
			rc = mimefast_unfold(colon + 1, end, h->cte, &h->ncte);
		else if (MIMEFAST_IS("From"))
			rc = mimefast_unfold(colon + 1, end, h->from, &h->nfrom);
		else if (MIMEFAST_IS("MIME-Version"))
			h->nversion++;
#undef MIMEFAST_IS
		if (rc < 0)
			return -1;
		/* Past the folded lines of this field. */
		do {
			p = next;
			if (p >= end)
				return -1;
			eol = mimefast_line(p, end, &next);
		} while ((*p == ' ' || *p == '\t') &&
		    memchr(p, '\0', (size_t)(eol - p)) == NULL);
	}
	*pp = next;
	return 0;
}

/* The address of a From: "addr", "<addr>" or "Name <addr>". */
static int
mimefast_from(const char *v, struct mimefast *mf)
{
	const char *p = mimefast_skip_ws(v), *lt, *gt, *at, *q;
	int quoted = 0;

	if (*p == '\0')
		return -1;
	if ((lt = strchr(p, '<')) != NULL) {
		/* The display name: plain words, or one quoted string. */
		for (q = p; q < lt; q++) {
			if (*q == '"')
				quoted = !quoted;
			else if (*q == '\\' || (unsigned char)*q >= 0x7f ||
			    (!quoted && strchr("()<>@,;:[].", *q) != NULL) ||
			    (unsigned char)*q < ' ')
				return -1;
		}
		if (quoted || (gt = strchr(lt, '>')) == NULL ||
		    *mimefast_skip_ws(gt + 1) != '\0')
			return -1;
		p = lt + 1;
	} else {
		gt = p + strcspn(p, " \t");
		if (*mimefast_skip_ws(gt) != '\0')
			return -1;
	}
	/* local@domain, dot-atoms of plain characters. */
	if ((at = memchr(p, '@', (size_t)(gt - p))) == NULL || at == p ||
	    at + 1 == gt)
		return -1;
	for (q = p; q < gt; q++) {
		if (q == at)
			continue;
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || *q == '.' || *q == '-' ||
		    (q < at && strchr("_+=", *q) != NULL)))
			return -1;
		if (*q == '.' && (q == p || q == at + 1 || q + 1 == gt ||
		    q[1] == '.' || q[1] == '@' || q[-1] == '@'))
			return -1;
	}
	if ((size_t)(gt - p) > MIMEFAST_NAME_MAX)
		return -1;
	memcpy(mf->from, p, (size_t)(gt - p));
	mf->from[gt - p] = '\0';
	mf->has_from = 1;
	return 0;
}

static int
mimefast_cte(const struct mimefast_headers *h, int *base64)
{
	char tok[MIMEFAST_TOKEN_MAX + 1];
	const char *p;

	*base64 = 0;
	if (h->ncte == 0)
		return 0;
	if ((p = mimefast_token(mimefast_skip_ws(h->cte), tok,
	    sizeof(tok))) == NULL || *mimefast_skip_ws(p) != '\0')
		return -1;
	if (strcasecmp(tok, "base64") == 0)
		*base64 = 1;
	else if (strcasecmp(tok, "7bit") != 0 && strcasecmp(tok, "8bit") != 0 &&
	    strcasecmp(tok, "binary") != 0)
		return -1;
	return 0;
}

/* 1 when the line is the delimiter: 1 "--b", 2 "--b--", -1 "--b..." */
static int
mimefast_delimiter(const char *p, const char *eol, const char *b, size_t blen)
{
	const char *q;
	int kind = 1;

	if ((size_t)(eol - p) < blen + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, b, blen) != 0)
		return 0;
	q = p + 2 + blen;
	if (eol - q >= 2 && q[0] == '-' && q[1] == '-') {
		kind = 2;
		q += 2;
	}
	while (q < eol && (*q == ' ' || *q == '\t'))
		q++;
	return q == eol ? kind : -1;
}

/* Content-Disposition: its filename, if any, as the part's name. */
static int
mimefast_disposition(const char *v, struct mimefast_part *part)
{
	struct mimefast_params dp;
	char tok[MIMEFAST_TOKEN_MAX + 1];
	const char *p;

	memset(&dp, 0, sizeof(dp));
	if ((p = mimefast_token(mimefast_skip_ws(v), tok, sizeof(tok))) ==
	    NULL || mimefast_params(p, &dp) < 0)
		return -1;
	if (dp.nfilename > 0) {
		memcpy(part->name, dp.filename, sizeof(part->name));
		part->has_name = 1;
	}
	return 0;
}

/* One part between two delimiters: its headers and its body. */
static int
mimefast_part(const char *p, const char *end, struct mimefast *mf)
{
	struct mimefast_headers *h = &mf->scratch;
	struct mimefast_params pr;
	struct mimefast_part *part;

	if (mf->nparts == MIMEFAST_PARTS_MAX)
		return -1;
	part = &mf->parts[mf->nparts++];
	memset(part, 0, sizeof(*part));
	memset(&pr, 0, sizeof(pr));
	if (mimefast_headers(&p, end, h) < 0)
		return -1;
	/* No Content-Type: text/plain, as in any multipart but digest. */
	if (h->ntype == 0) {
		strcpy(part->type, "text");
		strcpy(part->sub, "plain");
	} else if (mimefast_content_type(h->type, part->type, part->sub,
	    &pr) < 0 || strcmp(part->type, "multipart") == 0 ||
	    strcmp(part->type, "message") == 0)
		return -1;
	/* The name: Content-Disposition's filename, else Content-Type's. */
	if (h->ndisp > 0 && mimefast_disposition(h->disp, part) < 0)
		return -1;
	if (!part->has_name && pr.nname > 0) {
		memcpy(part->name, pr.name, sizeof(part->name));
		part->has_name = 1;
	}
	if (mimefast_cte(h, &part->base64) < 0)
		return -1;
	part->body = p;
	part->len = (size_t)(end - p);
	return 0;
}

/*
 * 1 when every line ends the same way, all CR LF or all LF, and no CR
 * stands alone: GMime reads mixed line ends by rules of its own (it
 * takes a CR LF before a delimiter for granted, whatever is there).
 */
static int
mimefast_line_ends(const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;
	int crlf = -1, this;

	if (memchr(data, '\r', len) == NULL)
		return 1;
	for (; (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
		this = nl > p && nl[-1] == '\r';
		if (crlf >= 0 && this != crlf)
			return 0;
		crlf = this;
		if (memchr(p, '\r', (size_t)(nl - p) - (size_t)this) != NULL)
			return 0;
	}
	return memchr(p, '\r', (size_t)(end - p)) == NULL;
}

int
mimefast_parse(const char *data, size_t len, struct mimefast *mf)
{
	const char *end = data + len, *p = data, *eol, *next;
	const char *start = NULL, *prev_end = NULL;
	struct mimefast_headers *h = &mf->scratch;
	struct mimefast_params pr;
	char type[MIMEFAST_TOKEN_MAX + 1], sub[MIMEFAST_TOKEN_MAX + 1];
	size_t blen;
	int base64, kind;

	mf->nparts = 0;
	mf->has_from = 0;
	memset(&pr, 0, sizeof(pr));
	if (!mimefast_line_ends(data, len) ||
	    mimefast_headers(&p, end, h) < 0 || h->nversion != 1 ||
	    h->ntype != 1 ||
	    mimefast_content_type(h->type, type, sub, &pr) < 0 ||
	    strcmp(type, "multipart") != 0 || strcmp(sub, "digest") == 0 ||
	    pr.nboundary != 1 || pr.boundary[0] == '\0' ||
	    mimefast_cte(h, &base64) < 0 || base64 ||
	    h->nfrom > 1 || (h->nfrom == 1 && mimefast_from(h->from, mf) < 0))
		return -1;
	blen = strlen(pr.boundary);
	for (; p < end; p = next) {
		eol = mimefast_line(p, end, &next);
		if ((kind = mimefast_delimiter(p, eol, pr.boundary, blen)) == 0)
			continue;
		if (kind < 0)
			return -1;
		/* The line end before a delimiter belongs to it. */
		if (start != NULL) {
			prev_end = p;
			if (prev_end > start && prev_end[-1] == '\n')
				prev_end--;
			if (prev_end > start && prev_end[-1] == '\r')
				prev_end--;
			if (mimefast_part(start, prev_end, mf) < 0)
				return -1;
		}
		if (kind == 2)
			return mf->nparts > 0 ? 0 : -1;
		start = next;
	}
	return -1;		/* no closing delimiter */
}

/* base64 of plain lines, padded right, into out; -1: anything else. */
int
mimefast_base64(const char *p, size_t len, struct buf *out)
{
	static signed char val[256];
	static int ready;
	const unsigned char *s = (const unsigned char *)p, *end = s + len;
	uint32_t acc = 0;
	size_t n = 0, pad = 0, i;
	unsigned char *o;

	if (!ready) {
		memset(val, -1, sizeof(val));
		for (i = 0; i < 64; i++)
			val[(unsigned char)
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789+/"[i]] = (signed char)i;
		ready = 1;
	}
	buf_reserve(out, len / 4 * 3 + 3);
	o = (unsigned char *)out->s + out->len;
	for (; s < end; s++) {
		if (*s == '\r' || *s == '\n')
			continue;
		if (*s == '=') {
			if (++pad > 2)
				return -1;
			acc <<= 6;
			n++;
			continue;
		}
		if (val[*s] < 0 || pad > 0)
			return -1;
		acc = acc << 6 | (uint32_t)val[*s];
		if (++n % 4 == 0) {
			*o++ = (unsigned char)(acc >> 16);
			*o++ = (unsigned char)(acc >> 8);
			*o++ = (unsigned char)acc;
			acc = 0;
		}
	}
	if (n % 4 != 0)
		return -1;
	if (pad > 0) {
		/* The last group: its 2 or 1 bytes, not 3. */
		*o++ = (unsigned char)(acc >> 16);
		if (pad == 1)
			*o++ = (unsigned char)(acc >> 8);
	}
	out->len = (size_t)((char *)o - out->s);
	out->s[out->len] = '\0';
	return 0;
}
