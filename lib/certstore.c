/*
 * certstore - the certificate directory of the hosted hosts; see
 * certstore.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: CERTSTORE_DIR/HOST/ (read; written by certstore_install()
 * only) and acmed's state file (read; written by certstore_state_save()
 * only).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certstore.h"
#include "cfg.h"
#include "fileio.h"
#include "http.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"

char *
certstore_dir(void)
{
	return certstore_dir_under(var_queue_directory);
}

/* top/certs; certs, relative, when top is NULL (in the chroot). */
char *
certstore_dir_under(const char *top)
{
	if (top == NULL)
		return xstrdup(CERTSTORE_DIR);
	return xasprintf("%s/%s", top, CERTSTORE_DIR);
}

char *
certstore_old_dir(void)
{
	return xasprintf("%s/%s", var_data_directory,
	    CERTSTORE_OLD_DIR);
}

char *
certstore_path(const char *dir, const char *host, const char *file)
{
	return xasprintf("%s/%s/%s", dir, host, file);
}

int
certstore_install(const char *certs_dir, const char *host,
    const char *key_pem, const char *chain_pem, struct buf *err)
{
	char *dir = xasprintf("%s/%s", certs_dir, host);
	char *key = certstore_path(certs_dir, host, CERTSTORE_KEY);
	char *chain = certstore_path(certs_dir, host, CERTSTORE_CHAIN);
	char *key_tmp = xasprintf("%s%s", key, CERTSTORE_TMP_SUFFIX);
	char *chain_tmp = xasprintf("%s%s", chain, CERTSTORE_TMP_SUFFIX);
	int rc = -1;

	if (mkdir(dir, CERTSTORE_DIR_MODE) < 0 && errno != EEXIST) {
		buf_printf(err, "%s: cannot create: %s", dir, strerror(errno));
		goto out;
	}
	if (fileio_write_tmp(key_tmp, key_pem, strlen(key_pem),
	    CERTSTORE_KEY_MODE, FILEIO_SYNC, err) < 0)
		goto out;
	if (fileio_write_tmp(chain_tmp, chain_pem, strlen(chain_pem),
	    CERTSTORE_CHAIN_MODE, FILEIO_SYNC, err) < 0) {
		unlink(key_tmp);
		goto out;
	}
	/* Key first: a reader that sees the new chain also sees its key. */
	if (fileio_rename(key_tmp, key, err) < 0) {
		unlink(chain_tmp);
		goto out;
	}
	if (fileio_rename(chain_tmp, chain, err) < 0)
		goto out;
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
certstore_leaves(const char *dir, certstore_leaf_fn *fn, void *arg)
{
	struct certstore_leaf leaf;
	struct buf err = BUF_INIT;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !certstore_host_ok(de->d_name))
			continue;
		buf_reset(&err);
		if (certstore_leaf_read(dir, de->d_name, &leaf, &err) == 0)
			fn(de->d_name, &leaf, arg);
	}
	closedir(d);
	buf_free(&err);
	return 0;
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
	path = certstore_path(dir, host, CERTSTORE_CHAIN);
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

/*
 * acmed's state file.
 */

/* The keys of a host's object: the public part, then acmed's own. */
#define CERTSTORE_K_STATE	"state"
#define CERTSTORE_K_NOT_AFTER	"not_after"
#define CERTSTORE_K_ISSUER	"issuer"
#define CERTSTORE_K_LAST_ERROR	"last_error"
#define CERTSTORE_K_LAST_SUCCESS "last_success"
#define CERTSTORE_K_NEXT_TRY	"next_try"
#define CERTSTORE_K_FAILURES	"failures"
#define CERTSTORE_K_NOT_BEFORE	"not_before"
#define CERTSTORE_K_LAST_PROBLEM "last_problem"
#define CERTSTORE_K_UPDATED	"updated"

char *
certstore_acme_dir(void)
{
	return xasprintf("%s/%s", var_data_directory,
	    CERTSTORE_ACME_DIR);
}

char *
certstore_state_path(void)
{
	return xasprintf("%s/%s/%s", var_data_directory,
	    CERTSTORE_ACME_DIR, CERTSTORE_STATE);
}

json_t *
certstore_state_load(const char *path)
{
	json_error_t je;
	json_t *st;

	st = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (st == NULL || !json_is_object(st)) {
		if (st != NULL || access(path, F_OK) == 0)
			log_warn("%s: unreadable state file, starting afresh:"
			    " %s", path, je.text);
		json_decref(st);
		st = json_object();
	}
	return st;
}

int
certstore_state_save(const char *path, json_t *state, struct buf *err)
{
	char *text = json_dumps(state, JSON_INDENT(1) | JSON_SORT_KEYS);
	int rc;

	if (text == NULL) {
		buf_printf(err, "%s: cannot encode the state", path);
		return -1;
	}
	rc = fileio_write_atomic(path, text, strlen(text), CERTSTORE_STATE_MODE,
	    FILEIO_SYNC, err);
	free(text);
	return rc;
}

int
certstore_state_read(json_t **state, struct buf *err)
{
	struct buf data = BUF_INIT;
	char *path = certstore_state_path();
	json_error_t je;
	int rc = -1;

	*state = NULL;
	if (access(path, F_OK) != 0) {
		*state = json_object();
		rc = 1;
	} else if (cfg_read_file(path, &data, err) < 0) {
		;
	} else if (data.len > CERTSTORE_FILE_MAX) {
		buf_printf(err, "%s: larger than %d bytes", path,
		    CERTSTORE_FILE_MAX);
	} else if ((*state = json_loadb(data.s, data.len,
	    JSON_REJECT_DUPLICATES, &je)) == NULL || !json_is_object(*state)) {
		buf_printf(err, "%s: not a JSON object: %s (line %d)", path,
		    *state ? "" : je.text, je.line);
		json_decref(*state);
		*state = NULL;
	} else
		rc = 0;
	buf_free(&data);
	free(path);
	return rc;
}

static long long
certstore_state_int(json_t *st, const char *key)
{
	json_t *v = json_object_get(st, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

int
certstore_state_host(json_t *state, const char *host,
    struct certstore_acme *a)
{
	return certstore_acme_get(json_object_get(state, host), a);
}

int
certstore_acme_get(json_t *st, struct certstore_acme *a)
{
	memset(a, 0, sizeof(*a));
	if (!json_is_object(st))
		return -1;
	a->state = json_string_value(json_object_get(st, CERTSTORE_K_STATE));
	a->last_error = json_string_value(json_object_get(st,
	    CERTSTORE_K_LAST_ERROR));
	a->issuer = json_string_value(json_object_get(st, CERTSTORE_K_ISSUER));
	a->not_after = certstore_state_int(st, CERTSTORE_K_NOT_AFTER);
	a->last_success = certstore_state_int(st, CERTSTORE_K_LAST_SUCCESS);
	a->next_try = certstore_state_int(st, CERTSTORE_K_NEXT_TRY);
	a->failures = certstore_state_int(st, CERTSTORE_K_FAILURES);
	return 0;
}

/* acmed's writes of one host's object st. */
void
certstore_acme_set_leaf(json_t *st, long long not_before,
    long long not_after, const char *issuer)
{
	json_object_set_new(st, CERTSTORE_K_NOT_BEFORE,
	    json_integer(not_before));
	json_object_set_new(st, CERTSTORE_K_NOT_AFTER, json_integer(not_after));
	json_object_set_new(st, CERTSTORE_K_ISSUER, json_string(issuer));
}

void
certstore_acme_set_state(json_t *st, const char *state, int if_none)
{
	if (if_none && json_object_get(st, CERTSTORE_K_STATE) != NULL)
		return;
	json_object_set_new(st, CERTSTORE_K_STATE, json_string(state));
}

void
certstore_acme_set_installed(json_t *st, long long now)
{
	json_object_set_new(st, CERTSTORE_K_STATE, json_string("valid"));
	json_object_set_new(st, CERTSTORE_K_FAILURES, json_integer(0));
	json_object_set_new(st, CERTSTORE_K_NEXT_TRY, json_integer(0));
	json_object_set_new(st, CERTSTORE_K_LAST_ERROR, json_null());
	json_object_set_new(st, CERTSTORE_K_LAST_SUCCESS, json_integer(now));
	json_object_set_new(st, CERTSTORE_K_UPDATED, json_integer(now));
}

void
certstore_acme_set_failed(json_t *st, long long failures, long long next_try,
    const char *error, const char *problem, long long now)
{
	json_object_set_new(st, CERTSTORE_K_STATE, json_string("failed"));
	json_object_set_new(st, CERTSTORE_K_FAILURES, json_integer(failures));
	json_object_set_new(st, CERTSTORE_K_NEXT_TRY, json_integer(next_try));
	json_object_set_new(st, CERTSTORE_K_LAST_ERROR, json_string(error));
	if (problem != NULL)
		json_object_set_new(st, CERTSTORE_K_LAST_PROBLEM,
		    json_string(problem));
	json_object_set_new(st, CERTSTORE_K_UPDATED, json_integer(now));
}
