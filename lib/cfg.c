/*
 * cfg - main.cf: read, expand, type-check and look up parameters; see
 * cfg.h for the interface and the file format.
 * SPDX-License-Identifier: ISC
 *
 * A configuration is a set of entries, one per table parameter plus one
 * per other name set in main.cf.  An entry holds the default, the value
 * set in main.cf or by -o (with where it was set, for messages) and,
 * once expanded, the expanded value.  Reading builds a new configuration
 * and only replaces the current one when every parameter expanded and
 * passed its type check; an override is undone when it fails.
 *
 * Touches: reads config_dir/main.cf (or a memory buffer); nothing else.
 * Limits: CFG_FILE_MAX, CFG_LINE_MAX, CFG_EXPAND_DEPTH (cfg.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "hash.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"

#define CFG_QUOTE_MAX	80		/* bytes of a value quoted in a message */
#define CFG_HOST_MAX	256		/* bytes of the system host name */
#define CFG_NONE	SIZE_MAX	/* empty hash slot */
#define CFG_LOCAL_MAX	64		/* bytes of the local part (RFC 5321) */

struct cfg_entry {
	char	*name;
	const struct param *param;	/* NULL: not in the table */
	char	*defval;		/* NULL for names only in main.cf */
	char	*setval;		/* main.cf or -o value, or NULL */
	char	*where;			/* "FILE:LINE" or "-o name=value" */
	char	*value;			/* expanded, NULL until expanded */
	char	**list;			/* value split into words, on demand */
	int	 busy;			/* being expanded: loop detection */
	int	 unset;			/* refers to a required parameter that
					 * is not set: not checked */
};

struct cfg {
	char	*dir;			/* the configuration directory */
	char	*file;			/* the main.cf read, for messages */
	struct cfg_entry *ent;
	size_t	 nent, capent;
	size_t	*slot;			/* hash of names -> index in ent */
	size_t	 nslot;			/* a power of two */
	size_t	*setorder;		/* entries set in main.cf or -o */
	size_t	 nset, capset;
};

static struct cfg *cfg_cur;
static struct cfg *cfg_kept;		/* cfg_save(): not freed on read */

static void cfg_quote(struct buf *, const char *);
static struct cfg_entry *cfg_get(const char *name, const char *caller);

/*
 * Reading files and scanning logical lines.
 */

int
cfg_read_file(const char *path, struct buf *data, struct buf *err)
{
	char chunk[8192];
	ssize_t n;
	int fd;

	buf_reset(data);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		buf_printf(err, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(err, "cannot read %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		if (data->len + (size_t)n > CFG_FILE_MAX) {
			buf_printf(err, "%s: file is larger than %d bytes",
			    path, CFG_FILE_MAX);
			close(fd);
			return -1;
		}
		buf_append(data, chunk, (size_t)n);
	}
	close(fd);
	if (data->s == NULL)
		buf_puts(data, "");
	return 0;
}

int
cfg_skip_line(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	return i == len || s[i] == '#';
}

int
cfg_valid_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

int
cfg_scan(const char *file, const char *data, size_t len, cfg_scan_fn fn,
    void *ctx, struct buf *err)
{
	struct buf text = BUF_INIT;
	struct cfg_line l;
	const char *nl;
	size_t pos = 0, bol, eol, next, b, e;
	int lineno = 0, open = 0, rc = 0;

	memset(&l, 0, sizeof(l));
	if (len > CFG_FILE_MAX) {
		buf_printf(err, "%s: file is larger than %d bytes", file,
		    CFG_FILE_MAX);
		return -1;
	}
	while (pos < len && rc == 0) {
		bol = pos;
		nl = memchr(data + pos, '\n', len - pos);
		eol = nl ? (size_t)(nl - data) : len;
		next = nl ? eol + 1 : len;
		pos = next;
		lineno++;
		if (memchr(data + bol, '\0', eol - bol) != NULL) {
			buf_printf(err, "%s:%d: line contains a NUL byte",
			    file, lineno);
			rc = -1;
			break;
		}
		if (cfg_skip_line(data + bol, eol - bol))
			continue;
		for (b = bol; isspace((unsigned char)data[b]); b++)
			;
		for (e = eol; e > b && isspace((unsigned char)data[e - 1]); e--)
			;
		if (b > bol && !open) {
			buf_printf(err, "%s:%d: continuation line (starting with "
			    "white space) at the top of the file", file, lineno);
			rc = -1;
			break;
		}
		if (b == bol && open) {
			rc = fn(&l, ctx, err);
			buf_reset(&text);
			open = 0;
			if (rc != 0)
				break;
		}
		if (text.len + (open ? 1 : 0) + (e - b) > CFG_LINE_MAX) {
			buf_printf(err, "%s:%d: logical line is longer than %d "
			    "bytes", file, lineno, CFG_LINE_MAX);
			rc = -1;
			break;
		}
		if (open) {
			buf_putc(&text, ' ');
		} else {
			l.first = lineno;
			l.start = bol;
			open = 1;
		}
		buf_append(&text, data + b, e - b);
		l.text = text.s;
		l.len = text.len;
		l.last = lineno;
		l.end = next;
	}
	if (rc == 0 && open)
		rc = fn(&l, ctx, err);
	buf_free(&text);
	return rc != 0 ? -1 : 0;
}

int
cfg_split_line(const char *file, const struct cfg_line *l, char **name,
    char **value, struct buf *err)
{
	const char *eq = strchr(l->text, '=');
	const char *v;
	size_t n;

	*name = *value = NULL;
	if (eq == NULL) {
		buf_printf(err, "%s:%d: bad line ", file, l->first);
		cfg_quote(err, l->text);
		buf_puts(err, ": expected \"name = value\"");
		return -1;
	}
	for (n = eq - l->text; n > 0 && isspace((unsigned char)l->text[n - 1]); n--)
		;
	if (n == 0) {
		buf_printf(err, "%s:%d: missing parameter name before \"=\"",
		    file, l->first);
		return -1;
	}
	if (!cfg_valid_name(l->text, n)) {
		char *bad = xstrndup(l->text, n);

		buf_printf(err, "%s:%d: bad parameter name ", file, l->first);
		cfg_quote(err, bad);
		buf_puts(err, ": use letters, digits and _");
		free(bad);
		return -1;
	}
	for (v = eq + 1; isspace((unsigned char)*v); v++)
		;
	*name = xstrndup(l->text, n);
	*value = xstrdup(v);
	return 0;
}

/*
 * Messages.
 */

/* Appends s in double quotes, printable and at most CFG_QUOTE_MAX long. */
static void
cfg_quote(struct buf *b, const char *s)
{
	size_t i;

	buf_putc(b, '"');
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == CFG_QUOTE_MAX) {
			buf_puts(b, "...");
			break;
		}
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, c);
	}
	buf_putc(b, '"');
}

/* Starts an error message about entry e: "WHERE: parameter NAME: ". */
static void
cfg_blame(struct buf *err, const struct cfg *c, const struct cfg_entry *e)
{
	if (e->setval != NULL)
		buf_printf(err, "%s: parameter %s: ", e->where, e->name);
	else
		buf_printf(err, "%s: parameter %s: default value: ", c->file,
		    e->name);
}

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
	}
	if (ok || p->check == PARAM_CHECK_NONE)
		return 0;
	buf_puts(why, "bad value ");
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

/*
 * Entries and their hash table.
 */

static size_t
cfg_lookup_len(const struct cfg *c, const char *name, size_t len)
{
	size_t i = hash_bytes(name, len) & (c->nslot - 1);

	for (; c->slot[i] != CFG_NONE; i = (i + 1) & (c->nslot - 1)) {
		const char *n = c->ent[c->slot[i]].name;

		if (strncmp(n, name, len) == 0 && n[len] == '\0')
			return c->slot[i];
	}
	return CFG_NONE;
}

static struct cfg_entry *
cfg_lookup(const struct cfg *c, const char *name)
{
	size_t i = cfg_lookup_len(c, name, strlen(name));

	return i == CFG_NONE ? NULL : &c->ent[i];
}

static void
cfg_rehash(struct cfg *c)
{
	size_t i, h;

	free(c->slot);
	c->nslot = c->nslot ? c->nslot * 2 : 64;
	c->slot = xreallocarray(NULL, c->nslot, sizeof(*c->slot));
	for (i = 0; i < c->nslot; i++)
		c->slot[i] = CFG_NONE;
	for (i = 0; i < c->nent; i++) {
		const char *n = c->ent[i].name;

		h = hash_str(n) & (c->nslot - 1);
		while (c->slot[h] != CFG_NONE)
			h = (h + 1) & (c->nslot - 1);
		c->slot[h] = i;
	}
}

static struct cfg_entry *
cfg_add(struct cfg *c, const char *name)
{
	struct cfg_entry *e;

	if (c->nent == c->capent) {
		c->capent = c->capent ? c->capent * 2 : 64;
		c->ent = xreallocarray(c->ent, c->capent, sizeof(*c->ent));
	}
	e = &c->ent[c->nent++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	e->param = param_find(name);
	if (c->nent * 2 > c->nslot)
		cfg_rehash(c);
	else {
		size_t h = hash_str(name) & (c->nslot - 1);

		while (c->slot[h] != CFG_NONE)
			h = (h + 1) & (c->nslot - 1);
		c->slot[h] = c->nent - 1;
	}
	return e;
}

static void
cfg_mark_set(struct cfg *c, struct cfg_entry *e)
{
	if (c->nset == c->capset) {
		c->capset = c->capset ? c->capset * 2 : 32;
		c->setorder = xreallocarray(c->setorder, c->capset,
		    sizeof(*c->setorder));
	}
	c->setorder[c->nset++] = (size_t)(e - c->ent);
}

static void
cfg_forget_values(struct cfg *c)
{
	size_t i, j;

	for (i = 0; i < c->nent; i++) {
		struct cfg_entry *e = &c->ent[i];

		free(e->value);
		e->value = NULL;
		if (e->list != NULL) {
			for (j = 0; e->list[j] != NULL; j++)
				free(e->list[j]);
			free(e->list);
			e->list = NULL;
		}
		e->busy = 0;
		e->unset = 0;
	}
}

static void
cfg_destroy(struct cfg *c)
{
	size_t i;

	if (c == NULL)
		return;
	cfg_forget_values(c);
	for (i = 0; i < c->nent; i++) {
		free(c->ent[i].name);
		free(c->ent[i].defval);
		free(c->ent[i].setval);
		free(c->ent[i].where);
	}
	free(c->ent);
	free(c->slot);
	free(c->setorder);
	free(c->dir);
	free(c->file);
	free(c);
}

static char *
cfg_hostname(void)
{
	char host[CFG_HOST_MAX + 1];

	if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
		return xstrdup("localhost");
	host[CFG_HOST_MAX] = '\0';
	return xstrdup(host);
}

/* A configuration with every table parameter at its default. */
static struct cfg *
cfg_new(const char *dir, const char *file)
{
	const struct param *p;
	struct cfg_entry *e;
	struct cfg *c = xcalloc(1, sizeof(*c));

	c->dir = xstrdup(dir);
	c->file = xstrdup(file);
	cfg_rehash(c);
	for (p = param_table; p->name != NULL; p++) {
		e = cfg_add(c, p->name);
		if (strcmp(p->name, "myhostname") == 0 && p->defval == NULL)
			e->defval = cfg_hostname();
		else
			e->defval = xstrdup(p->defval ? p->defval : "");
	}
	return c;
}

/*
 * Expansion and checks.
 */

struct cfg_expand {
	struct cfg *c;
	struct cfg_entry *chain[CFG_EXPAND_DEPTH + 1];
	int	 depth;
	struct buf *err;
};

static int cfg_expand_entry(struct cfg_expand *, struct cfg_entry *);

/*
 * Starts a message about a problem found while expanding e.  A default
 * has no line to point at: blame the nearest setting on the way to it
 * (in a loop, there is always one).
 */
static void
cfg_blame_expand(struct cfg_expand *x, const struct cfg_entry *e)
{
	int k;

	if (e->setval == NULL)
		for (k = x->depth; k >= 0; k--)
			if (x->chain[k]->setval != NULL) {
				e = x->chain[k];
				break;
			}
	cfg_blame(x->err, x->c, e);
}

/* The value that $name gives: config_directory is the directory read. */
static const char *
cfg_source(const struct cfg *c, const struct cfg_entry *e)
{
	if (e->param != NULL && strcmp(e->name, "config_directory") == 0)
		return NULL;
	return e->setval ? e->setval : e->defval;
}

static int
cfg_expand_ref(struct cfg_expand *x, struct cfg_entry *e, const char *ref,
    size_t len, const char *as_written, struct buf *out)
{
	struct cfg_entry *r;
	size_t i = cfg_lookup_len(x->c, ref, len);
	int k;

	if (i == CFG_NONE) {
		cfg_blame_expand(x, e);
		cfg_quote(x->err, as_written);
		buf_puts(x->err, " refers to an unknown parameter");
		return -1;
	}
	r = &x->c->ent[i];
	if (r == e) {
		cfg_blame_expand(x, e);
		cfg_quote(x->err, as_written);
		buf_puts(x->err, " refers to itself");
		return -1;
	}
	if (r->busy) {
		cfg_blame_expand(x, e);
		buf_puts(x->err, "expansion loop: ");
		for (k = 0; x->chain[k] != r; k++)
			;
		for (; k <= x->depth; k++)
			buf_printf(x->err, "$%s -> ", x->chain[k]->name);
		buf_printf(x->err, "$%s", r->name);
		return -1;
	}
	if (x->depth + 1 >= CFG_EXPAND_DEPTH) {
		cfg_blame_expand(x, e);
		buf_printf(x->err, "$%s: expansion nested deeper than %d levels",
		    r->name, CFG_EXPAND_DEPTH);
		return -1;
	}
	x->depth++;
	k = cfg_expand_entry(x, r);
	x->depth--;
	if (k < 0)
		return -1;
	if (r->unset)
		e->unset = 1;
	if (out->len + strlen(r->value) > CFG_LINE_MAX) {
		cfg_blame_expand(x, e);
		buf_printf(x->err, "expanded value is longer than %d bytes",
		    CFG_LINE_MAX);
		return -1;
	}
	buf_puts(out, r->value);
	return 0;
}

static int
cfg_expand_entry(struct cfg_expand *x, struct cfg_entry *e)
{
	struct buf out = BUF_INIT;
	const char *raw = cfg_source(x->c, e), *p, *end;
	char *as_written;
	size_t n;
	int rc;

	if (e->value != NULL)
		return 0;
	if (e->param != NULL && (e->param->flags & PARAM_REQUIRED) &&
	    e->setval == NULL)
		e->unset = 1;
	if (raw == NULL) {
		e->value = xstrdup(x->c->dir);
		return 0;
	}
	e->busy = 1;
	x->chain[x->depth] = e;
	buf_puts(&out, "");
	for (p = raw; *p != '\0'; p = end) {
		if (*p != '$') {
			end = strchr(p, '$');
			if (end == NULL)
				end = p + strlen(p);
			buf_append(&out, p, end - p);
			continue;
		}
		if (p[1] == '$') {
			buf_putc(&out, '$');
			end = p + 2;
			continue;
		}
		if (p[1] == '{') {
			end = strchr(p + 2, '}');
			if (end == NULL) {
				cfg_blame_expand(x, e);
				buf_puts(x->err, "unterminated \"${\" in ");
				cfg_quote(x->err, raw);
				goto fail;
			}
			n = end - (p + 2);
			as_written = xstrndup(p, end + 1 - p);
			if (!cfg_valid_name(p + 2, n)) {
				cfg_blame_expand(x, e);
				buf_puts(x->err, "bad parameter name in ");
				cfg_quote(x->err, as_written);
				free(as_written);
				goto fail;
			}
			rc = cfg_expand_ref(x, e, p + 2, n, as_written, &out);
			free(as_written);
			if (rc < 0)
				goto fail;
			end++;
			continue;
		}
		for (end = p + 1; isalnum((unsigned char)*end) || *end == '_'; end++)
			;
		if (end == p + 1) {
			cfg_blame_expand(x, e);
			buf_puts(x->err, "\"$\" must be followed by a name, "
			    "{name} or \"$\" in ");
			cfg_quote(x->err, raw);
			goto fail;
		}
		as_written = xstrndup(p, end - p);
		rc = cfg_expand_ref(x, e, p + 1, end - (p + 1), as_written, &out);
		free(as_written);
		if (rc < 0)
			goto fail;
	}
	e->busy = 0;
	e->value = buf_steal(&out);
	return 0;

fail:
	e->busy = 0;
	buf_free(&out);
	return -1;
}

static int
cfg_check_entry(struct cfg *c, struct cfg_entry *e, struct buf *err)
{
	struct buf why = BUF_INIT;
	const char *raw;

	if (e->param == NULL || e->unset ||
	    cfg_check_value(e->param, e->value, &why) == 0) {
		buf_free(&why);
		return 0;
	}
	cfg_blame(err, c, e);
	buf_append(err, why.s, why.len);
	raw = cfg_source(c, e);
	if (raw != NULL && strcmp(raw, e->value) != 0) {
		buf_puts(err, " (from ");
		cfg_quote(err, raw);
		buf_puts(err, ")");
	}
	buf_free(&why);
	return -1;
}

/* Expands and checks everything: main.cf settings in order, then the rest. */
static int
cfg_expand_all(struct cfg *c, struct buf *err)
{
	struct cfg_expand x;
	size_t i;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.err = err;
	for (i = 0; i < c->nset; i++) {
		x.depth = 0;
		if (cfg_expand_entry(&x, &c->ent[c->setorder[i]]) < 0 ||
		    cfg_check_entry(c, &c->ent[c->setorder[i]], err) < 0)
			return -1;
	}
	for (i = 0; i < c->nent; i++) {
		x.depth = 0;
		if (cfg_expand_entry(&x, &c->ent[i]) < 0 ||
		    cfg_check_entry(c, &c->ent[i], err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Reading main.cf.
 */

struct cfg_load {
	struct cfg *c;
	const char *file;
};

static int
cfg_load_line(const struct cfg_line *l, void *ctx, struct buf *err)
{
	struct cfg_load *ld = ctx;
	struct cfg_entry *e;
	char *name, *value;

	if (cfg_split_line(ld->file, l, &name, &value, err) < 0)
		return -1;
	if ((e = cfg_lookup(ld->c, name)) == NULL) {
		log_warn("%s:%d: unknown parameter %s", ld->file, l->first, name);
		e = cfg_add(ld->c, name);
	} else if (e->setval != NULL) {
		log_warn("%s:%d: parameter %s: set again, overrides %s",
		    ld->file, l->first, name, e->where);
	}
	free(e->setval);
	free(e->where);
	if (e->setval == NULL)
		cfg_mark_set(ld->c, e);
	e->setval = value;
	e->where = xasprintf("%s:%d", ld->file, l->first);
	free(name);
	return 0;
}

static int
cfg_load(const char *dir, const char *file, const char *data, size_t len,
    struct buf *err)
{
	struct cfg_load ld;
	struct cfg *c = cfg_new(dir, file);

	ld.c = c;
	ld.file = file;
	if (cfg_scan(file, data, len, cfg_load_line, &ld, err) < 0 ||
	    cfg_expand_all(c, err) < 0) {
		cfg_destroy(c);
		return -1;
	}
	if (cfg_cur != cfg_kept)
		cfg_destroy(cfg_cur);
	cfg_cur = c;
	return 0;
}

/* The directory as given, without trailing slashes. */
static char *
cfg_dir_clean(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return xstrndup(dir, n);
}

int
cfg_read(const char *config_dir, struct buf *err)
{
	struct buf data = BUF_INIT;
	char *dir = cfg_dir_clean(config_dir);
	char *file = xasprintf("%s/main.cf", dir);
	int rc;

	rc = cfg_read_file(file, &data, err);
	if (rc == 0)
		rc = cfg_load(dir, file, data.s, data.len, err);
	buf_free(&data);
	free(file);
	free(dir);
	return rc;
}

int
cfg_read_buf(const char *file, const char *data, size_t len, struct buf *err)
{
	const char *slash = strrchr(file, '/');
	char *dir;
	int rc;

	if (slash == NULL)
		dir = xstrdup(".");
	else
		dir = xstrndup(file, slash == file ? 1 : (size_t)(slash - file));
	rc = cfg_load(dir, file, data, len, err);
	free(dir);
	return rc;
}

void
cfg_read_or_die(const char *config_dir)
{
	struct buf err = BUF_INIT;

	if (cfg_read(config_dir, &err) < 0)
		log_fatal("%s", err.s);
	buf_free(&err);
}

void
cfg_free(void)
{
	if (cfg_kept != NULL && cfg_kept != cfg_cur)
		cfg_destroy(cfg_kept);
	cfg_destroy(cfg_cur);
	cfg_cur = cfg_kept = NULL;
}

/*
 * Overrides.
 */

static int
cfg_apply(const char *name, const char *value, int keep, struct buf *err)
{
	struct buf again = BUF_INIT;
	struct cfg *c;
	struct cfg_entry *e;
	char *oldval, *oldwhere, *where;
	int rc;

	where = xasprintf("-o %s=%s", name, value);
	if (param_find(name) == NULL) {
		buf_printf(err, "%s: unknown parameter %s", where, name);
		free(where);
		return -1;
	}
	if (strchr(value, '\n') != NULL) {
		buf_printf(err, "%s: parameter %s: value contains a newline",
		    where, name);
		free(where);
		return -1;
	}
	if (cfg_cur == NULL)
		cfg_str("config_directory");	/* the defaults */
	c = cfg_cur;
	e = cfg_lookup(c, name);
	oldval = e->setval;
	oldwhere = e->where;
	e->setval = xstrdup(value);
	e->where = where;
	cfg_forget_values(c);
	rc = cfg_expand_all(c, err);
	if (rc == 0 && keep) {
		if (oldval == NULL)
			cfg_mark_set(c, e);
		free(oldval);
		free(oldwhere);
		return 0;
	}
	free(e->setval);
	free(e->where);
	e->setval = oldval;
	e->where = oldwhere;
	cfg_forget_values(c);
	if (cfg_expand_all(c, &again) < 0)
		log_panic("cfg: configuration broke on undo: %s", again.s);
	buf_free(&again);
	return rc;
}

int
cfg_override(const char *name, const char *value, struct buf *err)
{
	return cfg_apply(name, value, 1, err);
}

int
cfg_check_override(const char *name, const char *value, struct buf *err)
{
	return cfg_apply(name, value, 0, err);
}

/*
 * Checks that need the host, and parameters left unset.
 */

int
cfg_check_host(struct buf *err)
{
	struct buf why = BUF_INIT;
	struct cfg_entry *e;
	size_t i;
	int rc = 0;

	cfg_get("config_directory", "cfg_check_host");
	for (i = 0; i < cfg_cur->nent && rc == 0; i++) {
		e = &cfg_cur->ent[i];
		if (e->param == NULL || e->unset ||
		    cfg_check_lookup(e->param, e->value, &why) == 0)
			continue;
		cfg_blame(err, cfg_cur, e);
		buf_append(err, why.s, why.len);
		rc = -1;
	}
	buf_free(&why);
	return rc;
}

int
cfg_check_required(struct buf *err)
{
	const struct param *p;
	int n = 0;

	cfg_get("config_directory", "cfg_check_required");
	for (p = param_table; p->name != NULL; p++) {
		if (!(p->flags & PARAM_REQUIRED) || !cfg_is_default(p->name))
			continue;
		buf_printf(err, "%s%s: parameter %s is not set: expected ",
		    n++ ? "\n" : "", cfg_cur->file, p->name);
		cfg_allowed(p, err);
		buf_printf(err, " (fix: stsconf -e %s=VALUE)", p->name);
	}
	return n ? -1 : 0;
}

/* Saving a configuration while another is read. */

struct cfg *
cfg_save(void)
{
	cfg_get("config_directory", "cfg_save");
	cfg_kept = cfg_cur;
	return cfg_kept;
}

void
cfg_restore(struct cfg *c)
{
	if (c != cfg_kept)
		log_panic("cfg_restore: not the saved configuration");
	if (cfg_cur != c)
		cfg_destroy(cfg_cur);
	cfg_cur = c;
	cfg_kept = NULL;
}

void
cfg_forget(struct cfg *c)
{
	if (c != cfg_kept)
		log_panic("cfg_forget: not the saved configuration");
	if (cfg_cur != c)
		cfg_destroy(c);
	cfg_kept = NULL;
}

/*
 * Lookups.
 */

static struct cfg_entry *
cfg_get(const char *name, const char *caller)
{
	struct buf err = BUF_INIT;
	struct cfg_entry *e;

	if (cfg_cur == NULL && cfg_load(STS_CONFIG_DIR, STS_CONFIG_DIR
	    "/main.cf", "", 0, &err) < 0)
		log_panic("cfg: built-in defaults are invalid: %s", err.s);
	buf_free(&err);
	if ((e = cfg_lookup(cfg_cur, name)) == NULL)
		log_panic("%s: unknown parameter %s", caller, name);
	return e;
}

static struct cfg_entry *
cfg_get_typed(const char *name, enum param_type type, const char *caller)
{
	struct cfg_entry *e = cfg_get(name, caller);

	if (e->param == NULL || e->param->type != type)
		log_panic("%s: parameter %s is not of type %s", caller, name,
		    param_type_name(type));
	return e;
}

const char *
cfg_str(const char *name)
{
	return cfg_get(name, "cfg_str")->value;
}

const char *
cfg_raw(const char *name)
{
	struct cfg_entry *e = cfg_get(name, "cfg_raw");
	const char *raw = cfg_source(cfg_cur, e);

	if (e->setval != NULL)
		return e->setval;
	return raw != NULL ? raw : e->value;
}

const char *
cfg_default(const char *name)
{
	struct cfg_entry *e = cfg_get(name, "cfg_default");

	if (e->param == NULL)
		log_panic("cfg_default: parameter %s is not in the table", name);
	return e->defval;
}

int
cfg_is_default(const char *name)
{
	return cfg_get(name, "cfg_is_default")->setval == NULL;
}

int
cfg_bool(const char *name)
{
	int v = 0;

	cfg_parse_bool(cfg_get_typed(name, PARAM_BOOL, "cfg_bool")->value, &v);
	return v;
}

long long
cfg_int(const char *name)
{
	long long v = 0;

	cfg_parse_int(cfg_get_typed(name, PARAM_INT, "cfg_int")->value, &v);
	return v;
}

unsigned long long
cfg_size(const char *name)
{
	unsigned long long v = 0;

	cfg_parse_size(cfg_get_typed(name, PARAM_SIZE, "cfg_size")->value, &v);
	return v;
}

long long
cfg_time(const char *name)
{
	long long v = 0;

	cfg_parse_time(cfg_get_typed(name, PARAM_TIME, "cfg_time")->value, &v);
	return v;
}

double
cfg_percent(const char *name)
{
	double v = 0;

	cfg_parse_percent(cfg_get_typed(name, PARAM_PERCENT,
	    "cfg_percent")->value, &v);
	return v;
}

char **
cfg_list(const char *name)
{
	struct cfg_entry *e = cfg_get_typed(name, PARAM_LIST, "cfg_list");
	const char *p = e->value, *end;
	size_t n = 0;

	if (e->list != NULL)
		return e->list;
	e->list = xcalloc(strlen(p) / 2 + 2, sizeof(char *));
	for (;;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		for (end = p; *end && *end != ',' && !isspace((unsigned char)*end);
		    end++)
			;
		e->list[n++] = xstrndup(p, end - p);
		p = end;
	}
	return e->list;
}

const char *
cfg_config_dir(void)
{
	cfg_get("config_directory", "cfg_config_dir");
	return cfg_cur->dir;
}

const char *
cfg_file(void)
{
	cfg_get("config_directory", "cfg_file");
	return cfg_cur->file;
}

const char **
cfg_set_names(void)
{
	const char **names;
	size_t i;

	cfg_get("config_directory", "cfg_set_names");
	names = xcalloc(cfg_cur->nset + 1, sizeof(*names));
	for (i = 0; i < cfg_cur->nset; i++)
		names[i] = cfg_cur->ent[cfg_cur->setorder[i]].name;
	return names;
}
