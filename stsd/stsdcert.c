/*
 * stsdcert - stsd check: the certificate store, its files as mail_owner
 * reads them, the certificates of active domains, and the move of a
 * store left in data_directory; see stsd.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: $queue_directory/certs (read; and written by the move from
 * $data_directory/certs), public/policyd (domain-list), acmed's state
 * (read; both through lib/certstore).
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
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "certstore.h"
#include "cfg.h"
#include "esc.h"
#include "fileio.h"
#include "mymalloc.h"
#include "plural.h"
#include "policyc.h"
#include "proto.h"
#include "stsd.h"

#define STSD_POLICYD_SOCKET	PROTO_POLICYD_PUBLIC
#define STSD_POLICYD_TIMEOUT_MS	5000	/* for the domain list */

/*
 * What acmed says of host (from its state file, loaded by the caller):
 * " (acmed: STATE: LAST_ERROR)", escaped for the terminal, or "".
 */
static void
stsd_acme_state(json_t *acme, const char *host, struct buf *out)
{
	struct certstore_acme a;

	buf_reset(out);
	if (certstore_state_host(acme, host, &a) < 0) {
		if (acme != NULL)
			buf_printf(out, " (acmed: no order for %s yet)", host);
		return;
	}
	if (a.state == NULL)
		return;
	buf_puts(out, " (acmed: ");
	esc_text(out, a.state);
	if (a.last_error != NULL && *a.last_error != '\0') {
		buf_puts(out, ": ");
		esc_text(out, a.last_error);
	}
	buf_puts(out, ")");
}

static int
stsd_check_domain_cert(json_t *d, json_t *acme)
{
	const char *name = json_string_value(json_object_get(d, "domain"));
	const char *state = json_string_value(json_object_get(d, "state"));
	const char *host = json_string_value(json_object_get(d, "policy_host"));
	struct buf why = BUF_INIT;
	char *path, *dir;
	int rc = 0, err;

	if (name == NULL || host == NULL || state == NULL ||
	    strcmp(state, "active") != 0 || strchr(host, '/') != NULL)
		return 0;
	dir = certstore_dir();
	path = certstore_path(dir, host, CERTSTORE_CHAIN);
	free(dir);
	if (access(path, R_OK) != 0) {
		if (cfg_bool("acme_enabled")) {
			err = errno;
			stsd_acme_state(acme, host, &why);
			stsd_say("error: domain %s is active but has no "
			    "certificate: %s: %s%s (fix: acmed has not installed "
			    "one yet: see what it waits for in stsctl cert list "
			    "and in acmed's log, or install %s and %s there)",
			    name, path, strerror(err), why.s ? why.s : "",
			    CERTSTORE_CHAIN, CERTSTORE_KEY);
			buf_free(&why);
		} else
			stsd_say("error: domain %s is active but has no "
			    "certificate: %s: %s (fix: acme_enabled = yes so "
			    "that acmed gets one, or install %s and %s there)",
			    name, path, strerror(errno), CERTSTORE_CHAIN,
			    CERTSTORE_KEY);
		rc = 1;
	}
	free(path);
	return rc;
}

/*
 * One certificate of the store: expired is an error, less than
 * cert_warning_time left a warning (not counted: it is still served).
 */
static int
stsd_check_cert_health(const char *dir, const char *host, long long now,
    long long warning)
{
	struct certstore_leaf leaf;
	struct buf err = BUF_INIT;
	char when[32];
	time_t t;
	struct tm tm;
	int rc = 0;

	if (certstore_leaf_read(dir, host, &leaf, &err) < 0) {
		stsd_say("error: certificate of %s: %s", host, err.s);
		buf_free(&err);
		return 1;
	}
	buf_free(&err);
	t = (time_t)leaf.not_after;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", leaf.not_after);
	switch (certstore_health(leaf.not_after, now, warning)) {
	case CERTSTORE_EXPIRED:
		stsd_say("error: certificate of %s expired on %s (%s/%s/%s):"
		    " senders cannot fetch its policy (fix: stsctl cert renew"
		    " %s, or install a new %s and %s there)", host, when, dir,
		    host, CERTSTORE_CHAIN, host, CERTSTORE_CHAIN,
		    CERTSTORE_KEY);
		rc = 1;
		break;
	case CERTSTORE_WARNING:
		stsd_say("warning: certificate of %s expires on %s, in %lld"
		    " %s (cert_warning_time is %lld %s): renew it", host,
		    when, (leaf.not_after - now) / 86400,
		    plural((leaf.not_after - now) / 86400, "day", "days"),
		    warning / 86400, plural(warning / 86400, "day", "days"));
		break;
	default:
		break;
	}
	return rc;
}

/*
 * Every certificate in $queue_directory/certs, whoever installed it.
 * Returns the number of errors.
 */
int
stsd_check_cert_store(void)
{
	char *dir = certstore_dir();
	long long now = (long long)time(NULL);
	long long warning = cfg_time("cert_warning_time");
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return 0;		/* dirs_check() said why */
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !certstore_host_ok(de->d_name))
			continue;
		n += stsd_check_cert_health(dir, de->d_name, now, warning);
	}
	closedir(d);
	free(dir);
	return n;
}

/*
 * One host directory of the store, read as a daemon reads it: both
 * files open, and (load: not at start; measured 2 ms a host with the
 * sanitizers, 2000 hosts in 4.1 s) the chain parses and the key
 * matches it.  Run in the
 * child of stsd_check_cert_access().
 */
static int
stsd_check_cert_files(const char *dir, const char *host, int load)
{
	char *chain = certstore_path(dir, host, CERTSTORE_CHAIN);
	char *key = certstore_path(dir, host, CERTSTORE_KEY);
	const char *owner = cfg_str("mail_owner"), *bad;
	SSL_CTX *ctx;
	unsigned long e;
	int rc = 0;

	if (access(chain, F_OK) != 0 && errno == ENOENT &&
	    access(key, F_OK) != 0 && errno == ENOENT)
		goto out;	/* an empty directory: the other checks say */
	if ((bad = chain, access(chain, R_OK) != 0) ||
	    (bad = key, access(key, R_OK) != 0)) {
		stsd_say("error: certificate of %s: %s: not readable by %s: "
		    "%s (fix: chown %s %s; chmod 0600 %s)", host, bad, owner,
		    strerror(errno), owner, bad, bad);
		rc = 1;
		goto out;
	}
	if (!load)
		goto out;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_use_certificate_chain_file(ctx, chain) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		e = ERR_get_error();
		stsd_say("error: certificate of %s: %s and %s cannot be used: "
		    "%s (fix: install a matching %s and %s there)", host,
		    chain, key, e ? ERR_reason_error_string(e) :
		    "unknown error", CERTSTORE_CHAIN, CERTSTORE_KEY);
		rc = 1;
	}
	ERR_clear_error();
	SSL_CTX_free(ctx);
out:
	free(chain);
	free(key);
	return rc;
}

/*
 * Every host directory of the store is read by a child that has
 * become mail_owner (when run by root), as httpd and rptrecv will:
 * a key that root reads and mail_owner cannot is an error here, not
 * an "unrecognized name" alert at the first HTTPS fetch.
 */
static int
stsd_cert_files_all(void *arg)
{
	int load = *(const int *)arg, n = 0;
	struct dirent *de;
	char *dir = certstore_dir();
	DIR *d;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' &&
			    certstore_host_ok(de->d_name))
				n += stsd_check_cert_files(dir, de->d_name,
				    load);
		closedir(d);
	}
	free(dir);
	return n;
}

int
stsd_check_cert_access(int load)
{
	return stsd_as_owner(stsd_cert_files_all, &load);
}

/*
 * The files of host directory from, copied into to (made with from's
 * mode and owner), each with its mode and owner, then from removed:
 * the move of stsd_certs_migrate() across file systems.
 */
static int
stsd_certs_copy(const char *from, const char *to, struct buf *err)
{
	struct buf data = BUF_INIT;
	struct dirent *de;
	struct stat st;
	char *src, *dst;
	DIR *d;
	int rc = 0;

	if (stat(from, &st) < 0 || (d = opendir(from)) == NULL) {
		buf_printf(err, "%s: %s", from, strerror(errno));
		return -1;
	}
	if (mkdir(to, st.st_mode & 07777) < 0 ||
	    chown(to, st.st_uid, st.st_gid) < 0) {
		buf_printf(err, "%s: %s", to, strerror(errno));
		closedir(d);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		src = xasprintf("%s/%s", from, de->d_name);
		dst = xasprintf("%s/%s", to, de->d_name);
		if (lstat(src, &st) < 0 || !S_ISREG(st.st_mode)) {
			buf_printf(err, "%s: not a regular file", src);
			rc = -1;
		} else if (cfg_read_file(src, &data, err) < 0 ||
		    fileio_write_atomic(dst, data.s, data.len, st.st_mode &
		    07777, FILEIO_SYNC, err) < 0 ||
		    chown(dst, st.st_uid, st.st_gid) < 0) {
			if (err->len == 0)
				buf_printf(err, "%s: %s", dst, strerror(errno));
			rc = -1;
		}
		if (data.s != NULL)
			memset(data.s, 0, data.len);	/* a private key */
		free(src);
		free(dst);
	}
	closedir(d);
	buf_free(&data);
	if (rc < 0)
		return -1;
	/* Copied: only now is the former one removed. */
	if ((d = opendir(from)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			src = xasprintf("%s/%s", from, de->d_name);
			(void)unlink(src);
			free(src);
		}
		closedir(d);
	}
	(void)rmdir(from);
	return 0;
}

/*
 * Certificates used to live in $data_directory/certs, outside the
 * chroot of httpd: each host directory left there is moved into
 * $queue_directory/certs, unless that already has one of the host.
 */
int
stsd_certs_migrate(void)
{
	char *old = certstore_old_dir();
	char *dir = certstore_dir(), *from, *to;
	struct buf err = BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int n = 0, left = 0;

	if ((d = opendir(old)) == NULL)
		goto out;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		from = xasprintf("%s/%s", old, de->d_name);
		to = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(to, &st) == 0) {
			stsd_say("warning: %s: not used (%s is): remove it",
			    from, to);
			left++;
		} else if (rename(from, to) == 0 || (errno == EXDEV &&
		    stsd_certs_copy(from, to, &err) == 0)) {
			stsd_say("%s: moved to %s (certificates live inside the"
			    " chroot of httpd)", from, to);
		} else {
			stsd_say("error: %s: cannot move it to %s: %s (fix: mv"
			    " %s %s)", from, to, err.len ? err.s :
			    strerror(errno), from, dir);
			n++;
		}
		buf_reset(&err);
		free(from);
		free(to);
	}
	closedir(d);
	if (left == 0 && n == 0 && rmdir(old) == 0)
		stsd_say("%s: removed (empty)", old);
out:
	buf_free(&err);
	free(old);
	free(dir);
	return n;
}

struct stsd_certs {
	json_t	*acme;		/* acmed's state, or NULL */
	int	 n;		/* problems said */
};

static int
stsd_check_certs_page(json_t *domains, void *arg, struct buf *err)
{
	struct stsd_certs *c = arg;
	json_t *d;
	size_t i;

	(void)err;
	json_array_foreach(domains, i, d)
		c->n += stsd_check_domain_cert(d, c->acme);
	return 0;
}

/*
 * Certificates of active domains, from policyd's domain list (the pages
 * by lib/policyc).  stsd check may run before start: then policyd does
 * not answer and the check is skipped (said with -v).
 */
int
stsd_check_certs(void)
{
	struct buf err = BUF_INIT;
	struct stsd_certs c = { NULL, 0 };
	struct policyc pc;
	char *sock = proto_path(STSD_POLICYD_SOCKET);

	if (policyc_open(&pc, sock, STSD_POLICYD_TIMEOUT_MS, &err) < 0) {
		if (stsd_verbose)
			stsd_say("policyd is not running (%s): certificates of "
			    "active domains not checked", err.s);
		goto out;
	}
	/* acmed's state of each host, for the domains without a certificate. */
	if (cfg_bool("acme_enabled")) {
		if (certstore_state_read(&c.acme, &err) != 0) {
			json_decref(c.acme);
			c.acme = NULL;
		}
		buf_reset(&err);
	}
	/* lib/policyc's own errors already name the request. */
	if (policyc_domain_pages(policyc_call, &pc, stsd_check_certs_page, &c,
	    &err) < 0)
		stsd_say("warning: policyd: %s%s: certificates not checked",
		    err.s != NULL && strncmp(err.s, PROTO_OP_DOMAIN_LIST ": ",
		    strlen(PROTO_OP_DOMAIN_LIST ": ")) == 0 ? "" :
		    PROTO_OP_DOMAIN_LIST ": ", err.s ? err.s : "");
	json_decref(c.acme);
	policyc_close(&pc);
out:
	free(sock);
	buf_free(&err);
	return c.n;
}

