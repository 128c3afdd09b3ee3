/*
 * certstore_test - lib/certstore: which names may be a directory of the
 * store, what cert_warning_time makes of a date, and what is read from
 * a host's fullchain.pem (a good one, a missing one, garbage, a name
 * that would leave the directory).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "certstore.h"
#include "mymalloc.h"
#include "unit.h"

#define DAY	86400

/* dir/host/fullchain.pem: a self-signed certificate for name, valid
 * from now - 1 day for days days (from the start). */
static int
write_cert(const char *dir, const char *host, const char *name, long days)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_EXTENSION *ext;
	char *path, *san = xasprintf("DNS:%s", name);
	FILE *fp;
	int rc = -1;

	path = xasprintf("%s/%s", dir, host);
	mkdir(path, 0700);
	free(path);
	path = xasprintf("%s/%s/%s", dir, host, CERTSTORE_CHAIN);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -DAY);
	X509_gmtime_adj(X509_getm_notAfter(x), (days - 1) * DAY);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"certstore test", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_set_pubkey(x, key);
	if (X509_sign(x, key, EVP_sha256()) > 0 &&
	    (fp = fopen(path, "w")) != NULL) {
		rc = PEM_write_X509(fp, x) == 1 ? 0 : -1;
		fclose(fp);
	}
	X509_free(x);
	EVP_PKEY_free(key);
	free(path);
	free(san);
	return rc;
}

static void
test_names(void)
{
	char long_name[300];

	CHECK(certstore_host_ok("mta-sts.example.com"), "a host name is a store name");
	CHECK(!certstore_host_ok("MTA-STS.example.com"), "upper case is not (stored lower case)");
	CHECK(!certstore_host_ok(".."), "\"..\" is not");
	CHECK(!certstore_host_ok("a/../b"), "a path is not");
	CHECK(!certstore_host_ok(""), "the empty name is not");
	CHECK(!certstore_host_ok("mta-sts.example.com\n"), "a newline is not");
	CHECK(!certstore_host_ok("mta-sts.exa\tmple.com"), "a control character is not");
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CHECK(!certstore_host_ok(long_name), "a name of %zu octets is not",
	    strlen(long_name));
}

static void
test_health(void)
{
	long long now = 1800000000, warn = 14 * DAY;

	CHECK(certstore_health(now + 30 * DAY, now, warn) == CERTSTORE_OK,
	    "30 days left with cert_warning_time 14d: ok");
	CHECK(certstore_health(now + 14 * DAY - 1, now, warn) ==
	    CERTSTORE_WARNING, "a second less than 14 days: warning");
	CHECK(certstore_health(now + 14 * DAY, now, warn) == CERTSTORE_OK,
	    "exactly 14 days: ok");
	CHECK(certstore_health(now, now, warn) == CERTSTORE_EXPIRED,
	    "notAfter now: expired");
	CHECK(certstore_health(now - 1, now, warn) == CERTSTORE_EXPIRED,
	    "notAfter past: expired");
	CHECK(certstore_health(-9223372036854775807LL, now, warn) ==
	    CERTSTORE_EXPIRED, "a huge negative time: expired");
	CHECK(STR_EQ(certstore_health_name(CERTSTORE_WARNING), "warning"),
	    "names: warning");
}

static void
test_read(const char *dir)
{
	struct certstore_leaf leaf;
	struct buf err = BUF_INIT;
	long long now = (long long)time(NULL);
	char *path;
	FILE *fp;

	CHECK(write_cert(dir, "mta-sts.a.example", "mta-sts.a.example", 30) == 0,
	    "test certificate written");
	CHECK(certstore_leaf_read(dir, "mta-sts.a.example", &leaf, &err) == 0 &&
	    leaf.names_host && leaf.not_after > now + 28 * DAY &&
	    leaf.not_after <= now + 29 * DAY + 60 &&
	    strstr(leaf.issuer, "certstore test") != NULL,
	    "a good certificate: its end, issuer, and that it names the host");
	write_cert(dir, "mta-sts.b.example", "other.example", 30);
	CHECK(certstore_leaf_read(dir, "mta-sts.b.example", &leaf, &err) == 0 &&
	    !leaf.names_host, "a certificate for another name does not name the host");
	buf_reset(&err);
	CHECK(certstore_leaf_read(dir, "mta-sts.none.example", &leaf, &err) < 0 &&
	    strstr(err.s, "mta-sts.none.example/fullchain.pem") != NULL,
	    "a missing one: the error names the file: %s", err.s);
	path = xasprintf("%s/mta-sts.c.example", dir);
	mkdir(path, 0700);
	free(path);
	path = xasprintf("%s/mta-sts.c.example/%s", dir, CERTSTORE_CHAIN);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("-----BEGIN CERTIFICATE-----\n\x01garbage\n", fp);
		fclose(fp);
	}
	free(path);
	buf_reset(&err);
	CHECK(certstore_leaf_read(dir, "mta-sts.c.example", &leaf, &err) < 0 &&
	    strstr(err.s, "no PEM certificate") != NULL,
	    "garbage: no PEM certificate: %s", err.s);
	buf_reset(&err);
	CHECK(certstore_leaf_read(dir, "../mta-sts.a.example", &leaf, &err) < 0 &&
	    strstr(err.s, "not a host name") != NULL,
	    "a name that leaves the directory is refused: %s", err.s);
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/certstore_test.XXXXXX";
	char *cmd;

	test_names();
	test_health();
	if (mkdtemp(dir) == NULL) {
		CHECK(0, "temporary directory");
		return unit_status();
	}
	test_read(dir);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# cannot remove %s\n", dir);
	free(cmd);
	return unit_status();
}
