/*
 * mastercf - parse master.cf; see mastercf.h.
 * SPDX-License-Identifier: ISC
 *
 * The logical lines come from cfg_scan(), the one tokenizer of the
 * configuration files; each is split into white-space separated
 * columns here.  Nothing is touched but memory and, for inet services
 * with host names, the resolver.  A failed parse frees what it built.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "mastercf.h"
#include "mymalloc.h"
#include "proto.h"

#define MASTERCF_COLUMNS	8	/* service .. command */
#define MASTERCF_TOKENS_MAX	(MASTERCF_COLUMNS + MASTERCF_ARGS_MAX)
#define MASTERCF_PORT_MAX	65535

struct mastercf_ctx {
	const char *file;
	int	 flags;
	struct mastercf *table;
};

static void
mastercf_service_free(struct mastercf_service *svc)
{
	free(svc->name);
	free(svc->command);
	xfreev(svc->args, (size_t)svc->nargs);
	xfreev(svc->overrides, (size_t)svc->noverrides);
	free(svc->addrs);
	free(svc->line);
	memset(svc, 0, sizeof(*svc));
}

void
mastercf_free(struct mastercf *table)
{
	if (table == NULL)
		return;
	XFREE_EACH(table->services, table->nservices, mastercf_service_free);
	free(table);
}

const char *
mastercf_type_name(enum mastercf_type type)
{
	return type == MASTERCF_INET ? "inet" : "unix";
}

/* Prints "FILE:LINE: " and the message into err. */
static int __attribute__((format(printf, 4, 5)))
mastercf_error(struct buf *err, const char *file, int lineno,
    const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_reset(err);
	buf_printf(err, "%s:%d: %s", file, lineno, msg);
	return -1;
}

/* Splits a logical line at white space; returns the count or -1. */
static int
mastercf_split(char *text, char **tok, int max)
{
	int n = 0;
	char *p = text;

	for (;;) {
		while (*p != '\0' && isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return n;
		if (n == max)
			return -1;
		tok[n++] = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

static int
mastercf_flag(const char *s, int defval, int *out)
{
	if (strcmp(s, "-") == 0)
		*out = defval;
	else if (strcmp(s, "y") == 0)
		*out = 1;
	else if (strcmp(s, "n") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
mastercf_wakeup(const char *s, long long *out, int *optional)
{
	char *copy;
	size_t len = strlen(s);
	int rc;

	*optional = 0;
	if (strcmp(s, "-") == 0) {
		*out = 0;
		return 0;
	}
	copy = xstrdup(s);
	if (len > 0 && copy[len - 1] == '?') {
		copy[--len] = '\0';
		*optional = 1;
	}
	rc = len > 0 && isdigit((unsigned char)copy[0]) ?
	    cfg_parse_time(copy, out) : -1;
	free(copy);
	if (rc == 0 && *out < 0)
		rc = -1;
	return rc;
}

static int
mastercf_maxproc(const char *s, int *out)
{
	long long n;

	if (strcmp(s, "-") == 0) {
		*out = 1;
		return 0;
	}
	if (!isdigit((unsigned char)s[0]) || cfg_parse_int(s, &n) != 0 ||
	    n < 1 || n > MASTERCF_MAXPROC_MAX)
		return -1;
	*out = (int)n;
	return 0;
}

static int
mastercf_valid_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > MASTERCF_NAME_MAX || s[0] == '.')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

/* Adds an address unless it is already there; -1 when full. */
static int
mastercf_add_addr(struct mastercf_service *svc, const struct sockaddr *sa,
    socklen_t len)
{
	int i;

	if (len > sizeof(struct sockaddr_storage))
		return 0;
	for (i = 0; i < svc->naddrs; i++)
		if (svc->addrs[i].len == len &&
		    memcmp(&svc->addrs[i].ss, sa, len) == 0)
			return 0;
	if (svc->naddrs == MASTERCF_ADDR_MAX)
		return -1;
	svc->addrs = xreallocarray(svc->addrs, svc->naddrs + 1,
	    sizeof(*svc->addrs));
	memset(&svc->addrs[svc->naddrs], 0, sizeof(*svc->addrs));
	memcpy(&svc->addrs[svc->naddrs].ss, sa, len);
	svc->addrs[svc->naddrs].len = len;
	svc->naddrs++;
	return 0;
}

static void
mastercf_add_wildcard(struct mastercf_service *svc, int port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	(void)mastercf_add_addr(svc, (struct sockaddr *)&sin, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	sin6.sin6_addr = in6addr_any;
	(void)mastercf_add_addr(svc, (struct sockaddr *)&sin6, sizeof(sin6));
}

static int
mastercf_port(const char *s)
{
	long n = 0;

	if (*s == '\0' || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s))
		return -1;
	n = strtol(s, NULL, 10);
	return n >= 1 && n <= MASTERCF_PORT_MAX ? (int)n : -1;
}

/* Resolves host (numeric only when asked) into svc->addrs. */
static int
mastercf_resolve(struct mastercf_service *svc, const char *host, int port,
    int family, int flags, struct buf *why)
{
	struct addrinfo hints, *res, *ai;
	char portstr[16];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc == EAI_NONAME && family == AF_UNSPEC) {
		if (strspn(host, "0123456789.") == strlen(host)) {
			buf_printf(why, "bad IPv4 address \"%s\"", host);
			return -1;
		}
		if (flags & MASTERCF_NO_RESOLVE)
			return 0;
		hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
		rc = getaddrinfo(host, portstr, &hints, &res);
	}
	if (rc != 0) {
		if (family == AF_INET6)
			buf_printf(why, "bad IPv6 address \"%s\"", host);
		else
			buf_printf(why, "host %s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (mastercf_add_addr(svc, ai->ai_addr, ai->ai_addrlen) != 0) {
			freeaddrinfo(res);
			buf_printf(why, "host %s: more than %d addresses", host,
			    MASTERCF_ADDR_MAX);
			return -1;
		}
	}
	freeaddrinfo(res);
	if (svc->naddrs == 0) {
		buf_printf(why, "host %s: no IPv4 or IPv6 address", host);
		return -1;
	}
	return 0;
}

/* Parses the service column of an inet service; why says what is wrong. */
static int
mastercf_inet(struct mastercf_service *svc, int flags, struct buf *why)
{
	const char *field = svc->name;
	char *host, *colon;
	int port, family = AF_UNSPEC, rc;

	if (field[0] == '[') {
		const char *close = strchr(field, ']');

		if (close == NULL || close[1] != ':') {
			buf_printf(why, "bad address \"%s\": expected "
			    "[ipv6]:port", field);
			return -1;
		}
		host = xstrndup(field + 1, close - field - 1);
		colon = (char *)close + 1;
		family = AF_INET6;
	} else if ((colon = strrchr(field, ':')) == NULL) {
		if ((port = mastercf_port(field)) < 0) {
			buf_printf(why, "bad port \"%s\": expected a number "
			    "from 1 to %d", field, MASTERCF_PORT_MAX);
			return -1;
		}
		mastercf_add_wildcard(svc, port);
		return 0;
	} else {
		host = xstrndup(field, colon - field);
		if (*host == '\0' || strchr(host, ':') != NULL) {
			buf_printf(why, "bad address \"%s\": expected host:port, "
			    "[ipv6]:port, *:port or port", field);
			free(host);
			return -1;
		}
	}
	if ((port = mastercf_port(colon + 1)) < 0) {
		buf_printf(why, "bad port \"%s\": expected a number from 1 "
		    "to %d", colon + 1, MASTERCF_PORT_MAX);
		free(host);
		return -1;
	}
	if (strcmp(host, "*") == 0 && family == AF_UNSPEC) {
		mastercf_add_wildcard(svc, port);
		rc = 0;
	} else {
		rc = mastercf_resolve(svc, host, port, family, flags, why);
	}
	free(host);
	return rc;
}

/* Collects "-o name=value" pairs; the other arguments stay in order. */
static int
mastercf_args(struct mastercf_service *svc, char **tok, int ntok,
    struct buf *why)
{
	struct buf oerr = BUF_INIT;
	char *eq, *name;
	int i;

	svc->args = xcalloc(ntok + 1, sizeof(char *));
	svc->overrides = xcalloc(ntok + 1, sizeof(char *));
	for (i = 0; i < ntok; i++) {
		if (strcmp(tok[i], "-o") != 0) {
			svc->args[svc->nargs++] = xstrdup(tok[i]);
			continue;
		}
		if (i + 1 == ntok || (eq = strchr(tok[i + 1], '=')) == NULL) {
			buf_printf(why, "-o without name=value");
			return -1;
		}
		i++;
		name = xstrndup(tok[i], eq - tok[i]);
		if (cfg_check_override(name, eq + 1, &oerr) != 0) {
			buf_puts(why, oerr.s ? oerr.s : "bad -o");
			free(name);
			buf_free(&oerr);
			return -1;
		}
		free(name);
		svc->overrides[svc->noverrides++] = xstrdup(tok[i]);
	}
	buf_free(&oerr);
	return 0;
}

static char *
mastercf_join(char **tok, int ntok)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < ntok; i++) {
		if (i > 0)
			buf_putc(&b, ' ');
		buf_puts(&b, tok[i]);
	}
	return buf_steal(&b);
}

/* Fills svc from the columns; why gets the problem without a prefix. */
static int
mastercf_columns(struct mastercf_service *svc, char **tok, int ntok,
    int flags, struct buf *why)
{
	static const char *const flag_names[] = { "private", "unpriv", "chroot" };
	static const int flag_defaults[] = { 1, 1, 0 };
	int *flag_vars[3];
	int i;

	svc->name = xstrdup(tok[0]);
	svc->line = mastercf_join(tok, ntok);
	buf_printf(why, "service %s: ", svc->name);
	if (strcmp(tok[1], "inet") == 0)
		svc->type = MASTERCF_INET;
	else if (strcmp(tok[1], "unix") == 0)
		svc->type = MASTERCF_UNIX;
	else {
		buf_printf(why, "bad type \"%s\": expected inet or unix", tok[1]);
		return -1;
	}
	flag_vars[0] = &svc->private;
	flag_vars[1] = &svc->unpriv;
	flag_vars[2] = &svc->chroot;
	for (i = 0; i < 3; i++) {
		if (mastercf_flag(tok[2 + i], flag_defaults[i], flag_vars[i]) != 0) {
			buf_printf(why, "bad %s flag \"%s\": expected y, n or -",
			    flag_names[i], tok[2 + i]);
			return -1;
		}
	}
	if (mastercf_wakeup(tok[5], &svc->wakeup, &svc->wakeup_optional) != 0) {
		buf_printf(why, "bad wakeup \"%s\": expected a time, 0 or -",
		    tok[5]);
		return -1;
	}
	if (mastercf_maxproc(tok[6], &svc->maxproc) != 0) {
		buf_printf(why, "bad maxproc \"%s\": expected a number from 1 "
		    "to %d or -", tok[6], MASTERCF_MAXPROC_MAX);
		return -1;
	}
	if (!mastercf_valid_name(tok[7])) {
		buf_printf(why, "bad command \"%s\": expected a program name "
		    "in daemon_directory", tok[7]);
		return -1;
	}
	svc->command = xstrdup(tok[7]);
	if (mastercf_args(svc, tok + MASTERCF_COLUMNS,
	    ntok - MASTERCF_COLUMNS, why) != 0)
		return -1;
	if (svc->type == MASTERCF_UNIX) {
		if (!mastercf_valid_name(svc->name)) {
			buf_printf(why, "bad unix service name: expected up to %d "
			    "letters, digits, \".\", \"-\" or \"_\"",
			    MASTERCF_NAME_MAX);
			return -1;
		}
		return 0;
	}
	return mastercf_inet(svc, flags, why);
}

static int
mastercf_line(const struct cfg_line *line, void *arg, struct buf *err)
{
	struct mastercf_ctx *ctx = arg;
	struct mastercf *table = ctx->table;
	struct mastercf_service svc;
	const struct mastercf_service *dup;
	struct buf why = BUF_INIT;
	char *tok[MASTERCF_TOKENS_MAX];
	char *text;
	int ntok;

	text = xstrdup(line->text);
	ntok = mastercf_split(text, tok, MASTERCF_TOKENS_MAX);
	if (ntok < 0) {
		free(text);
		return mastercf_error(err, ctx->file, line->first,
		    "too many arguments: at most %d after the command",
		    MASTERCF_ARGS_MAX);
	}
	if (ntok < MASTERCF_COLUMNS) {
		free(text);
		return mastercf_error(err, ctx->file, line->first,
		    "too few columns (%d): expected service type private "
		    "unpriv chroot wakeup maxproc command [args]", ntok);
	}
	if (table->nservices == MASTERCF_SERVICES_MAX) {
		free(text);
		return mastercf_error(err, ctx->file, line->first,
		    "too many services: at most %d", MASTERCF_SERVICES_MAX);
	}
	memset(&svc, 0, sizeof(svc));
	svc.lineno = line->first;
	if (mastercf_columns(&svc, tok, ntok, ctx->flags, &why) != 0) {
		mastercf_error(err, ctx->file, line->first, "%s", why.s);
		goto fail;
	}
	if ((dup = mastercf_find(table, svc.name, svc.type)) != NULL) {
		mastercf_error(err, ctx->file, line->first, "duplicate service "
		    "%s %s: first defined on line %d", svc.name,
		    mastercf_type_name(svc.type), dup->lineno);
		goto fail;
	}
	table->services = xreallocarray(table->services, table->nservices + 1,
	    sizeof(svc));
	table->services[table->nservices++] = svc;
	buf_free(&why);
	free(text);
	return 0;

fail:
	mastercf_service_free(&svc);
	buf_free(&why);
	free(text);
	return -1;
}

int
mastercf_parse(const char *file, const char *data, size_t len, int flags,
    struct mastercf **out, struct buf *err)
{
	struct mastercf_ctx ctx;

	ctx.file = file;
	ctx.flags = flags;
	ctx.table = xcalloc(1, sizeof(*ctx.table));
	if (cfg_scan(file, data, len, mastercf_line, &ctx, err) != 0) {
		mastercf_free(ctx.table);
		*out = NULL;
		return -1;
	}
	*out = ctx.table;
	return 0;
}

int
mastercf_read(const char *path, int flags, struct mastercf **out,
    struct buf *err)
{
	struct buf data = BUF_INIT;
	int rc;

	*out = NULL;
	if (cfg_read_file(path, &data, err) != 0) {
		buf_free(&data);
		return -1;
	}
	rc = mastercf_parse(path, data.s ? data.s : "", data.len, flags, out,
	    err);
	buf_free(&data);
	return rc;
}

const struct mastercf_service *
mastercf_find(const struct mastercf *table, const char *name,
    enum mastercf_type type)
{
	int i;

	for (i = 0; i < table->nservices; i++)
		if (table->services[i].type == type &&
		    strcmp(table->services[i].name, name) == 0)
			return &table->services[i];
	return NULL;
}

int
mastercf_same(const struct mastercf_service *a,
    const struct mastercf_service *b)
{
	return strcmp(a->line, b->line) == 0;
}

int
mastercf_same_address(const struct mastercf_service *a,
    const struct mastercf_service *b)
{
	int i;

	if (a->type != b->type || strcmp(a->name, b->name) != 0)
		return 0;
	if (a->type == MASTERCF_UNIX)
		return a->private == b->private;
	if (a->naddrs != b->naddrs)
		return 0;
	for (i = 0; i < a->naddrs; i++)
		if (a->addrs[i].len != b->addrs[i].len ||
		    memcmp(&a->addrs[i].ss, &b->addrs[i].ss, a->addrs[i].len) != 0)
			return 0;
	return 1;
}

char *
mastercf_socket_path(const struct mastercf_service *svc, const char *queue_dir)
{
	return xasprintf("%s/%s/%s", queue_dir,
	    svc->private ? PROTO_PRIVATE_DIR : PROTO_PUBLIC_DIR, svc->name);
}

const char *
mastercf_addr_str(const struct mastercf_addr *addr, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	const struct sockaddr *sa = (const struct sockaddr *)&addr->ss;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%d", host, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%d", host, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, size, "(address family %d)", sa->sa_family);
	}
	return buf;
}
