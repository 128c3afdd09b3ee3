/*
 * certstore_test - lib/certstore: which names may be a directory of the
 * store, what cert_warning_time makes of a date, and what is read from
 * a host's fullchain.pem (a good one, a missing one, garbage, a name
 * that would leave the directory), how a pair is installed (modes, no
 * temporary file left, replaced whole), and acmed's state file as its
 * readers see it (absent, garbage, not an object, a host's public part).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
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
#include "cfg.h"
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

static mode_t
file_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void
test_install(const char *dir)
{
	struct buf err = BUF_INIT, data = BUF_INIT;
	char *chain = certstore_path(dir, "mta-sts.i.example", CERTSTORE_CHAIN);
	char *key = certstore_path(dir, "mta-sts.i.example", CERTSTORE_KEY);
	char *tmp = xasprintf("%s%s", key, CERTSTORE_TMP_SUFFIX);
	char *hostdir = xasprintf("%s/mta-sts.i.example", dir);
	char *missing = xasprintf("%s/no/such/dir", dir);
	char *want = xasprintf("%s/mta-sts.i.example/fullchain.pem", dir);
	int rc;

	CHECK(STR_EQ(chain, want), "the chain of a host: "
	    "DIR/HOST/fullchain.pem: %s", chain);
	CHECK(certstore_install(dir, "mta-sts.i.example", "KEY 1\n",
	    "CHAIN 1\n", &err) == 0, "a pair is installed: %s",
	    err.s ? err.s : "");
	CHECK(file_mode(hostdir) == CERTSTORE_DIR_MODE &&
	    file_mode(key) == CERTSTORE_KEY_MODE &&
	    file_mode(chain) == CERTSTORE_CHAIN_MODE,
	    "modes: directory %04o, key %04o, chain %04o",
	    (unsigned)file_mode(hostdir), (unsigned)file_mode(key),
	    (unsigned)file_mode(chain));
	CHECK(access(tmp, F_OK) != 0, "no temporary file is left");
	CHECK(certstore_install(dir, "mta-sts.i.example", "KEY 2\n",
	    "CHAIN 2\n", &err) == 0 && cfg_read_file(chain, &data, &err) == 0 &&
	    STR_EQ(data.s, "CHAIN 2\n") && cfg_read_file(key, &data, &err) == 0 &&
	    STR_EQ(data.s, "KEY 2\n"), "a second install replaces both files");
	buf_reset(&err);
	rc = certstore_install(missing, "mta-sts.i.example", "K", "C", &err);
	CHECK(rc < 0 && strstr(err.s, "no/such/dir/mta-sts.i.example: "
	    "cannot create") != NULL, "a store that cannot be written: the "
	    "error names the directory: %s", err.s ? err.s : "");
	buf_free(&err);
	buf_free(&data);
	free(chain);
	free(key);
	free(tmp);
	free(hostdir);
	free(missing);
	free(want);
}

static int
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

/* A chain that cannot be renamed into place: said, no file left over. */
static void
test_install_rename(const char *dir)
{
	struct buf err = BUF_INIT;
	char *hostdir = xasprintf("%s/mta-sts.r.example", dir);
	char *chain = certstore_path(dir, "mta-sts.r.example", CERTSTORE_CHAIN);
	char *key = certstore_path(dir, "mta-sts.r.example", CERTSTORE_KEY);
	char *chain_tmp = xasprintf("%s%s", chain, CERTSTORE_TMP_SUFFIX);
	char *key_tmp = xasprintf("%s%s", key, CERTSTORE_TMP_SUFFIX);
	char *inside = xasprintf("%s/x", chain);
	int rc;

	/* A non-empty directory where the chain goes: rename(2) fails. */
	if (mkdir(hostdir, 0700) < 0 || mkdir(chain, 0700) < 0 ||
	    write_text(inside, "x\n") < 0)
		CHECK(0, "set up %s: %s", chain, strerror(errno));
	rc = certstore_install(dir, "mta-sts.r.example", "KEY\n", "CHAIN\n",
	    &err);
	CHECK(rc < 0 && err.s != NULL && strstr(err.s, "fullchain.pem: "
	    "cannot rename into place: ") != NULL, "a chain that cannot be "
	    "renamed: the error names it: %s", err.s ? err.s : "");
	CHECK(access(chain_tmp, F_OK) != 0 && access(key_tmp, F_OK) != 0,
	    "no temporary file is left after the failed rename");
	unlink(inside);
	rmdir(chain);
	buf_free(&err);
	free(hostdir);
	free(chain);
	free(key);
	free(chain_tmp);
	free(key_tmp);
	free(inside);
}

static void
test_state(const char *dir)
{
	struct buf err = BUF_INIT;
	struct certstore_acme a;
	char *acme, *path, *want;
	json_t *state = NULL;
	int rc;

	if (cfg_override("data_directory", dir, &err) < 0) {
		CHECK(0, "data_directory: %s", err.s);
		return;
	}
	acme = certstore_acme_dir();
	path = certstore_state_path();
	mkdir(acme, 0700);
	want = xasprintf("%s/acme/state.json", dir);
	CHECK(STR_EQ(path, want),
	    "the state file is $data_directory/acme/state.json: %s", path);
	free(want);
	CHECK(certstore_state_read(&state, &err) == 1 &&
	    json_is_object(state) && json_object_size(state) == 0,
	    "no state file yet: 1 and an empty object");
	json_decref(state);
	write_text(path, "{\"mta-sts.a.example\": {\"state\": \"failed\","
	    " \"last_error\": \"NXDOMAIN\\n\", \"not_after\": 1900000000,"
	    " \"failures\": 3, \"next_try\": \"soon\", \"issuer\": \"/CN=R3\"}}");
	CHECK(certstore_state_read(&state, &err) == 0 &&
	    certstore_state_host(state, "mta-sts.a.example", &a) == 0 &&
	    STR_EQ(a.state, "failed") && STR_EQ(a.last_error, "NXDOMAIN\n") &&
	    a.not_after == 1900000000 && a.failures == 3 && a.next_try == 0 &&
	    STR_EQ(a.issuer, "/CN=R3") && a.last_success == 0,
	    "a host's public part, a field of another type as none");
	CHECK(certstore_state_host(state, "mta-sts.b.example", &a) < 0 &&
	    a.state == NULL, "a host acmed does not know: -1");
	json_decref(state);
	write_text(path, "[1, 2]");
	rc = certstore_state_read(&state, &err);
	CHECK(rc < 0 && state == NULL &&
	    strstr(err.s, "state.json: not a JSON object") != NULL,
	    "an array: refused, naming the file: %s", err.s ? err.s : "");
	buf_reset(&err);
	write_text(path, "{\"a\": {\n\x1b[31m");
	rc = certstore_state_read(&state, &err);
	CHECK(rc < 0 &&
	    strstr(err.s, "not a JSON object") != NULL &&
	    strstr(err.s, "(line 2)") != NULL,
	    "garbage: refused with its line: %s", err.s ? err.s : "");
	buf_reset(&err);
	state = certstore_state_load(path);
	CHECK(json_is_object(state) && json_object_size(state) == 0,
	    "acmed: an unusable state file is started afresh");
	json_object_set_new(state, "mta-sts.c.example",
	    json_pack("{s:s, s:I}", "state", "valid", "not_after",
	    (json_int_t)1900000001));
	CHECK(certstore_state_save(path, state, &err) == 0 &&
	    file_mode(path) == CERTSTORE_STATE_MODE, "acmed saves it, mode %04o",
	    (unsigned)file_mode(path));
	json_decref(state);
	CHECK(certstore_state_read(&state, &err) == 0 &&
	    certstore_state_host(state, "mta-sts.c.example", &a) == 0 &&
	    STR_EQ(a.state, "valid") && a.not_after == 1900000001,
	    "what acmed saved reads back");
	json_decref(state);
	buf_free(&err);
	free(acme);
	free(path);
}

/* What acmed writes of a host reads back as the public part. */
static void
test_acme_writes(void)
{
	json_t *st = json_object();
	struct certstore_acme a;

	certstore_acme_set_state(st, "pending", 1);
	certstore_acme_set_state(st, "valid", 1);
	CHECK(certstore_acme_get(st, &a) == 0 && STR_EQ(a.state, "pending"),
	    "a state set only when there is none keeps the first");
	certstore_acme_set_failed(st, 2, 1900000100, "timeout", NULL, 1900000000);
	CHECK(certstore_acme_get(st, &a) == 0 && STR_EQ(a.state, "failed") &&
	    a.failures == 2 && a.next_try == 1900000100 &&
	    STR_EQ(a.last_error, "timeout") &&
	    json_object_get(st, "last_problem") == NULL,
	    "a failure: count, next try, error");
	certstore_acme_set_leaf(st, 1899000000, 1907000000, "/CN=R3");
	certstore_acme_set_installed(st, 1900000200);
	CHECK(certstore_acme_get(st, &a) == 0 && STR_EQ(a.state, "valid") &&
	    a.failures == 0 && a.next_try == 0 && a.last_error == NULL &&
	    a.last_success == 1900000200 && a.not_after == 1907000000 &&
	    STR_EQ(a.issuer, "/CN=R3"),
	    "installed: valid, the failures and the error forgotten");
	CHECK(certstore_acme_get(NULL, &a) < 0 && a.state == NULL,
	    "no object: -1");
	json_decref(st);
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
	test_install(dir);
	test_install_rename(dir);
	test_state(dir);
	test_acme_writes();
	cfg_free();
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# cannot remove %s\n", dir);
	free(cmd);
	return unit_status();
}
