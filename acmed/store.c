/*
 * store - acmed's checks of a certificate and its key; see store.h.
 * SPDX-License-Identifier: ISC
 *
 * Reads certs_dir/HOST/ only (the layout is lib/certstore's).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certstore.h"
#include "cfg.h"
#include "fileio.h"
#include "log.h"
#include "mymalloc.h"
#include "store.h"

static long long
store_asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (long long)timegm(&tm);
}

int
store_chain_check(const char *chain_pem, const char *key_pem,
    const char *host, struct store_info *info, struct buf *err)
{
	BIO *bio;
	X509 *leaf = NULL;
	EVP_PKEY *key = NULL;
	X509_NAME *iss;
	int rc = -1;

	memset(info, 0, sizeof(*info));
	bio = BIO_new_mem_buf(chain_pem, -1);
	if (bio == NULL || (leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		buf_puts(err, "no PEM certificate in the chain");
		goto out;
	}
	BIO_free(bio);
	bio = BIO_new_mem_buf(key_pem, -1);
	if (bio == NULL || (key = PEM_read_bio_PrivateKey(bio, NULL, NULL,
	    NULL)) == NULL) {
		buf_puts(err, "no PEM private key");
		goto out;
	}
	if (X509_check_private_key(leaf, key) != 1) {
		buf_puts(err, "the certificate does not match the private key");
		goto out;
	}
	info->not_before = store_asn1_time(X509_get0_notBefore(leaf));
	info->not_after = store_asn1_time(X509_get0_notAfter(leaf));
	if ((iss = X509_get_issuer_name(leaf)) != NULL)
		X509_NAME_oneline(iss, info->issuer, sizeof(info->issuer));
	info->names_host = host == NULL ||
	    X509_check_host(leaf, host, 0, X509_CHECK_FLAG_NO_WILDCARDS, NULL) == 1;
	rc = 0;
out:
	ERR_clear_error();
	BIO_free(bio);
	X509_free(leaf);
	EVP_PKEY_free(key);
	return rc;
}

int
store_info(const char *certs_dir, const char *host, struct store_info *info,
    struct buf *err)
{
	struct buf chain = BUF_INIT, key = BUF_INIT;
	char *cpath = certstore_path(certs_dir, host, CERTSTORE_CHAIN);
	char *kpath = certstore_path(certs_dir, host, CERTSTORE_KEY);
	int rc = -1;

	memset(info, 0, sizeof(*info));
	if (cfg_read_file(cpath, &chain, err) < 0 ||
	    cfg_read_file(kpath, &key, err) < 0)
		goto out;
	if (store_chain_check(chain.s, key.s, host, info, err) < 0) {
		buf_printf(err, " (%s)", cpath);
		goto out;
	}
	rc = 0;
out:
	if (key.s)
		OPENSSL_cleanse(key.s, key.len);
	buf_free(&chain);
	buf_free(&key);
	free(cpath);
	free(kpath);
	return rc;
}
