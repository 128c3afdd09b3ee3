/*
 * cfgcheck - the value parsers and the rules of the parameter table
 * (types, bounds, choices, syntaxes, users and groups); see cfgcheck.h.
 * SPDX-License-Identifier: ISC
 *
 * Touches: the user and group databases (cfg_check_lookup); nothing
 * else.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cfg.h"
#include "mymalloc.h"
#include "params.h"
#include "pubaddr.h"

#define CFG_LOCAL_MAX	64		/* bytes of the local part (RFC 5321) */

/*
 * Value parsers.
 */

struct cfg_unit {
	char	 name;
	unsigned long long mult;
};

static const struct cfg_unit cfg_time_units[] = {
	{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	{ 'w', 604800 }, { 0, 0 }
};
static const struct cfg_unit cfg_size_units[] = {
	{ 'k', 1024ULL }, { 'm', 1024ULL * 1024 }, { 'g', 1024ULL * 1024 * 1024 },
	{ 'K', 1024ULL }, { 'M', 1024ULL * 1024 }, { 'G', 1024ULL * 1024 * 1024 },
	{ 0, 0 }
};

static const struct cfg_unit cfg_no_units[] = { { 0, 0 } };

/* Starts a message about a bad value: 'bad time value "10x": '. */
static void
cfg_bad(struct buf *why, const char *what, const char *s)
{
	buf_printf(why, "bad %s value ", what);
	cfg_quote(why, s);
	buf_puts(why, ": ");
}

/* A number with an optional unit, at most max; reason in why. */
static int
cfg_parse_number(const char *s, const char *shown,
    const struct cfg_unit *units, unsigned long long max,
    unsigned long long *out, const char *what, struct buf *why)
{
	const struct cfg_unit *u;
	unsigned long long n = 0, mult = 1;
	const char *p;

	if (*s == '-' && isdigit((unsigned char)s[1])) {
		cfg_bad(why, what, shown);
		buf_puts(why, "negative");
		return -1;
	}
	if (!isdigit((unsigned char)*s)) {
		cfg_bad(why, what, shown);
		buf_puts(why, *shown ? "not a number" : "empty");
		return -1;
	}
	for (p = s; isdigit((unsigned char)*p); p++) {
		if (n > (ULLONG_MAX - (unsigned)(*p - '0')) / 10)
			goto too_large;
		n = n * 10 + (unsigned)(*p - '0');
	}
	if (*p != '\0') {
		for (u = units; u->name != 0; u++)
			if (u->name == p[0] && p[1] == '\0')
				break;
		if (u->name == 0) {
			cfg_bad(why, what, shown);
			buf_puts(why, "unknown unit ");
			if (cfg_valid_name(p, strlen(p)))
				buf_puts(why, p);
			else
				cfg_quote(why, p);
			return -1;
		}
		mult = u->mult;
	}
	if (n > max / mult)
		goto too_large;
	*out = n * mult;
	return 0;

too_large:
	cfg_bad(why, what, shown);
	buf_puts(why, "too large");
	return -1;
}

static int
cfg_time_why(const char *s, long long *out, struct buf *why)
{
	unsigned long long v;

	if (cfg_parse_number(s, s, cfg_time_units, LLONG_MAX, &v, "time", why) < 0)
		return -1;
	*out = (long long)v;
	return 0;
}

static int
cfg_size_why(const char *s, unsigned long long *out, struct buf *why)
{
	return cfg_parse_number(s, s, cfg_size_units, ULLONG_MAX, out, "size", why);
}

static int
cfg_bool_why(const char *s, int *out, struct buf *why)
{
	if (strcmp(s, "yes") == 0)
		*out = 1;
	else if (strcmp(s, "no") == 0)
		*out = 0;
	else {
		cfg_bad(why, "boolean", s);
		buf_puts(why, "use yes or no");
		return -1;
	}
	return 0;
}

static int
cfg_int_why(const char *s, long long *out, struct buf *why)
{
	unsigned long long v, max = LLONG_MAX;
	int neg = *s == '-';

	if (neg && isdigit((unsigned char)s[1]))
		max++;		/* LLONG_MIN */
	if (cfg_parse_number(s + neg, s, cfg_no_units, max, &v, "integer",
	    why) < 0)
		return -1;
	if (neg)
		*out = v == max ? LLONG_MIN : -(long long)v;
	else
		*out = (long long)v;
	return 0;
}

static int
cfg_choice_why(const char *choices, const char *s, struct buf *why)
{
	const char *p = choices, *bar;
	size_t n;

	for (;;) {
		bar = strchr(p, '|');
		n = bar ? (size_t)(bar - p) : strlen(p);
		if (strlen(s) == n && strncmp(p, s, n) == 0)
			return 0;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	buf_puts(why, "bad value ");
	cfg_quote(why, s);
	buf_puts(why, ": expected one of ");
	for (p = choices; *p; p++)
		if (*p == '|')
			buf_puts(why, ", ");
		else
			buf_putc(why, *p);
	return -1;
}

/*
 * The rules of the table beyond the type: bounds, syntaxes, host facts.
 */

/* "8766h": v in the largest unit of the type that divides it exactly. */
void
cfg_format_number(enum param_type type, long long v, struct buf *b)
{
	const struct cfg_unit *u, *best = NULL;

	if (type == PARAM_TIME || type == PARAM_SIZE)
		for (u = type == PARAM_TIME ? cfg_time_units : cfg_size_units;
		    u->name != 0 && (type == PARAM_TIME || u->name >= 'a'); u++)
			if (v != 0 && v % (long long)u->mult == 0)
				best = u;
	if (best != NULL)
		buf_printf(b, "%lld%c", v / (long long)best->mult, best->name);
	else
		buf_printf(b, "%lld%s", v, type == PARAM_TIME ? "s" : "");
}

static int
cfg_bounded(const struct param *p)
{
	return (p->min != 0 || p->max != 0) && (p->type == PARAM_INT ||
	    p->type == PARAM_SIZE || p->type == PARAM_TIME);
}

/* "from 1s to 1d", "at least 1", in the units of main.cf. */
static void
cfg_bounds_text(const struct param *p, struct buf *b)
{
	if (p->max == LLONG_MAX) {
		buf_puts(b, "at least ");
		cfg_format_number(p->type, p->min, b);
		return;
	}
	buf_puts(b, "from ");
	cfg_format_number(p->type, p->min, b);
	buf_puts(b, " to ");
	cfg_format_number(p->type, p->max, b);
}

static const char *const cfg_check_text[] = {
	[PARAM_CHECK_NONE] = NULL,
	[PARAM_CHECK_PATH] = "an absolute path",
	[PARAM_CHECK_USER] = "a user that exists and is not root",
	[PARAM_CHECK_GROUP] = "a group that exists",
	[PARAM_CHECK_DOMAIN] = "a domain name (letters, digits and "
	    "hyphens in labels separated by dots)",
	[PARAM_CHECK_ADDRESS_LIST] = "addresses of the form local@domain",
	[PARAM_CHECK_RCPT_LIST] = "addresses of the form local@domain or "
	    "local+*@domain",
	[PARAM_CHECK_URL] = "an http:// or https:// URL",
	[PARAM_CHECK_HTTPS_URL] = "an https:// URL",
	[PARAM_CHECK_URL_PATH] = "a URL path: \"/\" then printable "
	    "characters other than space, \"?\" and \"#\"",
	[PARAM_CHECK_HOSTPORT] = "host:port or [IPv6]:port, port 1 to 65535",
	[PARAM_CHECK_CONNINFO] = "a libpq connection string (keyword=value "
	    "words or a postgresql:// URI) that holds no password",
	[PARAM_CHECK_ENGINE] = "an engine built in (postgresql needs "
	    "configure --with-postgresql)",
	[PARAM_CHECK_NETWORK_LIST] = "IPv4 or IPv6 networks of the form "
	    "address/bits or addresses",
};

void
cfg_allowed(const struct param *p, struct buf *b)
{
	size_t start = b->len;
	const char *c;

	if (p->type == PARAM_PERCENT)
		buf_puts(b, "from 0% to 100%");
	else if (cfg_bounded(p))
		cfg_bounds_text(p, b);
	if (p->choices != NULL) {
		buf_puts(b, "one of ");
		for (c = p->choices; *c != '\0'; c++)
			if (*c == '|')
				buf_puts(b, ", ");
			else
				buf_putc(b, *c);
	}
	if (p->check != PARAM_CHECK_NONE) {
		if (b->len > start)
			buf_puts(b, "; ");
		buf_puts(b, cfg_check_text[p->check]);
	}
	if ((p->flags & PARAM_EMPTY_OK) && p->check != PARAM_CHECK_NONE &&
	    p->type != PARAM_LIST)
		buf_puts(b, ", or empty");
	if (p->flags & PARAM_REQUIRED)
		buf_puts(b, "; required");
	if (b->s == NULL)
		buf_puts(b, "");
}

/* One DNS label of at most PARAM_LABEL_MAX letters, digits, hyphens. */
static int
cfg_label_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > PARAM_LABEL_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int
cfg_domain_ok(const char *s, size_t n)
{
	const char *dot, *end = s + n;

	if (n == 0 || n > PARAM_DOMAIN_MAX)
		return 0;
	for (;;) {
		dot = memchr(s, '.', (size_t)(end - s));
		if (!cfg_label_ok(s, dot ? (size_t)(dot - s) : (size_t)(end - s)))
			return 0;
		if (dot == NULL)
			return 1;
		s = dot + 1;
	}
}

/* local@domain; with wild, local may end with "+*". */
static int
cfg_address_ok(const char *s, size_t n, int wild)
{
	const char *at = NULL;
	size_t i, local;

	for (i = 0; i < n; i++)
		if (s[i] == '@')
			at = s + i;
	if (at == NULL || at == s)
		return 0;
	local = (size_t)(at - s);
	if (wild && local > 2 && strncmp(at - 2, "+*", 2) == 0)
		local -= 2;
	if (local > CFG_LOCAL_MAX)
		return 0;
	for (i = 0; i < local; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f ||
		    strchr("\"(),:;<>@[\\]*", s[i]) != NULL)
			return 0;
	return cfg_domain_ok(at + 1, (size_t)(s + n - at - 1));
}

static int
cfg_port_ok(const char *s)
{
	long long port;

	return isdigit((unsigned char)*s) && cfg_parse_int(s, &port) == 0 &&
	    port >= 1 && port <= 65535;
}

/* host:port, [v6]:port; host a name or an IPv4 address. */
static int
cfg_hostport_ok(const char *s)
{
	const char *colon, *close;

	if (*s == '[') {
		if ((close = strchr(s, ']')) == NULL || close == s + 1 ||
		    close[1] != ':')
			return 0;
		if (strspn(s + 1, "0123456789abcdefABCDEF:.") !=
		    (size_t)(close - s - 1))
			return 0;
		return cfg_port_ok(close + 2);
	}
	if ((colon = strrchr(s, ':')) == NULL)
		return 0;
	return cfg_domain_ok(s, (size_t)(colon - s)) && cfg_port_ok(colon + 1);
}

/* scheme://host[:port][/path]: no space, no control character. */
static int
cfg_url_ok(const char *s, int https_only)
{
	const char *host, *end, *p;
	char *hostport;
	int ok;

	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (!https_only && strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return 0;
	end = host + strcspn(host, "/?#");
	if (end == host)
		return 0;
	hostport = xstrndup(host, (size_t)(end - host));
	if (strchr(hostport, '@') != NULL)
		ok = 0;
	else if (hostport[0] == '[' && hostport[strlen(hostport) - 1] == ']')
		ok = strspn(hostport + 1, "0123456789abcdefABCDEF:.") ==
		    strlen(hostport) - 2 && strlen(hostport) > 2;
	else if (hostport[0] == '[' || strchr(hostport, ':') != NULL)
		ok = cfg_hostport_ok(hostport);
	else
		ok = cfg_domain_ok(hostport, strlen(hostport));
	free(hostport);
	return ok;
}

static int
cfg_url_path_ok(const char *s)
{
	if (*s != '/')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    *s == '?' || *s == '#')
			return 0;
	return 1;
}

/* Each word of a list (cfg_list's split) passes ok; *bad is the first not. */
static int
cfg_words_ok(const char *s, int wild, const char **bad, size_t *badlen)
{
	size_t n;

	for (;;) {
		s += strspn(s, ", \t");
		if (*s == '\0')
			return 1;
		n = strcspn(s, ", \t");
		if (!cfg_address_ok(s, n, wild)) {
			*bad = s;
			*badlen = n;
			return 0;
		}
		s += n;
	}
}

/*
 * A conninfo's keyword: whether the one at s is "password" (or a URI's
 * password, user:secret@).  Quoted values may hold anything.
 */
static int
cfg_conninfo_ok(const char *s)
{
	const char *at, *colon, *end;
	size_t n;

	if (strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0) {
		s = strchr(s, '/') + 2;
		end = s + strcspn(s, "/?");
		at = memchr(s, '@', (size_t)(end - s));
		colon = memchr(s, ':', (size_t)(end - s));
		if (at != NULL && colon != NULL && colon < at)
			return 0;
		return strstr(s, "password=") == NULL;
	}
	while (*s != '\0') {
		s += strspn(s, " \t");
		n = strcspn(s, " \t=");
		if (n == 8 && strncasecmp(s, "password", 8) == 0)
			return 0;
		s += n;
		s += strspn(s, " \t");
		if (*s != '=')
			return *s == '\0';
		s++;
		s += strspn(s, " \t");
		if (*s == '\'') {
			for (s++; *s != '\0' && *s != '\''; s++)
				if (*s == '\\' && s[1] != '\0')
					s++;
			if (*s == '\'')
				s++;
		} else
			s += strcspn(s, " \t");
	}
	return 1;
}

/* storage_engine: postgresql only when built with libpq. */
static int
cfg_engine_ok(const char *s, struct buf *why)
{
#ifndef HAVE_LIBPQ
	if (strcmp(s, "postgresql") == 0) {
		buf_puts(why, "postgresql: this build of stsd has no PostgreSQL"
		    " support (configure --with-postgresql, libpq-dev)");
		return 0;
	}
#endif
	return 1;
}

/* Each word is a network of lib/pubaddr; *bad is the first that is not. */
static int
cfg_networks_ok(const char *s, const char **bad, size_t *badlen)
{
	struct sockaddr_storage ss;
	char *word;
	size_t n;
	int bits, ok;

	for (;;) {
		s += strspn(s, ", \t");
		if (*s == '\0')
			return 1;
		n = strcspn(s, ", \t");
		word = xstrndup(s, n);
		ok = pubaddr_net_parse(word, &ss, &bits) == 0;
		free(word);
		if (!ok) {
			*bad = s;
			*badlen = n;
			return 0;
		}
		s += n;
	}
}

/* The syntax of p->check; the host facts are cfg_check_lookup's. */
static int
cfg_check_syntax(const struct param *p, const char *value, struct buf *why)
{
	const char *bad = NULL;
	size_t badlen = 0;
	int ok = 1;

	switch (p->check) {
	case PARAM_CHECK_NONE:
	case PARAM_CHECK_USER:
	case PARAM_CHECK_GROUP:
		ok = *value != '\0';
		break;
	case PARAM_CHECK_PATH:
		ok = value[0] == '/';
		break;
	case PARAM_CHECK_DOMAIN:
		ok = cfg_domain_ok(value, strlen(value));
		break;
	case PARAM_CHECK_ADDRESS_LIST:
	case PARAM_CHECK_RCPT_LIST:
		ok = cfg_words_ok(value, p->check == PARAM_CHECK_RCPT_LIST,
		    &bad, &badlen);
		break;
	case PARAM_CHECK_URL:
	case PARAM_CHECK_HTTPS_URL:
		ok = cfg_url_ok(value, p->check == PARAM_CHECK_HTTPS_URL);
		break;
	case PARAM_CHECK_URL_PATH:
		ok = cfg_url_path_ok(value);
		break;
	case PARAM_CHECK_HOSTPORT:
		ok = cfg_hostport_ok(value);
		break;
	case PARAM_CHECK_CONNINFO:
		ok = cfg_conninfo_ok(value);
		break;
	case PARAM_CHECK_ENGINE:
		if (!cfg_engine_ok(value, why))
			return -1;
		break;
	case PARAM_CHECK_NETWORK_LIST:
		ok = cfg_networks_ok(value, &bad, &badlen);
		break;
	}
	if (ok || p->check == PARAM_CHECK_NONE)
		return 0;
	buf_puts(why, "bad value ");
	if (p->check == PARAM_CHECK_CONNINFO)	/* it may hold a password */
		buf_puts(why, "(not shown)");
	else
		cfg_quote(why, value);
	buf_puts(why, ": expected ");
	cfg_allowed(p, why);
	if (bad != NULL) {
		char *word = xstrndup(bad, badlen);

		buf_puts(why, " (");
		cfg_quote(why, word);
		buf_puts(why, " is not one)");
		free(word);
	}
	return -1;
}

/* After getpwnam() or getgrnam() failed: not found, or an error? */
static int
cfg_lookup_missed(void)
{
	/* getpwnam(3): these mean "not found" in one NSS module or another. */
	return errno == 0 || errno == ENOENT || errno == ESRCH ||
	    errno == EBADF || errno == EPERM;
}

int
cfg_check_lookup(const struct param *p, const char *value, struct buf *why)
{
	struct passwd *pw;
	const char *fact = NULL;

	errno = 0;
	if (p->check == PARAM_CHECK_USER) {
		if ((pw = getpwnam(value)) == NULL)
			fact = cfg_lookup_missed() ? "no such user" :
			    strerror(errno);
		else if (pw->pw_uid == 0)
			fact = "it has uid 0";
	} else if (p->check == PARAM_CHECK_GROUP) {
		if (getgrnam(value) == NULL)
			fact = cfg_lookup_missed() ? "no such group" :
			    strerror(errno);
	}
	if (fact == NULL)
		return 0;
	buf_puts(why, "bad value ");
	cfg_quote(why, value);
	buf_puts(why, ": expected ");
	cfg_allowed(p, why);
	buf_printf(why, " (%s)", fact);
	return -1;
}

static int
cfg_check_range(const struct param *p, const char *value, struct buf *why)
{
	unsigned long long ull = 0;
	long long v = 0;

	if (!cfg_bounded(p))
		return 0;
	if (p->type == PARAM_SIZE) {
		(void)cfg_parse_size(value, &ull);
		v = ull > (unsigned long long)LLONG_MAX ? LLONG_MAX : (long long)ull;
	} else if (p->type == PARAM_TIME)
		(void)cfg_parse_time(value, &v);
	else
		(void)cfg_parse_int(value, &v);
	if (v >= p->min && v <= p->max)
		return 0;
	cfg_bad(why, param_type_name(p->type), value);
	buf_puts(why, "expected ");
	cfg_bounds_text(p, why);
	return -1;
}

int
cfg_parse_percent(const char *s, double *out)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end == '%')
		end++;
	if (*end != '\0' || errno != 0 || !(v >= 0 && v <= 100))
		return -1;
	*out = v;
	return 0;
}

static int
cfg_percent_why(const char *s, struct buf *why)
{
	double v;

	if (cfg_parse_percent(s, &v) == 0)
		return 0;
	cfg_bad(why, "percentage", s);
	buf_puts(why, "expected a number from 0% to 100%, such as 1% or 0.5%");
	return -1;
}

int
cfg_check_value(const struct param *p, const char *value, struct buf *why)
{
	long long ll;
	unsigned long long ull;
	int b;

	switch (p->type) {
	case PARAM_BOOL:
		return cfg_bool_why(value, &b, why);
	case PARAM_INT:
		if (cfg_int_why(value, &ll, why) < 0)
			return -1;
		return cfg_check_range(p, value, why);
	case PARAM_SIZE:
		if (cfg_size_why(value, &ull, why) < 0)
			return -1;
		return cfg_check_range(p, value, why);
	case PARAM_TIME:
		if (cfg_time_why(value, &ll, why) < 0)
			return -1;
		return cfg_check_range(p, value, why);
	case PARAM_PERCENT:
		return cfg_percent_why(value, why);
	case PARAM_STRING:
	case PARAM_LIST:
		break;
	}
	if (*value == '\0' && (p->flags & PARAM_EMPTY_OK))
		return 0;
	if (p->choices != NULL && cfg_choice_why(p->choices, value, why) < 0)
		return -1;
	if (*value == '\0' && (p->flags & PARAM_REQUIRED)) {
		buf_puts(why, "empty value: expected ");
		cfg_allowed(p, why);
		return -1;
	}
	return cfg_check_syntax(p, value, why);
}

#define CFG_PARSE_PUBLIC(func, type, why_func) \
int \
func(const char *s, type *out) \
{ \
	struct buf why = BUF_INIT; \
	int rc = why_func(s, out, &why); \
	buf_free(&why); \
	return rc; \
}

CFG_PARSE_PUBLIC(cfg_parse_bool, int, cfg_bool_why)
CFG_PARSE_PUBLIC(cfg_parse_int, long long, cfg_int_why)
CFG_PARSE_PUBLIC(cfg_parse_size, unsigned long long, cfg_size_why)
CFG_PARSE_PUBLIC(cfg_parse_time, long long, cfg_time_why)

