/*
 * certstore - the certificate directory of the hosted hosts; see
 * certstore.h.
 * SPDX-License-Identifier: ISC
 *
 * Reads CERTSTORE_DIR/HOST/CERTSTORE_CHAIN only; never writes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certstore.h"
#include "cfg.h"
#include "http.h"
#include "mymalloc.h"

char *
certstore_dir(void)
{
	return xasprintf("%s/%s", cfg_str("queue_directory"), CERTSTORE_DIR);
}

/* A DNS host name in lower case: no "/", no "..", so no path escapes. */
int
certstore_host_ok(const char *host)
{
	char norm[HTTP_HOST_MAX + 1];
	size_t len = strlen(host);

	return len > 0 && len <= HTTP_HOST_MAX &&
	    http_host_normalize(host, len, norm) >= 0 &&
	    strcmp(norm, host) == 0;
}

static long long
certstore_asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (long long)timegm(&tm);
}

int
certstore_leaf_read(const char *dir, const char *host,
    struct certstore_leaf *leaf, struct buf *err)
{
	struct buf data = BUF_INIT;
	char *path;
	X509_NAME *iss;
	X509 *x = NULL;
	BIO *bio;
	int rc = -1;

	memset(leaf, 0, sizeof(*leaf));
	if (!certstore_host_ok(host)) {
		buf_printf(err, "%s/%s: not a host name", dir, host);
		return -1;
	}
	path = xasprintf("%s/%s/%s", dir, host, CERTSTORE_CHAIN);
	if (cfg_read_file(path, &data, err) < 0)
		goto out;
	if (data.len > CERTSTORE_FILE_MAX) {
		buf_printf(err, "%s: larger than %d bytes", path,
		    CERTSTORE_FILE_MAX);
		goto out;
	}
	if ((bio = BIO_new_mem_buf(data.s, (int)data.len)) != NULL)
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (x == NULL) {
		buf_printf(err, "%s: no PEM certificate", path);
		goto out;
	}
	leaf->not_before = certstore_asn1_time(X509_get0_notBefore(x));
	leaf->not_after = certstore_asn1_time(X509_get0_notAfter(x));
	if ((iss = X509_get_issuer_name(x)) != NULL)
		X509_NAME_oneline(iss, leaf->issuer, sizeof(leaf->issuer));
	leaf->names_host = X509_check_host(x, host, 0,
	    X509_CHECK_FLAG_NO_WILDCARDS, NULL) == 1;
	rc = 0;
out:
	X509_free(x);
	buf_free(&data);
	free(path);
	return rc;
}

enum certstore_health
certstore_health(long long not_after, long long now, long long warning)
{
	if (not_after <= now)
		return CERTSTORE_EXPIRED;
	if (not_after - now < warning)
		return CERTSTORE_WARNING;
	return CERTSTORE_OK;
}

const char *
certstore_health_name(enum certstore_health h)
{
	switch (h) {
	case CERTSTORE_OK:
		return "ok";
	case CERTSTORE_WARNING:
		return "warning";
	default:
		return "expired";
	}
}
