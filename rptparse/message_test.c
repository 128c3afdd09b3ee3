/*
 * message_test - rptparse's message path without the database: the MIME
 * search (message.c), bounded gunzip (gunzip.c) and hosted domain
 * matching (hosted.c), with the exact error texts.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "buf.h"
#include "gunzip.h"
#include "hosted.h"
#include "message.h"
#include "mimefast.h"
#include "msgdiff.h"
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

	/* Counted in any case, at any offset; "boundar" and "BOUNDARX" not. */
	buf_reset(&msg);
	buf_puts(&msg, "x");
	for (i = 0; i < MESSAGE_BOUNDARIES_MAX + 1; i++)
		buf_puts(&msg, i % 3 == 0 ? "BoUnDaRy" : i % 3 == 1 ?
		    "BOUNDARY\"boundar BOUNDARX " : "\tboundaryboundar");
	buf_reset(&err);
	CHECK(extract(&msg, &m, &err) == -1 && STR_EQ(err.s, "MIME structure"
	    " refused: more than 2048 multipart boundaries"),
	    "boundaries counted in any case and at any offset");
	buf_reset(&msg);
	for (i = 0; i < MESSAGE_BOUNDARIES_MAX; i++)
		buf_puts(&msg, "bOUNDARY boundar@bOUNDARX");
	buf_puts(&msg, "boundar");
	buf_reset(&err);
	CHECK(extract(&msg, &m, &err) == -1 && err.s != NULL &&
	    strstr(err.s, "boundaries") == NULL,
	    "2048 boundaries and near misses are not refused as too many");

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

/* 100,000 hosted domains: set once, then many lookups stay cheap. */
static void
test_hosted_many(void)
{
	enum { N = 100000, LOOKUPS = 200000 };
	static const char *const two[] = { "a.example", "b.example" };
	static const char *const two_again[] = { "B.example.", "a.example" };
	char **names = xcalloc(N, sizeof(*names)), q[64];
	struct hosted h = HOSTED_INIT;
	unsigned long gen;
	clock_t t0;
	size_t i;
	int ok = 1;

	for (i = 0; i < N; i++)
		names[i] = xasprintf("d%06zu.example", (i * 7919) % N);
	hosted_set(&h, (const char *const *)names, N);
	t0 = clock();
	for (i = 0; i < LOOKUPS; i++) {
		snprintf(q, sizeof(q), "mx%zu.d%06zu.example", i % 3,
		    (i * 31) % N);
		ok &= STR_EQ(hosted_match(&h, q), q + strlen("mxN."));
	}
	ok &= hosted_match(&h, "d100000.example") == NULL;
	CHECK(ok, "100,000 hosted domains: every subdomain finds its domain");
	/* A scan of the list per lookup would take minutes here. */
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0,
	    "200,000 lookups among 100,000 domains take well under 5 s"
	    " (%.2f s)", (double)(clock() - t0) / CLOCKS_PER_SEC);
	for (i = 0; i < N; i++)
		free(names[i]);
	free(names);

	hosted_set(&h, two, 2);
	gen = h.generation;
	hosted_set(&h, two_again, 2);
	CHECK(h.generation == gen, "the same list again (other case, order"
	    " and final dot): generation unchanged");
	hosted_set(&h, two, 1);
	CHECK(h.generation != gen, "another list: a new generation");
	hosted_clear(&h);
}

/*
 * The fast path (mimefast) against GMime: the same result for every
 * message, whether the fast path takes it or hands it to GMime.
 */
static int
same_result(const char *data, size_t len)
{
	struct message_limits lim;

	message_limits_default(&lim);
	return msgdiff_same(data, len, &lim, 1);
}

/* mail() with one change: from replaced by to (once). */
static void
variant(const struct buf *base, const char *from, const char *to,
    struct buf *out)
{
	const char *p = strstr(base->s, from);

	buf_reset(out);
	if (p == NULL) {
		buf_append(out, base->s, base->len);
		return;
	}
	buf_append(out, base->s, (size_t)(p - base->s));
	buf_puts(out, to);
	buf_puts(out, p + strlen(from));
}

static int
fast_taken(const struct buf *msg)
{
	static struct mimefast mf;

	return mimefast_parse(msg->s, msg->len, &mf) == 0;
}

/* Every file of $SRCDIR/dir: the same result both ways. */
static void
same_dir(const char *dir)
{
	const char *top = getenv("SRCDIR");
	struct buf data = BUF_INIT;
	struct dirent *de;
	char path[4096];
	FILE *fp;
	DIR *d;
	size_t n;
	int files = 0, bad = 0;

	if (top == NULL)
		top = ".";
	snprintf(path, sizeof(path), "%s/%s", top, dir);
	if ((d = opendir(path)) == NULL) {
		printf("# %s: not found, skipped\n", path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", top, dir, de->d_name);
		if ((fp = fopen(path, "rb")) == NULL)
			continue;
		buf_reset(&data);
		buf_reserve(&data, 65536);
		while ((n = fread(data.s + data.len, 1, 65536, fp)) > 0) {
			data.len += n;
			buf_reserve(&data, 65536);
		}
		fclose(fp);
		files++;
		if (!same_result(data.s, data.len)) {
			printf("# differs: %s\n", path);
			bad++;
		}
	}
	closedir(d);
	CHECK(bad == 0, "%s: %d files, the same with and without GMime", dir,
	    files);
	buf_free(&data);
}

static void
test_fast(void)
{
	static const char *const changes[][2] = {
		/* Taken by the fast path. */
		{ "", "" },
		{ "From: TLS Reporting <", "From: \"TLS Reporting\" <" },
		{ "From: TLS Reporting <noreply-smtp-tls-reporting@google.com>",
		    "From: noreply-smtp-tls-reporting@google.com" },
		{ " boundary=\"XX\"", "\r\n\tboundary=XX" },
		{ "Content-Type: text/plain\r\n\r\n", "\r\n" },
		/* Most handed to GMime: the same result either way. */
		{ "From: TLS Reporting <", "From: =?utf-8?q?TLS?= <" },
		{ "From: TLS Reporting <", "From: TLS (Reporting) <" },
		{ "From: TLS Reporting <noreply-smtp-tls-reporting@google.com>",
		    "From: a@b, c@d" },
		{ "MIME-Version: 1.0\r\n", "" },
		{ "multipart/report", "Multipart/Report" },
		{ "multipart/report", "multipart/digest" },
		{ "--XX--\r\n", "" },
		{ "--XX--", "--XX-- " },
		{ "--XX\r\nContent-Type: text/plain", "--XXY\r\nContent-Type: text/plain" },
		{ "filename=\"", "filename*=\"" },
		{ "filename=\"", "filename=\"=?utf-8?q?a?=" },
		{ "Content-Transfer-Encoding: base64",
		    "Content-Transfer-Encoding: quoted-printable" },
		{ "Content-Transfer-Encoding: base64", "Content-Transfer-Encoding: 7bit" },
		{ "Content-Transfer-Encoding: base64\r\n",
		    "Content-Transfer-Encoding: base64\r\nContent-Type: text/plain\r\n" },
		{ "\r\n\r\nH4sI", "\r\n\r\n H4sI" },
		{ "\r\n\r\nH4sI", "\r\n\r\nH4s*I" },
		{ "\r\n\r\nH4sI", "\r\n\r\n====H4sI" },
		{ "This is a report.", "--XX is a report." },
		{ "Subject: Report\r\n", "Subject: Report\r\n folded\r\n" },
		{ "Subject: Report\r\n", "Subject Report\r\n" },
		{ "Subject: Report\r\n", "From: other@example.com\r\n" },
		{ "Content-Type: text/plain\r\n\r\nThis is a report.\r\n--XX",
		    "Content-Type: message/rfc822\r\n\r\nFrom: a@b\r\n\r\nhi\r\n--XX" },
	};
	struct buf json = BUF_INIT, z = BUF_INIT, base = BUF_INIT, msg = BUF_INIT;
	size_t i;
	int bad = 0;

	buf_puts(&json, report);
	gz(json.s, json.len, &z);
	mail("application/octet-stream", "google.com!demo.test!1!2.json.gz",
	    &z, &base);
	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		variant(&base, changes[i][0], changes[i][1], &msg);
		if (i < 5 && !fast_taken(&msg)) {
			printf("# variant %zu not taken by the fast path\n", i);
			bad++;
		}
		if (!same_result(msg.s, msg.len)) {
			printf("# variant %zu differs\n", i);
			bad++;
		}
	}
	CHECK(bad == 0, "mail variants: the same with and without GMime, the"
	    " common shapes without it");
	/* LF line ends throughout. */
	buf_reset(&msg);
	for (i = 0; i < base.len; i++)
		if (base.s[i] != '\r')
			buf_putc(&msg, base.s[i]);
	CHECK(fast_taken(&msg) && same_result(msg.s, msg.len),
	    "LF line ends: fast path, the same result");
	same_dir("tests/rptparse/fixtures");
	same_dir("tests/fuzz/corpus/rptmsg");
	buf_free(&json);
	buf_free(&z);
	buf_free(&base);
	buf_free(&msg);
}

int
main(void)
{
	test_mail();
	test_fast();
	test_depth();
	test_gunzip();
	test_hosted();
	test_hosted_many();
	message_shutdown();
	return unit_status();
}
