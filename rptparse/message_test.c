/*
 * message_test - rptparse's message path without the database: the MIME
 * search (message.c), bounded gunzip (gunzip.c) and hosted domain
 * matching (hosted.c), with the exact error texts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "buf.h"
#include "gunzip.h"
#include "hosted.h"
#include "message.h"
#include "mymalloc.h"
#include "unit.h"


static const char report[] = "{\"organization-name\":\"o\"}";

/* gzip of data, as gzip(1) makes it. */
static void
gz(const void *data, size_t len, struct buf *out)
{
	unsigned char chunk[4096];
	z_stream zs;
	int zr;

	memset(&zs, 0, sizeof(zs));
	deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zr = deflate(&zs, Z_FINISH);
		buf_append(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (zr == Z_OK);
	deflateEnd(&zs);
}

static void
b64(const struct buf *in, struct buf *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)in->s;
	size_t i;

	for (i = 0; i < in->len; i += 3) {
		unsigned v = p[i] << 16 | (i + 1 < in->len ? p[i + 1] << 8 : 0) |
		    (i + 2 < in->len ? p[i + 2] : 0);

		buf_putc(out, a[v >> 18 & 63]);
		buf_putc(out, a[v >> 12 & 63]);
		buf_putc(out, i + 1 < in->len ? a[v >> 6 & 63] : '=');
		buf_putc(out, i + 2 < in->len ? a[v & 63] : '=');
		if (i % 57 == 54)
			buf_puts(out, "\r\n");
	}
	buf_puts(out, "\r\n");
}

/* A report mail with one attachment of the given type and name. */
static void
mail(const char *type, const char *name, const struct buf *body,
    struct buf *out)
{
	buf_reset(out);
	buf_puts(out, "From: TLS Reporting <noreply-smtp-tls-reporting@"
	    "google.com>\r\nTo: tlsrpt@demo.test\r\nSubject: Report\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: multipart/report;"
	    " report-type=tlsrpt; boundary=\"XX\"\r\n\r\n--XX\r\n"
	    "Content-Type: text/plain\r\n\r\nThis is a report.\r\n--XX\r\n");
	buf_printf(out, "Content-Type: %s", type);
	if (name)
		buf_printf(out, "; name=\"%s\"", name);
	buf_puts(out, "\r\nContent-Transfer-Encoding: base64\r\n");
	if (name)
		buf_printf(out, "Content-Disposition: attachment;"
		    " filename=\"%s\"\r\n", name);
	buf_puts(out, "\r\n");
	b64(body, out);
	buf_puts(out, "--XX--\r\n");
}

static int
extract(const struct buf *in, struct message *m, struct buf *err)
{
	struct message_limits lim;

	message_limits_default(&lim);
	message_clear(m);
	buf_reset(err);
	return message_extract(in->s, in->len, &lim, m, err);
}

static void
test_mail(void)
{
	struct buf json = BUF_INIT, z = BUF_INIT, msg = BUF_INIT, err = BUF_INIT;
	struct message m;

	message_init(&m);
	buf_puts(&json, report);
	gz(json.s, json.len, &z);

	mail("application/tlsrpt+gzip", "google.com!demo.test!1!2!001.json.gz",
	    &z, &msg);
	CHECK(extract(&msg, &m, &err) == 0 && m.nreports == 1 &&
	    m.reports[0].len == json.len &&
	    memcmp(m.reports[0].json, report, json.len) == 0 &&
	    m.reports[0].note == NULL, "application/tlsrpt+gzip inflated");
	CHECK(STR_EQ(m.via, "mailto") && STR_EQ(m.submitter,
	    "noreply-smtp-tls-reporting@google.com"), "submitter from From:");

	mail("application/tlsrpt+json", NULL, &json, &msg);
	CHECK(extract(&msg, &m, &err) == 0 && m.nreports == 1 &&
	    m.reports[0].len == json.len, "application/tlsrpt+json taken");

	mail("application/octet-stream", "report.json.gz", &z, &msg);
	CHECK(extract(&msg, &m, &err) == 0 && m.nreports == 1 &&
	    STR_EQ(m.reports[0].note, "report attached as"
	    " application/octet-stream"), "octet-stream .json.gz taken, noted");

	mail("application/x-gzip", "report.json.gz", &z, &msg);
	CHECK(extract(&msg, &m, &err) == 0 && m.nreports == 1,
	    "application/x-gzip taken");

	mail("application/json", "report.json", &json, &msg);
	CHECK(extract(&msg, &m, &err) == 0 && m.nreports == 1,
	    "application/json .json taken");

	mail("application/gzip", NULL, &z, &msg);
	CHECK(extract(&msg, &m, &err) == -1 && STR_EQ(err.s, "no TLS report in"
	    " the message (parts: text/plain, application/gzip)"),
	    "unnamed application/gzip is no report");

	buf_reset(&msg);
	buf_puts(&msg, "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n");
	CHECK(extract(&msg, &m, &err) == -1 && STR_EQ(err.s, "no TLS report"
	    " in the message (parts: text/plain)"), "plain mail: no report");

	buf_reset(&z);
	buf_append(&z, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff", 13);
	mail("application/tlsrpt+gzip", NULL, &z, &msg);
	CHECK(extract(&msg, &m, &err) == -1 && STR_EQ(err.s, "gzip data is"
	    " corrupt: invalid block type"), "corrupt gzip");

	message_clear(&m);
	buf_free(&json);
	buf_free(&z);
	buf_free(&msg);
	buf_free(&err);
}

static void
test_depth(void)
{
	struct buf msg = BUF_INIT, err = BUF_INIT, json = BUF_INIT;
	struct message m;
	int i;

	message_init(&m);
	buf_puts(&msg, "From: a@example.com\r\nMIME-Version: 1.0\r\n");
	for (i = 0; i < 1000; i++)
		buf_printf(&msg, "Content-Type: multipart/mixed; boundary=\"b%d\""
		    "\r\n\r\n--b%d\r\n", i, i);
	buf_puts(&msg, "Content-Type: application/tlsrpt+json\r\n\r\n{}\r\n");
	for (i = 999; i >= 0; i--)
		buf_printf(&msg, "--b%d--\r\n", i);
	CHECK(extract(&msg, &m, &err) == -1 && STR_EQ(err.s, "MIME parts nested"
	    " deeper than 8 levels"), "multipart nested 1000 deep refused");

	buf_reset(&msg);
	for (i = 0; i < MESSAGE_BOUNDARIES_MAX + 1; i++)
		buf_puts(&msg, "boundary ");
	CHECK(extract(&msg, &m, &err) == -1 && STR_EQ(err.s, "MIME structure"
	    " refused: more than 2048 multipart boundaries"),
	    "too many boundaries refused before GMime");

	buf_reset(&msg);
	buf_puts(&msg, "X-Stsd-Via: https\r\nContent-Type: application/tlsrpt"
	    "+json\r\n\r\n");
	buf_puts(&msg, report);
	CHECK(extract(&msg, &m, &err) == 0 && STR_EQ(m.via, "https") &&
	    m.nreports == 1 && m.reports[0].len == strlen(report) &&
	    m.submitter == NULL && m.reports[0].note == NULL,
	    "https POST form");
	buf_reset(&msg);
	buf_puts(&msg, "X-Stsd-Via: https\nContent-Type: text/plain\n\n");
	buf_puts(&msg, report);
	CHECK(extract(&msg, &m, &err) == 0 && STR_EQ(m.reports[0].note,
	    "report POSTed as text/plain"), "https POST with another type");
	buf_reset(&msg);
	buf_puts(&msg, "X-Stsd-Via: https\r\nContent-Type: x");
	CHECK(extract(&msg, &m, &err) == -1 && STR_EQ(err.s, "https report: no"
	    " blank line after its header"), "https form without a body");
	(void)json;
	message_clear(&m);
	buf_free(&msg);
	buf_free(&err);
}

static void
test_gunzip(void)
{
	struct gunzip_limits lim = { 1 << 20, 0 };
	struct buf in = BUF_INIT, z = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	char *zeros = xcalloc(1, 4 << 20);

	gz(zeros, 4 << 20, &z);
	CHECK(gunzip(z.s, z.len, &lim, &out, &err) == -1 && STR_EQ(err.s,
	    "gzip output exceeds the limit of 1048576 bytes") &&
	    out.len <= (1 << 20) + GUNZIP_CHUNK, "output limit, bounded memory");
	lim.size = 8 << 20;
	lim.ratio = 200;
	buf_reset(&out);
	buf_reset(&err);
	CHECK(gunzip(z.s, z.len, &lim, &out, &err) == -1 && STR_EQ(err.s,
	    "gzip ratio exceeds 200:1 (a gzip bomb?)") &&
	    out.len <= GUNZIP_RATIO_FLOOR + GUNZIP_CHUNK, "ratio limit");
	lim.ratio = 0;
	buf_reset(&out);
	buf_reset(&err);
	CHECK(gunzip(z.s, z.len / 2, &lim, &out, &err) == -1 &&
	    STR_EQ(err.s, "gzip data is truncated"), "truncated gzip");
	buf_reset(&out);
	buf_reset(&err);
	buf_puts(&in, "abc");
	buf_reset(&z);
	gz(in.s, in.len, &z);
	buf_append(&z, z.s, z.len);
	CHECK(gunzip(z.s, z.len, &lim, &out, &err) == 0 &&
	    STR_EQ(out.s, "abcabc"), "two gzip members");
	buf_reset(&out);
	buf_append(&z, "xx", 2);
	CHECK(gunzip(z.s, z.len, &lim, &out, &err) == -1 &&
	    STR_EQ(err.s, "data after the end of the gzip stream"),
	    "trailing garbage");
	buf_reset(&err);
	CHECK(gunzip("{}", 2, &lim, &out, &err) == -1 &&
	    STR_EQ(err.s, "not gzip data"), "not gzip");
	free(zeros);
	buf_free(&in);
	buf_free(&z);
	buf_free(&out);
	buf_free(&err);
}

static void
test_hosted(void)
{
	static const char *const d[] = { "Example.com.", "sub.example.com",
	    "example.org" };
	struct hosted h = HOSTED_INIT;

	hosted_set(&h, d, 3);
	CHECK(STR_EQ(hosted_match(&h, "example.com"), "example.com"),
	    "exact match, case and final dot ignored");
	CHECK(STR_EQ(hosted_match(&h, "a.sub.example.com."),
	    "sub.example.com"), "longest parent wins");
	CHECK(STR_EQ(hosted_match(&h, "mail.EXAMPLE.com"), "example.com"),
	    "subdomain belongs to its parent");
	CHECK(hosted_match(&h, "badexample.com") == NULL,
	    "suffix that is no parent does not match");
	CHECK(hosted_match(&h, NULL) == NULL, "no policy-domain");
	hosted_clear(&h);
}

int
main(void)
{
	test_mail();
	test_depth();
	test_gunzip();
	test_hosted();
	message_shutdown();
	return unit_status();
}
