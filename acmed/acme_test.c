/*
 * acme_test - unit tests of acmed's modules without a CA: base64url,
 * the account key (made once, never replaced, corrupt keys refused),
 * JWK thumbprints and ES256 signatures (verified with OpenSSL), the
 * ACME document parsers on good and bad documents, the CSR and the
 * tls-alpn-01 certificate, Retry-After, and the certificate store.
 * SPDX-License-Identifier: ISC
 *
 * Works in a fresh directory under /tmp and removes it at the end.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "acme.h"
#include "certstore.h"
#include "acmemsg.h"
#include "buf.h"
#include "fetch.h"
#include "jws.h"
#include "log.h"
#include "mymalloc.h"
#include "store.h"
#include "unit.h"

static char top[] = "/tmp/acme_test.XXXXXX";

static void
put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		log_fatal("cannot write %s", path);
	close(fd);
	chmod(path, mode);
}

static unsigned char *
b64url_decode(const char *s, size_t *outlen)
{
	size_t len = strlen(s), i, o = 0;
	char *std = xmalloc(len + 4);
	unsigned char *out;
	int n;

	for (i = 0; i < len; i++)
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (i % 4)
		std[i++] = '=';
	std[i] = '\0';
	out = xmalloc(i);
	n = EVP_DecodeBlock(out, (unsigned char *)std, (int)i);
	o = n < 0 ? 0 : (size_t)n;
	while (i > 0 && std[--i] == '=' && o > 0)
		o--;
	free(std);
	*outlen = o;
	return out;
}

static void
test_b64url(void)
{
	static const struct {
		const char *in;
		const char *want;
		const char *what;
	} cases[] = {
		{"", "", "base64url of nothing is empty"},
		{"f", "Zg", "base64url of 1 byte has no padding"},
		{"fo", "Zm8", "base64url of 2 bytes"},
		{"\xfb\xff\xbf", "-_-_", "base64url uses - and _"},
	};
	char *s;

	for (size_t i = 0; i < UNIT_NCASES(cases); i++) {
		s = jws_b64url((const unsigned char *)cases[i].in,
		    strlen(cases[i].in));
		CHECK(strcmp(s, cases[i].want) == 0, "%s", cases[i].what);
		free(s);
	}
}

static EVP_PKEY *
test_key(void)
{
	struct buf err = BUF_INIT;
	char path[256], path2[256];
	EVP_PKEY *key, *again;
	struct stat st;
	char *pem1, *pem2;

	snprintf(path, sizeof(path), "%s/account.key", top);
	key = jws_key_load(path, 0, &err);
	CHECK(key == NULL && strstr(err.s, "No such file") != NULL,
	    "a missing key without create is an error");
	buf_reset(&err);
	key = jws_key_load(path, 1, &err);
	CHECK(key != NULL, "a missing key is created");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "the account key file has mode 0600");
	again = jws_key_load(path, 1, &err);
	pem1 = jws_key_pem(key);
	pem2 = again ? jws_key_pem(again) : xstrdup("");
	CHECK(again != NULL && strcmp(pem1, pem2) == 0,
	    "the key is read back, not made again");
	free(pem1);
	free(pem2);
	EVP_PKEY_free(again);

	snprintf(path2, sizeof(path2), "%s/corrupt.key", top);
	put(path2, "-----BEGIN PRIVATE KEY-----\nnot base64\n", 0600);
	buf_reset(&err);
	again = jws_key_load(path2, 1, &err);
	CHECK(again == NULL && strstr(err.s, "not a PEM private key") != NULL,
	    "a corrupt key file is refused");
	CHECK(stat(path2, &st) == 0 && st.st_size == 39,
	    "a corrupt key file is left as it is");
	put(path2, "", 0600);
	buf_reset(&err);
	again = jws_key_load(path2, 1, &err);
	CHECK(again == NULL, "an empty key file is refused, not replaced");
	if (getuid() != 0) {
		put(path2, "x", 0000);
		buf_reset(&err);
		again = jws_key_load(path2, 1, &err);
		CHECK(again == NULL && strstr(err.s, "cannot open") != NULL,
		    "an unreadable key file is refused");
	}
	/* An RSA key is not an account key here. */
	{
		EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		char *rpem = jws_key_pem(rsa);

		put(path2, rpem, 0600);
		buf_reset(&err);
		again = jws_key_load(path2, 1, &err);
		CHECK(again == NULL && strstr(err.s, "not an ECDSA P-256 key"),
		    "a key of another type is refused");
		free(rpem);
		EVP_PKEY_free(rsa);
	}
	buf_free(&err);
	return key;
}

static void
test_jws(EVP_PKEY *key)
{
	struct buf err = BUF_INIT;
	json_t *jwk = jws_jwk(key), *jws, *prot;
	char *tp = jws_thumbprint(key), *body, *input, *ptext;
	const char *p64, *y64, *s64;
	unsigned char *sig, *ptxt, *der = NULL;
	size_t siglen, plen;
	ECDSA_SIG *es;
	EVP_MD_CTX *ctx;
	int derlen, ok;

	CHECK(json_is_string(json_object_get(jwk, "x")) &&
	    strlen(json_string_value(json_object_get(jwk, "x"))) == 43 &&
	    strcmp(json_string_value(json_object_get(jwk, "crv")), "P-256") == 0,
	    "the JWK has a 32-byte x coordinate and crv P-256");
	CHECK(strlen(tp) == 43 && acmemsg_token_ok(tp),
	    "the thumbprint is 32 bytes of base64url");
	json_decref(jwk);

	body = jws_sign(key, NULL, "nonce1", "https://ca.test/new-acct",
	    "{\"a\":1}", &err);
	jws = body ? json_loads(body, 0, NULL) : NULL;
	p64 = json_string_value(json_object_get(jws, "protected"));
	y64 = json_string_value(json_object_get(jws, "payload"));
	s64 = json_string_value(json_object_get(jws, "signature"));
	CHECK(p64 && y64 && s64, "the JWS has protected, payload, signature");
	ptxt = b64url_decode(p64 ? p64 : "", &plen);
	ptext = xstrndup((char *)ptxt, plen);
	prot = json_loads(ptext, 0, NULL);
	CHECK(prot && strcmp(json_string_value(json_object_get(prot, "alg")),
	    "ES256") == 0 && json_object_get(prot, "jwk") != NULL &&
	    json_object_get(prot, "kid") == NULL &&
	    strcmp(json_string_value(json_object_get(prot, "nonce")),
	    "nonce1") == 0,
	    "without a kid the header carries alg ES256, the nonce and the jwk");
	json_decref(prot);
	free(ptxt);
	free(ptext);

	/* Verify r||s with the public key. */
	sig = b64url_decode(s64 ? s64 : "", &siglen);
	es = ECDSA_SIG_new();
	ok = 0;
	if (siglen == 64) {
		ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL),
		    BN_bin2bn(sig + 32, 32, NULL));
		derlen = i2d_ECDSA_SIG(es, &der);
		input = xasprintf("%s.%s", p64, y64);
		ctx = EVP_MD_CTX_new();
		ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
		    EVP_DigestVerify(ctx, der, (size_t)derlen,
		    (unsigned char *)input, strlen(input)) == 1;
		EVP_MD_CTX_free(ctx);
		free(input);
		OPENSSL_free(der);
	}
	CHECK(siglen == 64 && ok, "the ES256 signature verifies");
	ECDSA_SIG_free(es);
	free(sig);
	json_decref(jws);
	free(body);

	body = jws_sign(key, "https://ca.test/acct/1", "n2",
	    "https://ca.test/order/1", NULL, &err);
	jws = json_loads(body, 0, NULL);
	CHECK(strcmp(json_string_value(json_object_get(jws, "payload")), "") == 0,
	    "POST-as-GET signs the empty payload");
	ptxt = b64url_decode(json_string_value(json_object_get(jws, "protected")),
	    &plen);
	ptext = xstrndup((char *)ptxt, plen);
	prot = json_loads(ptext, 0, NULL);
	CHECK(prot && json_object_get(prot, "jwk") == NULL &&
	    strcmp(json_string_value(json_object_get(prot, "kid")),
	    "https://ca.test/acct/1") == 0, "with a kid the header has no jwk");
	json_decref(prot);
	json_decref(jws);
	free(ptxt);
	free(ptext);
	free(body);
	free(tp);
	buf_free(&err);
}

#define PARSE(fn, text, out) fn(text, strlen(text), out, &err)

/*
 * Documents the parsers refuse, each with what err must say: the whole
 * message (TEST_EXACT), its start (TEST_PREFIX) or a part of it.
 */
enum test_match { TEST_EXACT, TEST_PREFIX, TEST_PART };

static const struct {
	char	 parser;	/* 'd'irectory, 'o'rder, 'a'uthz */
	const char *text;
	enum test_match match;
	const char *error;
	const char *what;
} test_refusals[] = {
	{ 'd', "{\"newNonce\":\"https://ca/n\",\"newAccount\":\"https://ca/a\"}",
	    TEST_EXACT, "member \"newOrder\" is missing",
	    "a directory without newOrder: 'member \"newOrder\" is missing'" },
	{ 'd', "{\"newNonce\":\"http://evil.example/n\",\"newAccount\":"
	    "\"https://ca/a\",\"newOrder\":\"https://ca/o\"}",
	    TEST_PART, "not an https URL",
	    "a plain http URL to another host is refused" },
	{ 'd', "[1,2]", TEST_EXACT, "not a JSON object",
	    "a JSON array is refused" },
	{ 'd', "{\"newNonce\":1", TEST_PREFIX, "not valid JSON: ",
	    "truncated JSON: 'not valid JSON: ...'" },
	{ 'd', "{\"newNonce\":\"https://a/\",\"newNonce\":\"https://b/\"}",
	    TEST_PART, "duplicate", "duplicate keys are refused" },
	{ 'o', "{\"status\":\"weird\",\"finalize\":\"https://ca/f\","
	    "\"authorizations\":[]}", TEST_PART,
	    "unknown order status \"weird\"",
	    "an unknown order status is refused" },
	{ 'o', "{\"status\":\"valid\",\"finalize\":\"https://ca/f\","
	    "\"authorizations\":[3]}", TEST_PART, "authorization 0",
	    "a non-string authorization is refused" },
	{ 'a', "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\","
	    "\"value\":\"h\"},\"challenges\":[{\"type\":\"http-01\",\"url\":"
	    "\"https://ca/c\",\"token\":\"../../etc\",\"status\":\"pending\"}]}",
	    TEST_PART, "token is not base64url",
	    "a token with a path in it is refused" },
	{ 'a', "{\"status\":\"pending\",\"identifier\":{\"type\":\"ip\","
	    "\"value\":\"1.2.3.4\"},\"challenges\":[]}", TEST_PART,
	    "is not dns", "a non-dns identifier is refused" },
};

/* The parser's result for text: -1 with err when it is refused. */
static int
test_parse(char parser, const char *text, struct buf *err)
{
	struct acme_directory d;
	struct acme_order o;
	struct acme_authz a;

	switch (parser) {
	case 'd':
		return acmemsg_directory(text, strlen(text), &d, err);
	case 'o':
		return acmemsg_order(text, strlen(text), &o, err);
	default:
		return acmemsg_authz(text, strlen(text), &a, err);
	}
}

static int
test_said(const char *s, enum test_match match, const char *want)
{
	if (s == NULL)
		return 0;
	switch (match) {
	case TEST_EXACT:
		return strcmp(s, want) == 0;
	case TEST_PREFIX:
		return strncmp(s, want, strlen(want)) == 0;
	default:
		return strstr(s, want) != NULL;
	}
}

static void
test_refused(void)
{
	struct buf err = BUF_INIT;
	size_t i;

	for (i = 0; i < UNIT_NCASES(test_refusals); i++) {
		buf_reset(&err);
		CHECK(test_parse(test_refusals[i].parser, test_refusals[i].text,
		    &err) < 0 && test_said(err.s, test_refusals[i].match,
		    test_refusals[i].error), "%s", test_refusals[i].what);
	}
	buf_free(&err);
}

static void
test_parsers(void)
{
	struct buf err = BUF_INIT;
	struct acme_directory d;
	struct acme_order o;
	struct acme_authz a;
	struct acme_problem p;
	const struct acme_challenge *c;

	CHECK(PARSE(acmemsg_directory, "{\"newNonce\":\"https://ca/n\","
	    "\"newAccount\":\"https://ca/a\",\"newOrder\":\"https://ca/o\","
	    "\"meta\":{\"termsOfService\":\"https://ca/tos\"}}", &d) == 0 &&
	    strcmp(d.new_order, "https://ca/o") == 0 && d.terms != NULL,
	    "a directory is parsed");
	acmemsg_directory_clear(&d);
	buf_reset(&err);
	test_refused();
	{
		size_t n = ACMEMSG_TEXT_MAX + 10;
		char *big = xmalloc(n + 1);

		memset(big, ' ', n);
		big[0] = '{';
		big[n - 1] = '}';
		big[n] = '\0';
		CHECK(acmemsg_directory(big, n, &d, &err) < 0 &&
		    strstr(err.s, "longer than") != NULL,
		    "an oversized document is refused before parsing");
		free(big);
	}
	buf_reset(&err);

	CHECK(PARSE(acmemsg_order, "{\"status\":\"pending\",\"finalize\":"
	    "\"https://ca/f\",\"authorizations\":[\"https://ca/z1\","
	    "\"https://ca/z2\"]}", &o) == 0 && o.nauthz == 2 &&
	    o.certificate == NULL, "an order is parsed");
	acmemsg_order_clear(&o);
	buf_reset(&err);

	CHECK(PARSE(acmemsg_authz, "{\"status\":\"pending\",\"identifier\":"
	    "{\"type\":\"dns\",\"value\":\"mta-sts.a.example\"},\"challenges\":"
	    "[{\"type\":\"http-01\",\"url\":\"https://ca/c1\",\"token\":\"abc_-1\","
	    "\"status\":\"pending\"},{\"type\":\"tls-alpn-01\",\"url\":"
	    "\"https://ca/c2\",\"token\":\"xyz\",\"status\":\"invalid\","
	    "\"error\":{\"type\":\"urn:ietf:params:acme:error:connection\","
	    "\"detail\":\"refused\"}}]}", &a) == 0 && a.nchall == 2,
	    "an authorization is parsed");
	c = acmemsg_authz_find(&a, "tls-alpn-01");
	CHECK(c && strcmp(c->token, "xyz") == 0 && c->error &&
	    strcmp(c->error, "urn:ietf:params:acme:error:connection: refused") == 0,
	    "a challenge's error is kept as 'type: detail'");
	CHECK(acmemsg_authz_find(&a, "dns-01") == NULL,
	    "a challenge type not offered is not found");
	acmemsg_authz_clear(&a);
	buf_reset(&err);

	{
		const char *t = "{\"type\":\"urn:ietf:params:acme:error:badNonce\","
		    "\"detail\":\"stale\",\"status\":400}";

		CHECK(acmemsg_problem(t, strlen(t), &p) == 0 &&
		    strcmp(p.type, "urn:ietf:params:acme:error:badNonce") == 0 &&
		    strcmp(p.detail, "stale") == 0 && p.status == 400,
		    "a problem document is parsed");
		acmemsg_problem_clear(&p);
	}
	CHECK(acmemsg_problem("<html>", 6, &p) < 0,
	    "HTML is not a problem document");
	buf_free(&err);
}

static X509 *
pem_x509(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

	BIO_free(b);
	return x;
}

static void
test_certs(EVP_PKEY *key)
{
	struct buf err = BUF_INIT;
	char *csr = acme_csr(key, "mta-sts.a.example"), *cert, *ckey, *der64;
	unsigned char *der;
	const unsigned char *p;
	size_t len;
	X509_REQ *req;
	X509 *x;
	int idx;
	ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1);
	struct store_info info;
	char dir[256], path[300];
	struct stat st;

	der = b64url_decode(csr, &len);
	p = der;
	req = d2i_X509_REQ(NULL, &p, (long)len);
	CHECK(req != NULL && X509_REQ_verify(req, key) == 1,
	    "the CSR is DER in base64url and signed by the key");
	X509_REQ_free(req);
	free(der);
	free(csr);

	CHECK(acme_alpn_cert("mta-sts.a.example", "tok.thumb", &cert, &ckey) == 0,
	    "a tls-alpn-01 certificate is made");
	x = pem_x509(cert);
	idx = x ? X509_get_ext_by_OBJ(x, oid, -1) : -1;
	CHECK(idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, idx)),
	    "it has the critical acmeIdentifier extension");
	if (idx >= 0) {
		ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(x, idx));
		unsigned char md[32];

		EVP_Digest("tok.thumb", 9, md, NULL, EVP_sha256(), NULL);
		CHECK(ASN1_STRING_length(v) == 34 &&
		    memcmp(ASN1_STRING_get0_data(v) + 2, md, 32) == 0,
		    "its value is the SHA-256 of the key authorization");
	}
	CHECK(x && X509_check_host(x, "mta-sts.a.example", 0, 0, NULL) == 1,
	    "it names the host");
	/* The store takes a matching pair only when asked to check. */
	snprintf(dir, sizeof(dir), "%s/certs", top);
	mkdir(dir, 0700);
	CHECK(certstore_install(dir, "mta-sts.a.example", ckey, cert, &err) == 0,
	    "certstore_install writes a pair");
	snprintf(path, sizeof(path), "%s/mta-sts.a.example/privkey.pem", dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "privkey.pem has mode 0600");
	snprintf(path, sizeof(path), "%s/mta-sts.a.example/fullchain.pem.acmed-tmp",
	    dir);
	CHECK(access(path, F_OK) != 0, "no temporary file is left");
	CHECK(store_info(dir, "mta-sts.a.example", &info, &err) == 0 &&
	    info.names_host && info.not_after > time(NULL) &&
	    info.not_before < time(NULL),
	    "store_info reads the validity back");
	der64 = jws_key_pem(key);
	buf_reset(&err);
	CHECK(store_chain_check(cert, der64, "mta-sts.a.example", &info, &err) < 0 &&
	    strstr(err.s, "does not match the private key") != NULL,
	    "a chain with another key is refused");
	free(der64);
	X509_free(x);
	ASN1_OBJECT_free(oid);
	free(cert);
	OPENSSL_cleanse(ckey, strlen(ckey));
	free(ckey);
	buf_free(&err);
}

static void
test_retry_after(void)
{
	CHECK(fetch_retry_after("120", 1000) == 1120, "Retry-After in seconds");
	CHECK(fetch_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 0) == 1445412480,
	    "Retry-After as an HTTP date");
	CHECK(fetch_retry_after("soon", 0) == -1 &&
	    fetch_retry_after("-5", 0) == -1 && fetch_retry_after(NULL, 0) == -1,
	    "a bad Retry-After is ignored");
}

static void
test_fetch_refusals(void)
{
	struct buf err = BUF_INIT;
	struct fetch_limits lim = { 2, 1024 };
	struct fetch_resp r;
	SSL_CTX *ctx = fetch_tls_new(NULL, &err);

	CHECK(fetch(ctx, "GET", "http://example.com/dir", NULL, &lim, &r, &err) < 0 &&
	    strstr(err.s, "only https URLs are allowed") != NULL,
	    "fetch refuses plain http to a non-loopback host");
	buf_reset(&err);
	CHECK(fetch_tls_new("/nonexistent/ca.pem", &err) == NULL &&
	    strstr(err.s, "acme_ca_file /nonexistent/ca.pem") != NULL,
	    "a missing acme_ca_file is an error naming it");
	SSL_CTX_free(ctx);
	buf_free(&err);
}

int
main(void)
{
	EVP_PKEY *key;
	char cmd[300];

	log_init("acme_test", LOG_TO_STDERR);
	if (mkdtemp(top) == NULL)
		log_fatal("mkdtemp: %m");
	test_b64url();
	key = test_key();
	if (key != NULL) {
		test_jws(key);
		test_certs(key);
	}
	test_parsers();
	test_retry_after();
	test_fetch_refusals();
	EVP_PKEY_free(key);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", top);
	return unit_status();
}
