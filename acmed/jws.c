/*
 * jws - the ACME account key and ES256 JSON Web Signatures; see jws.h.
 * SPDX-License-Identifier: ISC
 *
 * Touches only the key file it is given.  Keys are OpenSSL 3 EVP_PKEYs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "jws.h"
#include "log.h"
#include "mymalloc.h"

#define JWS_COORD_LEN	32	/* bytes of a P-256 coordinate */
#define JWS_GROUP	"prime256v1"

char   *
jws_b64url(const unsigned char *data, size_t len)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *out = xmalloc(len / 3 * 4 + 5);
	size_t i, o = 0;
	unsigned v;

	for (i = 0; i + 2 < len; i += 3) {
		v = data[i] << 16 | data[i + 1] << 8 | data[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		v = data[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		v = data[i] << 16 | data[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return out;
}

static void
jws_ssl_error(struct buf *err)
{
	unsigned long e = ERR_get_error();
	char text[256];

	if (e == 0) {
		buf_puts(err, "unknown OpenSSL error");
		return;
	}
	ERR_error_string_n(e, text, sizeof(text));
	buf_puts(err, text);
	ERR_clear_error();
}

EVP_PKEY *
jws_key_new(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", JWS_GROUP);

	if (key == NULL)
		log_fatal("cannot make an ECDSA P-256 key: out of memory or"
		    " no entropy");
	return key;
}

char   *
jws_key_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem;
	long len;

	if (bio == NULL || !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0,
	    NULL, NULL))
		log_fatal("cannot encode a private key");
	len = BIO_get_mem_data(bio, &data);
	pem = xstrndup(data, (size_t)len);
	BIO_free(bio);
	return pem;
}

static int
jws_key_is_p256(EVP_PKEY *key)
{
	char group[64];
	size_t len;

	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
		return 0;
	if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &len))
		return 0;
	return strcmp(group, JWS_GROUP) == 0;
}

/* Writes a new key file that did not exist; never replaces one. */
static EVP_PKEY *
jws_key_create(const char *path, struct buf *err)
{
	EVP_PKEY *key = jws_key_new();
	char *pem = jws_key_pem(key), *dir, *slash;
	size_t len = strlen(pem);
	int fd, dfd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		buf_printf(err, "%s: cannot create: %s", path, strerror(errno));
		goto fail;
	}
	if (write(fd, pem, len) != (ssize_t)len || fsync(fd) < 0) {
		buf_printf(err, "%s: cannot write: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		goto fail;
	}
	close(fd);
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if ((dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY)) >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	free(dir);
	OPENSSL_cleanse(pem, len);
	free(pem);
	log_info("%s: created a new ACME account key (ECDSA P-256)", path);
	return key;
fail:
	OPENSSL_cleanse(pem, len);
	free(pem);
	EVP_PKEY_free(key);
	return NULL;
}

EVP_PKEY *
jws_key_load(const char *path, int create, struct buf *err)
{
	EVP_PKEY *key = NULL;
	struct stat st;
	BIO *bio;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT && create)
			return jws_key_create(path, err);
		buf_printf(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > JWS_KEY_FILE_MAX) {
		buf_printf(err, "%s: not a regular file of at most %d bytes",
		    path, JWS_KEY_FILE_MAX);
		return NULL;
	}
	if ((bio = BIO_new_file(path, "r")) == NULL) {
		buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
		ERR_clear_error();
		return NULL;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key == NULL) {
		buf_printf(err, "%s: not a PEM private key: ", path);
		jws_ssl_error(err);
		return NULL;
	}
	if (!jws_key_is_p256(key)) {
		buf_printf(err, "%s: not an ECDSA P-256 key", path);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

/* The two coordinates of the public point, JWS_COORD_LEN bytes each. */
static void
jws_point(EVP_PKEY *key, unsigned char x[JWS_COORD_LEN],
    unsigned char y[JWS_COORD_LEN])
{
	unsigned char pt[1 + 2 * JWS_COORD_LEN];
	size_t len;

	if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, sizeof(pt), &len) || len != sizeof(pt) || pt[0] != 0x04) {
		/* Keys may carry a compressed point: ask for uncompressed. */
		EVP_PKEY_set_utf8_string_param(key,
		    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "uncompressed");
		if (!EVP_PKEY_get_octet_string_param(key,
		    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &len) ||
		    len != sizeof(pt) || pt[0] != 0x04)
			log_panic("jws_point: not an uncompressed P-256 point");
	}
	memcpy(x, pt + 1, JWS_COORD_LEN);
	memcpy(y, pt + 1 + JWS_COORD_LEN, JWS_COORD_LEN);
}

json_t *
jws_jwk(EVP_PKEY *key)
{
	unsigned char x[JWS_COORD_LEN], y[JWS_COORD_LEN];
	char *bx, *by;
	json_t *jwk;

	jws_point(key, x, y);
	bx = jws_b64url(x, sizeof(x));
	by = jws_b64url(y, sizeof(y));
	jwk = json_pack("{s:s, s:s, s:s, s:s}", "crv", "P-256", "kty", "EC",
	    "x", bx, "y", by);
	free(bx);
	free(by);
	return jwk;
}

char   *
jws_thumbprint(EVP_PKEY *key)
{
	unsigned char md[32];
	unsigned int mdlen = sizeof(md);
	json_t *jwk = jws_jwk(key);
	char *text;

	/* RFC 7638: members in lexical order, no white space. */
	text = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(jwk);
	if (text == NULL || !EVP_Digest(text, strlen(text), md, &mdlen,
	    EVP_sha256(), NULL))
		log_fatal("cannot compute a JWK thumbprint");
	free(text);
	return jws_b64url(md, mdlen);
}

/* ES256: the DER ECDSA signature as r || s, 32 bytes each. */
static char *
jws_es256(EVP_PKEY *key, const char *input, struct buf *err)
{
	unsigned char der[128], raw[2 * JWS_COORD_LEN];
	const unsigned char *p = der;
	size_t derlen = sizeof(der);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	char *out = NULL;

	if (ctx == NULL || !EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	    key) || !EVP_DigestSign(ctx, der, &derlen,
	    (const unsigned char *)input, strlen(input)) ||
	    (sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL) {
		buf_puts(err, "cannot sign: ");
		jws_ssl_error(err);
		goto out;
	}
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, JWS_COORD_LEN) != JWS_COORD_LEN ||
	    BN_bn2binpad(s, raw + JWS_COORD_LEN, JWS_COORD_LEN) != JWS_COORD_LEN) {
		buf_puts(err, "cannot sign: signature value out of range");
		goto out;
	}
	out = jws_b64url(raw, sizeof(raw));
out:
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return out;
}

char   *
jws_sign(EVP_PKEY *key, const char *kid, const char *nonce, const char *url,
    const char *payload, struct buf *err)
{
	json_t *prot, *jws;
	char *ptext, *p64, *y64, *input, *sig, *out;

	prot = json_pack("{s:s, s:s, s:s}", "alg", "ES256", "nonce", nonce,
	    "url", url);
	if (kid != NULL)
		json_object_set_new(prot, "kid", json_string(kid));
	else
		json_object_set_new(prot, "jwk", jws_jwk(key));
	ptext = json_dumps(prot, JSON_COMPACT);
	json_decref(prot);
	if (ptext == NULL)
		log_fatal("cannot encode a JWS header");
	p64 = jws_b64url((const unsigned char *)ptext, strlen(ptext));
	free(ptext);
	y64 = jws_b64url((const unsigned char *)(payload ? payload : ""),
	    payload ? strlen(payload) : 0);
	input = xasprintf("%s.%s", p64, y64);
	sig = jws_es256(key, input, err);
	free(input);
	out = NULL;
	if (sig != NULL) {
		jws = json_pack("{s:s, s:s, s:s}", "protected", p64, "payload",
		    y64, "signature", sig);
		out = json_dumps(jws, JSON_COMPACT);
		json_decref(jws);
		free(sig);
	}
	free(p64);
	free(y64);
	return out;
}
