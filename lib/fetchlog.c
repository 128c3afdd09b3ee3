/*
 * fetchlog - the records of policy fetches and their datagrams; the
 * interface is fetchlog.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "esc.h"
#include "fetchlog.h"

#define FETCHLOG_FIELDS		10
#define FETCHLOG_POLICY_PREFIX	"mta-sts."	/* RFC 8461 section 3.3 */

/* One string field: esc_line(), "-" for empty. */
static void
fetchlog_put_str(struct buf *out, const char *s)
{
	if (s[0] == '\0')
		buf_putc(out, '-');
	else if (strcmp(s, "-") == 0)
		buf_puts(out, "\\x2d");
	else
		esc_line(out, s);
}

void
fetchlog_encode(struct buf *out, const struct fetchrec *r)
{
	buf_printf(out, "%" PRId64 " %u %s %d %d ", r->time, r->duration_ms,
	    r->addr[0] ? r->addr : "-", r->status, r->hosted ? 1 : 0);
	fetchlog_put_str(out, r->failure);
	buf_putc(out, ' ');
	fetchlog_put_str(out, r->tls);
	buf_putc(out, ' ');
	fetchlog_put_str(out, r->sni);
	buf_putc(out, ' ');
	fetchlog_put_str(out, r->host);
	buf_putc(out, ' ');
	fetchlog_put_str(out, r->path);
	buf_putc(out, '\n');
}

void
fetchlog_copy(char *dst, size_t size, const char *src, size_t len)
{
	const char *nul = memchr(src, '\0', len);

	if (nul != NULL)
		len = (size_t)(nul - src);
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

int
fetchlog_addr(const struct sockaddr *sa, socklen_t len, char *out)
{
	out[0] = '\0';
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, out, FETCHLOG_ADDR_MAX + 1) ?
		    0 : -1;
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr;

		/* A v4 client of a dual-stack socket is its v4 address. */
		if (IN6_IS_ADDR_V4MAPPED(a))
			return inet_ntop(AF_INET, &a->s6_addr[12], out,
			    FETCHLOG_ADDR_MAX + 1) ? 0 : -1;
		return inet_ntop(AF_INET6, a, out, FETCHLOG_ADDR_MAX + 1) ?
		    0 : -1;
	}
	return -1;
}

/* An IPv4 or IPv6 address in its canonical text form; -1: not one. */
int
fetchlog_canon_addr(const char *in, char *out)
{
	unsigned char a[sizeof(struct in6_addr)];

	if (strlen(in) > FETCHLOG_ADDR_MAX)
		return -1;
	if (inet_pton(AF_INET, in, a) == 1)
		return inet_ntop(AF_INET, a, out, FETCHLOG_ADDR_MAX + 1) ?
		    0 : -1;
	if (inet_pton(AF_INET6, in, a) == 1) {
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)(void *)a))
			return inet_ntop(AF_INET, a + 12, out,
			    FETCHLOG_ADDR_MAX + 1) ? 0 : -1;
		return inet_ntop(AF_INET6, a, out, FETCHLOG_ADDR_MAX + 1) ?
		    0 : -1;
	}
	return -1;
}

void
fetchlog_domain(const char *sni, char *out, size_t size)
{
	size_t n = sizeof(FETCHLOG_POLICY_PREFIX) - 1, i;

	out[0] = '\0';
	if (strncasecmp(sni, FETCHLOG_POLICY_PREFIX, n) != 0 ||
	    sni[n] == '\0' || strlen(sni + n) >= size)
		return;
	for (i = 0; sni[n + i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)sni[n + i]);
	out[i] = '\0';
}

/* A decimal integer from 0 to max; -1: not one. */
static int
fetchlog_number(const char *s, int64_t max, int64_t *v)
{
	int64_t n = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
		if (n > max)
			return -1;
	}
	*v = n;
	return 0;
}

/* A string field into dst (size bytes with the NUL); -1: malformed. */
static int
fetchlog_get_str(const char *f, char *dst, size_t size)
{
	struct buf b = BUF_INIT;
	int rc = -1;

	if (strcmp(f, "-") == 0) {
		dst[0] = '\0';
		return 0;
	}
	if (esc_unline(&b, f, strlen(f)) == 0 && b.len < size) {
		memcpy(dst, b.s, b.len);
		dst[b.len] = '\0';
		rc = 0;
	}
	buf_free(&b);
	return rc;
}

/* A token: letters, digits and "-:._" only (failure, TLS version). */
static int
fetchlog_token(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("-:._", *s) == NULL)
			return -1;
	return 0;
}

/* Splits line (NUL-terminated, written to) into fields at spaces. */
static int
fetchlog_split(char *line, char *f[FETCHLOG_FIELDS])
{
	int n = 0;
	char *p = line;

	while (n < FETCHLOG_FIELDS) {
		f[n++] = p;
		if ((p = strchr(p, ' ')) == NULL)
			break;
		*p++ = '\0';
	}
	return n == FETCHLOG_FIELDS && p == NULL ? 0 : -1;
}

/* One line into r; NULL, or what is wrong with it. */
static const char *
fetchlog_parse_line(char *line, struct fetchrec *r)
{
	char *f[FETCHLOG_FIELDS];
	int64_t v;

	memset(r, 0, sizeof(*r));
	if (fetchlog_split(line, f) != 0)
		return "not 10 fields";
	if (fetchlog_number(f[0], FETCHLOG_TIME_MAX, &v) != 0 || v == 0)
		return "bad time";
	r->time = v;
	if (fetchlog_number(f[1], FETCHLOG_DURATION_MAX, &v) != 0)
		return "bad duration";
	r->duration_ms = (unsigned)v;
	if (fetchlog_canon_addr(f[2], r->addr) != 0)
		return "bad address";
	if (fetchlog_number(f[3], 599, &v) != 0 || (v != 0 && v < 100))
		return "bad status";
	r->status = (int)v;
	if (fetchlog_number(f[4], 1, &v) != 0)
		return "bad hosted flag";
	r->hosted = (int)v;
	if (fetchlog_get_str(f[5], r->failure, sizeof(r->failure)) != 0 ||
	    fetchlog_token(r->failure) != 0 ||
	    (r->status == 0) != (r->failure[0] != '\0'))
		return "bad failure";
	if (fetchlog_get_str(f[6], r->tls, sizeof(r->tls)) != 0 ||
	    fetchlog_token(r->tls) != 0)
		return "bad TLS version";
	if (fetchlog_get_str(f[7], r->sni, sizeof(r->sni)) != 0)
		return "bad SNI";
	if (fetchlog_get_str(f[8], r->host, sizeof(r->host)) != 0)
		return "bad Host";
	if (fetchlog_get_str(f[9], r->path, sizeof(r->path)) != 0)
		return "bad path";
	return NULL;
}

int
fetchlog_parse(const char *data, size_t len, fetchlog_handler handler,
    void *arg, int *refused, struct buf *err)
{
	size_t magic = sizeof(FETCHLOG_MAGIC) - 1, off, n;
	char line[FETCHLOG_LINE_MAX + 1];
	struct fetchrec r;
	const char *nl, *why;
	int good = 0, recno = 0;

	*refused = 0;
	if (len > FETCHLOG_DGRAM_MAX || len <= magic ||
	    memcmp(data, FETCHLOG_MAGIC "\n", magic + 1) != 0) {
		buf_puts(err, "not a fetch record datagram");
		return -1;
	}
	for (off = magic + 1; off < len && recno < FETCHLOG_DGRAM_RECORDS;
	    off += n + 1) {
		recno++;
		nl = memchr(data + off, '\n', len - off);
		n = nl ? (size_t)(nl - (data + off)) : len - off;
		if (n > FETCHLOG_LINE_MAX || memchr(data + off, '\0', n))
			why = "line too long or with a NUL";
		else {
			memcpy(line, data + off, n);
			line[n] = '\0';
			why = fetchlog_parse_line(line, &r);
		}
		if (why == NULL) {
			handler(&r, arg);
			good++;
		} else {
			(*refused)++;
			if (err->len == 0)
				buf_printf(err, "record %d: %s", recno, why);
		}
	}
	if (off < len) {
		(*refused)++;
		if (err->len == 0)
			buf_printf(err, "more than %d records; the rest "
			    "ignored", FETCHLOG_DGRAM_RECORDS);
	}
	return good;
}
