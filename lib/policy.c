/*
 * policy - the MTA-STS policy model: parse, render, validate, match mx
 * patterns, make policy ids; see policy.h.
 * SPDX-License-Identifier: ISC
 *
 * Pure functions: no I/O, no global state.  Every input is bounded
 * (POLICY_SIZE_MAX, POLICY_LINES_MAX) before anything is allocated for
 * it, so a hostile policy costs at most a few times its size.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ascii.h"
#include "buf.h"
#include "dnsname.h"
#include "mymalloc.h"
#include "policy.h"
#include "ststxt.h"

#if POLICY_EXT_NAME_MAX != STSTXT_EXT_NAME_MAX
#error "the extension keys of a policy are checked by ststxt_name_valid()"
#endif

#define POLICY_VERSION	"STSv1"
#define POLICY_ID_OURS	20	/* YYYYMMDDHHMMSS + 6-digit counter */

static const char *const policy_mode_names[] = {
	[POLICY_MODE_TESTING] = "testing",
	[POLICY_MODE_ENFORCE] = "enforce",
	[POLICY_MODE_NONE] = "none",
};
#define POLICY_NMODES	(sizeof(policy_mode_names) / sizeof(policy_mode_names[0]))

/* One line of a policy file while it is parsed. */
struct policy_line {
	const char *key;	/* not NUL-terminated */
	size_t	 keylen;
	const char *value;	/* white space around removed */
	size_t	 valuelen;
};

/* What policy_parse has seen so far. */
struct policy_seen {
	int	 mode;
	int	 max_age;
	size_t	 mxcap;
	size_t	 extcap;
};

static int
policy_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
policy_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* Case-insensitive comparison of n bytes. */
static int
policy_ncaseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (policy_lower((unsigned char)a[i]) !=
		    policy_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/*
 * Modes.
 */
int
policy_mode_parse(const char *s, enum policy_mode *out)
{
	size_t i;

	for (i = 0; i < POLICY_NMODES; i++) {
		if (strcmp(s, policy_mode_names[i]) == 0) {
			*out = (enum policy_mode)i;
			return 0;
		}
	}
	return -1;
}

const char *
policy_mode_name(enum policy_mode mode)
{
	if ((size_t)mode >= POLICY_NMODES)
		return "(bad mode)";
	return policy_mode_names[mode];
}

/*
 * mx patterns.
 */

/* The grammar of a Domain with an optional "*." (lib/dnsname). */
int
policy_mx_valid(const char *pattern, struct buf *err)
{
	return dnsname_syntax(pattern, DNSNAME_WILDCARD, err);
}

int
policy_mx_match(const char *pattern, const char *mx_host)
{
	size_t plen = strlen(pattern), hlen = strlen(mx_host), i;

	/* Names are absolute either way: one trailing dot means nothing. */
	if (plen > 0 && pattern[plen - 1] == '.')
		plen--;
	if (hlen > 0 && mx_host[hlen - 1] == '.')
		hlen--;
	if (plen == 0 || hlen == 0)
		return 0;
	if (plen >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* "*.example.com": one more label, no dots in it. */
		const char *suffix = pattern + 1;
		size_t slen = plen - 1;

		if (hlen <= slen)
			return 0;
		if (!policy_ncaseeq(mx_host + hlen - slen, suffix, slen))
			return 0;
		for (i = 0; i < hlen - slen; i++)
			if (mx_host[i] == '.')
				return 0;
		return 1;
	}
	return plen == hlen && policy_ncaseeq(pattern, mx_host, plen);
}

/*
 * Keys and values of "key: value" lines.
 */

static int
policy_key_is(const char *key, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(key, name, len) == 0;
}

static int
policy_key_reserved(const char *key, size_t len)
{
	return policy_key_is(key, len, "version") ||
	    policy_key_is(key, len, "mode") ||
	    policy_key_is(key, len, "mx") ||
	    policy_key_is(key, len, "max_age");
}

/*
 * A value: visible characters and inner spaces (RFC 8461
 * sts-policy-ext-value, minus UTF-8).  NULL when valid, else the cause.
 */
static const char *
policy_value_check(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return "empty value";
	if (s[0] == ' ' || s[len - 1] == ' ')
		return "white space around the value";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			return c == '\t' ? "tab inside the value" :
			    "control or non-ASCII character in the value";
	}
	return NULL;
}

/* max_age: 1 to 10 digits, at most POLICY_MAX_AGE_MAX. */
static int
policy_max_age_parse(const char *s, size_t len, long long *out,
    struct buf *err)
{
	long long v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!ascii_is_digit((unsigned char)s[i])) {
			buf_printf(err, "max_age \"%.*s\": not a number of seconds",
			    (int)len, s);
			return -1;
		}
	}
	if (len > POLICY_MAX_AGE_DIGITS) {
		buf_printf(err, "max_age \"%.*s\": more than %d digits",
		    (int)len, s, POLICY_MAX_AGE_DIGITS);
		return -1;
	}
	for (i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	if (v > POLICY_MAX_AGE_MAX) {
		buf_printf(err, "max_age %lld: more than %lld seconds", v,
		    POLICY_MAX_AGE_MAX);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * Parsing.
 */

/*
 * Finds the end of the line at text[*pos]: checks its bytes, sets *end
 * to its last byte + 1 (the line end excluded) and *pos past its line
 * end.  Returns -1 with the cause in err for a bad byte.
 */
static int
policy_line_end(const char *text, size_t len, size_t *pos, size_t *end,
    struct buf *err)
{
	size_t i;

	for (i = *pos; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			*end = i;
			*pos = i + 1;
			return 0;
		}
		if (c == '\r') {
			if (i + 1 < len && text[i + 1] == '\n') {
				*end = i;
				*pos = i + 2;
				return 0;
			}
			buf_puts(err, "CR not followed by LF");
			return -1;
		}
		if (c == '\0') {
			buf_puts(err, "NUL byte");
			return -1;
		}
		if (c > 0x7e) {
			buf_printf(err, "non-ASCII byte 0x%02x", c);
			return -1;
		}
		if (c < 0x20 && c != '\t') {
			buf_printf(err, "control character 0x%02x", c);
			return -1;
		}
	}
	*end = *pos = len;
	return 0;
}

/* Splits text[start, end) into key and value. */
static int
policy_line_split(const char *s, size_t len, struct policy_line *line,
    struct buf *err)
{
	const char *colon = memchr(s, ':', len);
	const char *v, *e;

	if (len == 0) {
		buf_puts(err, "empty line");
		return -1;
	}
	if (colon == NULL) {
		buf_printf(err, "\"%.*s\": not a \"key: value\" line",
		    (int)len, s);
		return -1;
	}
	line->key = s;
	line->keylen = (size_t)(colon - s);
	if (!ststxt_name_valid(line->key, line->keylen)) {
		buf_printf(err, "key \"%.*s\": not 1 to %d letters, digits, "
		    "\"_\", \"-\" or \".\" starting with a letter or digit",
		    (int)line->keylen, line->key, POLICY_EXT_NAME_MAX);
		return -1;
	}
	v = colon + 1;
	e = s + len;
	while (v < e && policy_is_wsp((unsigned char)*v))
		v++;
	while (e > v && policy_is_wsp((unsigned char)e[-1]))
		e--;
	line->value = v;
	line->valuelen = (size_t)(e - v);
	return 0;
}

static void
policy_add_mx(struct policy *p, struct policy_seen *seen, const char *s,
    size_t len)
{
	char *mx = xstrndup(s, len);
	size_t i;

	for (i = 0; i < len; i++)
		mx[i] = (char)policy_lower((unsigned char)mx[i]);
	if (p->nmx == seen->mxcap) {
		seen->mxcap = seen->mxcap ? seen->mxcap * 2 : 4;
		p->mx = xreallocarray(p->mx, seen->mxcap, sizeof(char *));
	}
	p->mx[p->nmx++] = mx;
}

static void
policy_add_ext(struct policy *p, struct policy_seen *seen,
    const struct policy_line *line)
{
	if (p->next == seen->extcap) {
		seen->extcap = seen->extcap ? seen->extcap * 2 : 4;
		p->ext = xreallocarray(p->ext, seen->extcap,
		    sizeof(struct ststxt_ext));
	}
	p->ext[p->next].name = xstrndup(line->key, line->keylen);
	p->ext[p->next].value = xstrndup(line->value, line->valuelen);
	p->next++;
}

/* The first line: "version: STSv1" and nothing else. */
static int
policy_parse_version(const struct policy_line *line, struct buf *err)
{
	if (!policy_key_is(line->key, line->keylen, "version")) {
		buf_puts(err, "first line must be \"version: " POLICY_VERSION "\"");
		return -1;
	}
	if (line->valuelen != strlen(POLICY_VERSION) ||
	    memcmp(line->value, POLICY_VERSION, line->valuelen) != 0) {
		buf_printf(err, "version \"%.*s\": only " POLICY_VERSION
		    " is supported", (int)line->valuelen, line->value);
		return -1;
	}
	return 0;
}

/* One line after the first. */
static int
policy_parse_field(struct policy *p, struct policy_seen *seen,
    const struct policy_line *line, struct buf *err)
{
	const char *why;
	char *tmp;
	int rc;

	if ((why = policy_value_check(line->value, line->valuelen)) != NULL) {
		buf_printf(err, "key \"%.*s\": %s", (int)line->keylen,
		    line->key, why);
		return -1;
	}
	if (policy_key_is(line->key, line->keylen, "version")) {
		buf_puts(err, "version given twice");
		return -1;
	}
	if (policy_key_is(line->key, line->keylen, "mode")) {
		if (seen->mode++) {
			buf_puts(err, "mode given twice");
			return -1;
		}
		tmp = xstrndup(line->value, line->valuelen);
		rc = policy_mode_parse(tmp, &p->mode);
		free(tmp);
		if (rc < 0) {
			buf_printf(err, "mode \"%.*s\": must be testing, "
			    "enforce or none", (int)line->valuelen, line->value);
			return -1;
		}
		return 0;
	}
	if (policy_key_is(line->key, line->keylen, "mx")) {
		tmp = xstrndup(line->value, line->valuelen);
		buf_printf(err, "mx pattern \"%s\": ", tmp);
		rc = policy_mx_valid(tmp, err);
		free(tmp);
		if (rc < 0)
			return -1;
		buf_reset(err);
		policy_add_mx(p, seen, line->value, line->valuelen);
		return 0;
	}
	if (policy_key_is(line->key, line->keylen, "max_age")) {
		if (seen->max_age++) {
			buf_puts(err, "max_age given twice");
			return -1;
		}
		return policy_max_age_parse(line->value, line->valuelen,
		    &p->max_age, err);
	}
	policy_add_ext(p, seen, line);
	return 0;
}

/* Required fields, once every line is read. */
static int
policy_parse_complete(const struct policy *p, const struct policy_seen *seen,
    struct buf *err)
{
	if (!seen->mode) {
		buf_puts(err, "no mode line");
		return -1;
	}
	if (!seen->max_age) {
		buf_puts(err, "no max_age line");
		return -1;
	}
	if (p->nmx == 0 && p->mode != POLICY_MODE_NONE) {
		buf_printf(err, "mode %s needs at least one mx line",
		    policy_mode_name(p->mode));
		return -1;
	}
	return 0;
}

int
policy_parse(const char *text, size_t len, struct policy **out,
    struct buf *err)
{
	struct policy *p;
	struct policy_seen seen;
	struct policy_line line;
	struct buf why = BUF_INIT;
	size_t pos = 0, end, start;
	int num = 0;

	*out = NULL;
	if (len > POLICY_SIZE_MAX) {
		buf_printf(err, "policy is %zu bytes: more than %d allowed",
		    len, POLICY_SIZE_MAX);
		return -1;
	}
	if (len == 0) {
		buf_puts(err, "empty policy: no \"version: " POLICY_VERSION
		    "\" line");
		return -1;
	}
	p = xcalloc(1, sizeof(*p));
	memset(&seen, 0, sizeof(seen));
	while (pos < len) {
		num++;
		if (num > POLICY_LINES_MAX) {
			buf_printf(&why, "more than %d lines", POLICY_LINES_MAX);
			goto bad;
		}
		start = pos;
		memset(&line, 0, sizeof(line));
		if (policy_line_end(text, len, &pos, &end, &why) < 0 ||
		    policy_line_split(text + start, end - start, &line, &why) < 0)
			goto bad;
		if (num == 1) {
			if (policy_parse_version(&line, &why) < 0)
				goto bad;
		} else if (policy_parse_field(p, &seen, &line, &why) < 0)
			goto bad;
	}
	buf_free(&why);
	if (policy_parse_complete(p, &seen, err) < 0) {
		policy_free(p);
		return -1;
	}
	*out = p;
	return 0;

bad:
	buf_printf(err, "line %d: %s", num, why.s);
	buf_free(&why);
	policy_free(p);
	return -1;
}

/*
 * Rendering and checks.
 */
void
policy_render(const struct policy *p, struct buf *out)
{
	size_t i;

	buf_puts(out, "version: " POLICY_VERSION "\r\n");
	buf_printf(out, "mode: %s\r\n", policy_mode_name(p->mode));
	for (i = 0; i < p->nmx; i++)
		buf_printf(out, "mx: %s\r\n", p->mx[i]);
	buf_printf(out, "max_age: %lld\r\n", p->max_age);
	for (i = 0; i < p->next; i++)
		buf_printf(out, "%s: %s\r\n", p->ext[i].name, p->ext[i].value);
}

/* Pattern i of p->mx: 0, or -1 with the cause in why. */
static int
policy_validate_one_mx(const struct policy *p, size_t i, struct buf *why)
{
	const char *s = p->mx[i];
	size_t j;

	if (policy_mx_valid(s, why) < 0)
		return -1;
	for (j = 0; s[j]; j++) {
		if (policy_lower((unsigned char)s[j]) != s[j]) {
			buf_puts(why, "not in lower case");
			return -1;
		}
	}
	for (j = 0; j < i; j++) {
		if (strcmp(p->mx[j], s) == 0) {
			buf_puts(why, "given twice");
			return -1;
		}
	}
	return 0;
}

static int
policy_validate_mx(const struct policy *p, struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t i;

	if (p->nmx == 0 && p->mode != POLICY_MODE_NONE) {
		buf_printf(err, "mode %s needs at least one mx pattern",
		    policy_mode_name(p->mode));
		return -1;
	}
	for (i = 0; i < p->nmx; i++) {
		if (policy_validate_one_mx(p, i, &why) < 0) {
			buf_puts(err, "mx pattern ");
			if (policy_value_check(p->mx[i], strlen(p->mx[i])) == NULL)
				buf_printf(err, "\"%s\"", p->mx[i]);
			else
				buf_printf(err, "%zu", i + 1);
			buf_printf(err, ": %s", why.s);
			buf_free(&why);
			return -1;
		}
	}
	return 0;
}

static int
policy_validate_ext(const struct policy *p, struct buf *err)
{
	const struct ststxt_ext *e;
	const char *why;
	size_t i;

	for (i = 0; i < p->next; i++) {
		e = &p->ext[i];
		if (!ststxt_name_valid(e->name, strlen(e->name))) {
			buf_puts(err, "extension key ");
			if (policy_value_check(e->name, strlen(e->name)) == NULL)
				buf_printf(err, "\"%s\"", e->name);
			buf_printf(err, ": not 1 to %d letters, digits, \"_\", "
			    "\"-\" or \".\" starting with a letter or digit",
			    POLICY_EXT_NAME_MAX);
			return -1;
		}
		if (policy_key_reserved(e->name, strlen(e->name))) {
			buf_printf(err, "extension key \"%s\": is a policy "
			    "field", e->name);
			return -1;
		}
		if ((why = policy_value_check(e->value, strlen(e->value))) !=
		    NULL) {
			buf_printf(err, "extension \"%s\": %s", e->name, why);
			return -1;
		}
	}
	return 0;
}

int
policy_validate(const struct policy *p, struct buf *err)
{
	struct buf text = BUF_INIT;
	size_t lines;

	if ((size_t)p->mode >= POLICY_NMODES) {
		buf_printf(err, "mode %d: not a policy mode", (int)p->mode);
		return -1;
	}
	if (p->max_age < 0 || p->max_age > POLICY_MAX_AGE_MAX) {
		buf_printf(err, "max_age %lld: out of range 0..%lld",
		    p->max_age, POLICY_MAX_AGE_MAX);
		return -1;
	}
	if (policy_validate_mx(p, err) < 0 || policy_validate_ext(p, err) < 0)
		return -1;
	lines = 3 + p->nmx + p->next;
	if (lines > POLICY_LINES_MAX) {
		buf_printf(err, "policy has %zu lines: more than %d allowed",
		    lines, POLICY_LINES_MAX);
		return -1;
	}
	policy_render(p, &text);
	if (text.len > POLICY_SIZE_MAX) {
		buf_printf(err, "policy is %zu bytes: more than %d allowed",
		    text.len, POLICY_SIZE_MAX);
		buf_free(&text);
		return -1;
	}
	buf_free(&text);
	return 0;
}

int
policy_equal(const struct policy *a, const struct policy *b)
{
	size_t i;

	if (a->mode != b->mode || a->max_age != b->max_age ||
	    a->nmx != b->nmx || a->next != b->next)
		return 0;
	for (i = 0; i < a->nmx; i++)
		if (strcmp(a->mx[i], b->mx[i]) != 0)
			return 0;
	for (i = 0; i < a->next; i++)
		if (strcmp(a->ext[i].name, b->ext[i].name) != 0 ||
		    strcmp(a->ext[i].value, b->ext[i].value) != 0)
			return 0;
	return 1;
}

void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	xfreev(p->mx, p->nmx);
	ststxt_free_exts(p->ext, p->next);
	free(p);
}

/*
 * Policy ids.
 */
int
policy_id_valid(const char *id)
{
	size_t i;

	for (i = 0; id[i]; i++)
		if (i >= POLICY_ID_MAX || !ascii_is_alnum((unsigned char)id[i]))
			return 0;
	return i > 0;
}

/* 20 digits: an id made by policy_id_at. */
static int
policy_id_ours(const char *id)
{
	size_t i;

	for (i = 0; id[i]; i++)
		if (!ascii_is_digit((unsigned char)id[i]))
			return 0;
	return i == POLICY_ID_OURS;
}

/* Adds one to a string of digits; -1 when it would need one more digit. */
static int
policy_id_increment_digits(char *s)
{
	size_t i = strlen(s);

	while (i-- > 0) {
		if (s[i] != '9') {
			s[i]++;
			return 0;
		}
		s[i] = '0';
	}
	return -1;
}

/* The next character in the order 0-9 A-Z a-z; 0 after "z". */
static int
policy_id_next_char(int c)
{
	if (c == '9')
		return 'A';
	if (c == 'Z')
		return 'a';
	if (c == 'z')
		return 0;
	return c + 1;
}

/* The smallest id greater than prev, a valid id; -1 if there is none. */
static int
policy_id_after(char *out, const char *prev)
{
	size_t len = strlen(prev), i;
	int c;

	if (len < POLICY_ID_MAX) {
		memcpy(out, prev, len);
		out[len] = '0';
		out[len + 1] = '\0';
		return 0;
	}
	memcpy(out, prev, len + 1);
	for (i = len; i-- > 0;) {
		if ((c = policy_id_next_char((unsigned char)out[i])) != 0) {
			out[i] = (char)c;
			out[i + 1] = '\0';
			return 0;
		}
	}
	return -1;
}

void
policy_id_at(char out[POLICY_ID_MAX + 1], const char *previous, time_t when)
{
	char now[POLICY_ID_MAX + 1];
	struct tm tm;
	int year;

	memset(&tm, 0, sizeof(tm));
	if (gmtime_r(&when, &tm) == NULL)
		tm.tm_year = 70;
	year = tm.tm_year + 1900;
	if (year < 0)
		year = 0;
	if (year > 9999)
		year = 9999;
	snprintf(now, sizeof(now), "%04d%02d%02d%02d%02d%02d000000", year,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);

	if (previous == NULL || !policy_id_valid(previous) ||
	    strcmp(now, previous) > 0) {
		memcpy(out, now, sizeof(now));
		return;
	}
	if (policy_id_ours(previous)) {
		memcpy(out, previous, POLICY_ID_OURS + 1);
		if (policy_id_increment_digits(out) == 0)
			return;
	}
	if (policy_id_after(out, previous) == 0)
		return;
	/* previous is POLICY_ID_MAX "z": nothing is greater. */
	memcpy(out, now, sizeof(now));
}

void
policy_id_new(char out[POLICY_ID_MAX + 1], const char *previous)
{
	policy_id_at(out, previous, time(NULL));
}
