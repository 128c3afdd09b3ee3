/*
 * dkimcheck_test - unit test of dkimcheck: messages signed here with
 * libopendkim's signer (RSA keys made with OpenSSL), keys served by a
 * lookup function instead of DNS.  The DNS path, ed25519-sha256 and
 * real signatures are in tests/rptparse/dkim.t.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <opendkim/dkim.h>

#include "buf.h"
#include "dkimcheck.h"
#include "dkimkey.h"
#include "mymalloc.h"
#include "unit.h"


static char *test_pem;			/* the private key */
static char *test_record;		/* its TXT record */
static int test_lookups;
static int test_temp;			/* 1: every lookup fails for now */

static const char test_body[] =
	"From: TLS Reports <reports@mail.sender.example>\r\n"
	"To: tlsrpt@demo.test\r\n"
	"Subject: Report Domain: demo.test\r\n"
	"Date: Fri, 20 Nov 2026 10:00:00 +0000\r\n"
	"\r\n"
	"{\"organization-name\":\"sender\"}\r\n";

static void
test_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	BIO *b = BIO_new(BIO_s_mem());
	unsigned char *der = NULL;
	char *p;
	long n;
	int dl;

	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &p);
	test_pem = xstrndup(p, (size_t)n);
	BIO_free(b);
	dl = i2d_PUBKEY(k, &der);
	p = xmalloc((size_t)dl * 2 + 4);
	EVP_EncodeBlock((unsigned char *)p, der, dl);
	test_record = xasprintf("v=DKIM1; k=rsa; p=%s", p);
	free(p);
	OPENSSL_free(der);
	EVP_PKEY_free(k);
}

static enum dkimcheck_key
test_lookup(void *ctx, const char *qname, struct buf *txt, time_t *ttl)
{
	int i;

	(void)ctx;
	test_lookups++;
	*ttl = 300;
	if (strcmp(qname, "huge._domainkey.sender.example") == 0) {
		buf_puts(txt, test_record);
		for (i = 0; i < 100; i++)
			buf_puts(txt, "; n=padding padding padding padding pad");
		return DKIMCHECK_KEY_FOUND;
	}
	if (strncmp(qname, "slow", 4) == 0) {
		struct timespec ts = { 0, 60 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		return DKIMCHECK_KEY_NONE;
	}
	if (strcmp(qname, "ctl._domainkey.sender.example") == 0) {
		buf_puts(txt, "v=DKIM1; k=rsa;\n\x01\x1b[31m p=AAAA\r\n");
		return DKIMCHECK_KEY_FOUND;
	}
	if (test_temp) {
		buf_puts(txt, "timed out");
		return DKIMCHECK_KEY_TEMP;
	}
	if (strcmp(qname, "s1._domainkey.sender.example") != 0 &&
	    strcmp(qname, "s1._domainkey.other.example") != 0)
		return DKIMCHECK_KEY_NONE;
	buf_puts(txt, test_record);
	return DKIMCHECK_KEY_FOUND;
}

/* msg signed by d=domain s=s1, with the signature header on top. */
static char *
test_sign(const char *msg, const char *domain, const char *sel,
    dkim_canon_t canon, time_t when, uint64_t ttl)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	DKIM_STAT st;
	DKIM *dkim;
	unsigned char hdr[4096];
	char *out;

	if (when != 0)
		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &when,
		    sizeof(when));
	if (ttl != 0)
		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNATURETTL, &ttl,
		    sizeof(ttl));
	dkim = dkim_sign(lib, (const unsigned char *)"t", NULL,
	    (dkim_sigkey_t)test_pem, (const unsigned char *)sel,
	    (const unsigned char *)domain, canon, canon, DKIM_SIGN_RSASHA256,
	    -1, &st);
	if (dkim == NULL)
		return NULL;
	dkim_chunk(dkim, (unsigned char *)(uintptr_t)msg, strlen(msg));
	dkim_chunk(dkim, NULL, 0);
	dkim_eom(dkim, NULL);
	st = dkim_getsighdr(dkim, hdr, sizeof(hdr),
	    strlen("DKIM-Signature: "));
	out = st == DKIM_STAT_OK ? xasprintf("DKIM-Signature: %s\r\n%s",
	    (char *)hdr, msg) : NULL;
	dkim_free(dkim);
	dkim_close(lib);
	return out;
}

static void
test_verify(struct dkimcheck *dc, const char *msg, const char *from,
    struct dkimcheck_outcome *out)
{
	dkimcheck_verify(dc, msg, strlen(msg), from, out);
}

static void
test_alignment(void)
{
	CHECK(dkimcheck_aligned("bigorg.example", "bigorg.example"),
	    "aligned: same domain");
	CHECK(dkimcheck_aligned("mail.bigorg.example", "bigorg.example"),
	    "aligned: parent domain");
	CHECK(dkimcheck_aligned("Mail.BigOrg.Example", "bigorg.example."),
	    "aligned: case and final dot do not matter");
	CHECK(!dkimcheck_aligned("bigorg.example", "mail.bigorg.example"),
	    "not aligned: a subdomain of From:");
	CHECK(!dkimcheck_aligned("notbigorg.example", "bigorg.example"),
	    "not aligned: a suffix that is not a parent");
	CHECK(!dkimcheck_aligned("bigorg.example", "example"),
	    "not aligned: a top-level domain alone");
	CHECK(!dkimcheck_aligned(NULL, "bigorg.example"),
	    "not aligned: no From: domain");
}

int
main(void)
{
	struct dkimcheck_conf conf = { 1000, 60 };
	struct dkimcheck_outcome o;
	struct buf err = BUF_INIT;
	struct dkimcheck *dc;
	char *m, *changed, *p;
	const char *from = "reports@mail.sender.example";

	test_alignment();
	test_key();
	dc = dkimcheck_new(&conf, &err);
	CHECK(dc != NULL, "dkimcheck_new %s", err.s ? err.s : "");
	if (dc == NULL)
		return unit_status();
	dkimcheck_set_lookup(dc, test_lookup, NULL);

	m = test_sign(test_body, "sender.example", "s1", DKIM_CANON_RELAXED, 0,
	    0);
	CHECK(m != NULL, "signed relaxed/relaxed");
	test_verify(dc, m, from, &o);
	CHECK(o.result == DKIMCHECK_PASS && strcmp(o.domain,
	    "sender.example") == 0 && strcmp(o.selector, "s1") == 0 &&
	    o.reason[0] == '\0', "relaxed: pass, d= and s= (%s %s %s)",
	    dkimcheck_result_name(o.result), o.domain, o.reason);
	test_verify(dc, m, from, &o);
	CHECK(o.result == DKIMCHECK_PASS && test_lookups == 1,
	    "the key is cached: one lookup for two messages (%d)",
	    test_lookups);
	{
		unsigned long hits, decoded;

		dkimkey_stats(&hits, &decoded);
		CHECK(decoded == 1 && hits == 1, "the key is decoded once"
		    " for two signatures (%lu decoded, %lu again)", decoded,
		    hits);
	}

	/*
	 * Lines ended by a bare LF (a message stored in Unix form) are
	 * verified as the CRLF lines that were signed: the whole message,
	 * and only the last body line (the rest in CRLF, as it came).
	 */
	{
		char *lf = xstrdup(m), *q, *w;
		size_t n;

		for (q = w = lf; *q != '\0'; q++)
			if (!(q[0] == '\r' && q[1] == '\n'))
				*w++ = *q;
		*w = '\0';
		test_verify(dc, lf, from, &o);
		CHECK(o.result == DKIMCHECK_PASS, "every line ended by a bare"
		    " LF: pass (%s %s)", dkimcheck_result_name(o.result),
		    o.reason);
		free(lf);
		lf = xstrdup(m);
		n = strlen(lf);
		CHECK(n > 2 && strcmp(lf + n - 2, "\r\n") == 0,
		    "the signed message ends with CRLF");
		lf[n - 2] = '\n';
		lf[n - 1] = '\0';
		test_verify(dc, lf, from, &o);
		CHECK(o.result == DKIMCHECK_PASS, "the last body line ended by"
		    " a bare LF: pass (%s %s)",
		    dkimcheck_result_name(o.result), o.reason);
		free(lf);
	}

	/* The body changed after signing. */
	changed = xstrdup(m);
	p = strstr(changed, "sender\"}");
	*p = 'S';
	test_verify(dc, changed, from, &o);
	CHECK(o.result == DKIMCHECK_FAIL && strcmp(o.reason,
	    "body hash did not verify") == 0, "body changed: fail, %s",
	    o.reason);
	free(changed);
	/* A signed header changed. */
	changed = xstrdup(m);
	p = strstr(changed, "Subject: Report");
	p[9] = 'r';
	test_verify(dc, changed, from, &o);
	CHECK(o.result == DKIMCHECK_FAIL && strcmp(o.reason,
	    "signature did not verify") == 0, "Subject changed: fail, %s",
	    o.reason);
	free(changed);
	/* A Received: header on top, as rptrecv writes it. */
	changed = xasprintf("Received: from mx.sender.example ([192.0.2.1])"
	    "\r\n\tfor <tlsrpt@demo.test>; Fri, 20 Nov 2026 10:00:01 +0000"
	    "\r\n%s", m);
	test_verify(dc, changed, from, &o);
	CHECK(o.result == DKIMCHECK_PASS, "a Received: on top: still pass");
	free(changed);
	/* Another From: on top. */
	changed = xasprintf("From: reports@mail.sender.example\r\n%s", m);
	test_verify(dc, changed, from, &o);
	CHECK(o.result == DKIMCHECK_FAIL && strcmp(o.reason,
	    "several From: header fields") == 0, "two From: fail, %s",
	    o.reason);
	free(changed);

	/* Not aligned: From: is somewhere else. */
	test_lookups = 0;
	test_verify(dc, m, "reports@bigorg.example", &o);
	CHECK(o.result == DKIMCHECK_FAIL && strcmp(o.reason,
	    "d=sender.example is not aligned with From: bigorg.example") ==
	    0 && test_lookups == 0, "unaligned: fail, no lookup: %s",
	    o.reason);
	free(m);

	/* d= in capitals: aligned, stored in lower case. */
	m = test_sign(test_body, "Sender.EXAMPLE", "s1", DKIM_CANON_RELAXED, 0,
	    0);
	test_verify(dc, m, from, &o);
	CHECK(o.result == DKIMCHECK_PASS && strcmp(o.domain,
	    "sender.example") == 0, "d=Sender.EXAMPLE: pass, d= as %s",
	    o.domain);
	free(m);

	/* Simple canonicalization. */
	m = test_sign(test_body, "mail.sender.example", "s1",
	    DKIM_CANON_SIMPLE, 0, 0);
	test_verify(dc, m, from, &o);
	CHECK(o.result == DKIMCHECK_FAIL && strcmp(o.reason,
	    "no key at s1._domainkey.mail.sender.example") == 0,
	    "no key: fail, %s", o.reason);
	free(m);
	m = test_sign(test_body, "sender.example", "s1", DKIM_CANON_SIMPLE, 0,
	    0);
	test_verify(dc, m, from, &o);
	CHECK(o.result == DKIMCHECK_PASS, "simple/simple: pass (%s)",
	    o.reason);
	changed = xstrdup(m);
	p = strstr(changed, "Subject:");
	p[8] = '\t';		/* relaxed would not see it */
	test_verify(dc, changed, from, &o);
	CHECK(o.result == DKIMCHECK_FAIL, "simple: white space counts (%s)",
	    o.reason);
	free(changed);
	free(m);

	/* x= in the past. */
	m = test_sign(test_body, "sender.example", "s1", DKIM_CANON_RELAXED,
	    time(NULL) - 3 * 86400, 86400);
	test_verify(dc, m, from, &o);
	CHECK(o.result == DKIMCHECK_FAIL && strcmp(o.reason, "expired") == 0,
	    "x= passed: fail, %s", o.reason);
	free(m);

	/* Bad key records: too long, control characters. */
	m = test_sign(test_body, "sender.example", "huge", DKIM_CANON_RELAXED,
	    0, 0);
	test_verify(dc, m, from, &o);
	CHECK(o.result == DKIMCHECK_FAIL && strcmp(o.reason, "key record at"
	    " huge._domainkey.sender.example is longer than 4096 bytes") == 0,
	    "a key record over DKIMCHECK_KEY_MAX: fail, %s", o.reason);
	free(m);
	m = test_sign(test_body, "sender.example", "ctl", DKIM_CANON_RELAXED,
	    0, 0);
	test_verify(dc, m, from, &o);
	CHECK(o.result == DKIMCHECK_FAIL && o.reason[0] != '\0' &&
	    strpbrk(o.reason, "\n\r\x01\x1b") == NULL,
	    "a key record with control characters: fail, %s", o.reason);
	free(m);

	/* The time lookups may wait per run: 100 ms, each takes 60. */
	dkimcheck_budget(dc, 100);
	test_lookups = 0;
	for (int i = 0; i < 3; i++) {
		char sel[16];

		snprintf(sel, sizeof(sel), "slow%d", i);
		m = test_sign(test_body, "sender.example", sel,
		    DKIM_CANON_RELAXED, 0, 0);
		test_verify(dc, m, from, &o);
		free(m);
	}
	CHECK(test_lookups == 2 && o.result == DKIMCHECK_TEMPERROR &&
	    strcmp(o.reason, "key lookup of slow2._domainkey.sender.example:"
	    " not asked: lookups already waited the time allowed for this"
	    " run") == 0, "budget spent: %d lookups, then temperror, %s",
	    test_lookups, o.reason);
	dkimcheck_budget(dc, 1000);
	m = test_sign(test_body, "sender.example", "slow2", DKIM_CANON_RELAXED,
	    0, 0);
	test_verify(dc, m, from, &o);
	free(m);
	CHECK(test_lookups == 3 && o.result == DKIMCHECK_FAIL,
	    "the next run asks (the skipped name was not cached): %s",
	    o.reason);

	/* Unsigned. */
	test_verify(dc, test_body, from, &o);
	CHECK(o.result == DKIMCHECK_NONE && strcmp(o.reason,
	    "no signature") == 0 && o.domain[0] == '\0', "unsigned: none");

	/* A temporary failure, cached for temp_ttl, then gone. */
	dkimcheck_set_lookup(dc, test_lookup, NULL);
	test_temp = 1;
	test_lookups = 0;
	m = test_sign(test_body, "other.example", "s1", DKIM_CANON_RELAXED, 0,
	    0);
	test_verify(dc, m, "reports@other.example", &o);
	CHECK(o.result == DKIMCHECK_TEMPERROR && strcmp(o.reason,
	    "key lookup of s1._domainkey.other.example: timed out") == 0,
	    "DNS timeout: temperror, %s", o.reason);
	test_verify(dc, m, "reports@other.example", &o);
	CHECK(o.result == DKIMCHECK_TEMPERROR && test_lookups == 1,
	    "the failure is cached: one lookup (%d)", test_lookups);
	test_temp = 0;
	dkimcheck_set_lookup(dc, test_lookup, NULL);	/* empties the cache */
	test_verify(dc, m, "reports@other.example", &o);
	CHECK(o.result == DKIMCHECK_PASS, "then the key is found: pass");
	free(m);

	/* Many signatures: at most DKIMCHECK_SIGS_MAX looked up. */
	m = xstrdup(test_body);
	for (int i = 0; i < 20; i++) {
		char sel[16];

		snprintf(sel, sizeof(sel), "flood%d", i);
		p = test_sign(test_body, "sender.example", sel,
		    DKIM_CANON_RELAXED, 0, 0);
		changed = xasprintf("%.*s%s", (int)(strstr(p, "\r\nFrom:") -
		    p + 2), p, m);
		free(m);
		free(p);
		m = changed;
	}
	dkimcheck_set_lookup(dc, test_lookup, NULL);
	test_lookups = 0;
	test_verify(dc, m, from, &o);
	CHECK(o.result == DKIMCHECK_FAIL && test_lookups ==
	    DKIMCHECK_SIGS_MAX, "a flood of 20 signatures: %d looked up",
	    test_lookups);
	free(m);

	/* libopendkim writes out of bounds on these: never passed to it. */
	for (int i = 0; i < 50; i++) {
		test_verify(dc, "DKIM-Signature: v=1; a=rsa-sha256;"
		    " d=sender.example; s=s1; bh=rhGycCY=; b=wr3dee21;"
		    " h=from:DKIM-Signature:to\r\nFrom: a@sender.example\r\n"
		    "\r\nx\r\n", from, &o);
		if (o.result != DKIMCHECK_FAIL)
			break;
	}
	CHECK(o.result == DKIMCHECK_FAIL && strcmp(o.reason, "a signature"
	    " whose h= lists DKIM-Signature is not verified") == 0,
	    "h= listing DKIM-Signature: fail, %s", o.reason);

	/* Garbage in a signature. */
	test_verify(dc, "DKIM-Signature: v=1; a=\x01\xff; d=\r\n"
	    "From: a@b.example\r\n\r\nx\r\n", from, &o);
	CHECK(o.result == DKIMCHECK_FAIL || o.result == DKIMCHECK_NONE,
	    "a broken signature is a result (%s: %s)",
	    dkimcheck_result_name(o.result), o.reason);

	dkimcheck_free(dc);
	free(test_pem);
	free(test_record);
	buf_free(&err);
	return unit_status();
}
