/*
 * store - certificate files and the state file of acmed; see store.h.
 * SPDX-License-Identifier: ISC
 *
 * Touches certs_dir/HOST/ and the state file only.
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

#include "cfg.h"
#include "fileio.h"
#include "log.h"
#include "mymalloc.h"
#include "store.h"

int
store_install(const char *certs_dir, const char *host, const char *key_pem,
    const char *chain_pem, struct buf *err)
{
	char *dir = xasprintf("%s/%s", certs_dir, host);
	char *key = xasprintf("%s/privkey.pem", dir);
	char *chain = xasprintf("%s/fullchain.pem", dir);
	char *key_tmp = xasprintf("%s.acmed-tmp", key);
	char *chain_tmp = xasprintf("%s.acmed-tmp", chain);
	int rc = -1;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		buf_printf(err, "%s: cannot create: %s", dir, strerror(errno));
		goto out;
	}
	if (fileio_write_tmp(key_tmp, key_pem, strlen(key_pem), 0600,
	    FILEIO_SYNC, err) < 0)
		goto out;
	if (fileio_write_tmp(chain_tmp, chain_pem, strlen(chain_pem), 0644,
	    FILEIO_SYNC, err) < 0) {
		unlink(key_tmp);
		goto out;
	}
	/* Key first: a reader that sees the new chain also sees its key. */
	if (rename(key_tmp, key) < 0) {
		buf_printf(err, "%s: cannot rename into place: %s", key,
		    strerror(errno));
		unlink(key_tmp);
		unlink(chain_tmp);
		goto out;
	}
	if (rename(chain_tmp, chain) < 0) {
		buf_printf(err, "%s: cannot rename into place: %s", chain,
		    strerror(errno));
		unlink(chain_tmp);
		goto out;
	}
	fileio_fsync_dir(dir);
	fileio_fsync_dir(certs_dir);
	rc = 0;
out:
	free(dir);
	free(key);
	free(chain);
	free(key_tmp);
	free(chain_tmp);
	return rc;
}

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
	char *cpath = xasprintf("%s/%s/fullchain.pem", certs_dir, host);
	char *kpath = xasprintf("%s/%s/privkey.pem", certs_dir, host);
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

json_t *
store_state_load(const char *path)
{
	json_error_t je;
	json_t *st;

	st = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (st == NULL || !json_is_object(st)) {
		if (st != NULL || access(path, F_OK) == 0)
			log_warn("%s: unreadable state file, starting afresh: %s",
			    path, je.text);
		json_decref(st);
		st = json_object();
	}
	return st;
}

int
store_state_save(const char *path, json_t *state, struct buf *err)
{
	char *text = json_dumps(state, JSON_INDENT(1) | JSON_SORT_KEYS);
	int rc;

	if (text == NULL) {
		buf_printf(err, "%s: cannot encode the state", path);
		return -1;
	}
	rc = fileio_write_atomic(path, text, strlen(text), 0644, FILEIO_SYNC,
	    err);
	free(text);
	return rc;
}
