/*
 * certcache - httpd's TLS context and its certificates, chosen by SNI.
 * SPDX-License-Identifier: ISC
 *
 * See certcache.h.  Entries live in a hash table (lib/htable, by
 * normalized host) and on a least-recently-used list; a miss is an entry without
 * certificate.  Files are only read through the certificate directory's
 * descriptor, so this works the same inside the chroot.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certcache.h"
#include "certstore.h"
#include "challenge.h"
#include "dlist.h"
#include "htable.h"
#include "http.h"
#include "log.h"
#include "mymalloc.h"

#define CERTCACHE_CIPHERS	"ECDHE+AESGCM:ECDHE+CHACHA20"
#define CERTCACHE_GROUPS	"X25519:P-256:P-384"
#define CERTCACHE_SID_CTX	"stsd/httpd"
#define CERTCACHE_SHARED_MAX	64	/* chain certificates kept once */

/*
 * No session resumption: no session cache, no tickets.  A sender
 * fetches a host's policy once per max_age (days) or when its id
 * changes, and a TLS 1.3 session may only be resumed for the same
 * host, so a resumable session is almost never used again; issuing one
 * costs every full handshake a session, its encoding and encryption
 * and one more record, and a cache costs memory and a periodic walk.
 */

/*
 * What identifies a version of a file.  The change time is in it: a
 * chown or chmod that makes an unreadable key readable changes ctime,
 * not mtime, and must make a failed load be tried again.
 */
struct certcache_fileid {
	dev_t	 dev;
	ino_t	 ino;
	off_t	 size;
	struct timespec mtime;
	struct timespec ctime;
};

struct certcache_entry {
	struct certcache_entry *prev, *next;	/* LRU list, most recent first */
	char	 host[HTTP_HOST_MAX + 1];
	time_t	 checked;			/* monotonic seconds */
	struct certcache_fileid id[2];		/* fullchain, privkey */
	X509	*cert;				/* NULL: a miss */
	EVP_PKEY *key;
	STACK_OF(X509) *chain;
};

struct certcache {
	SSL_CTX	*ctx;
	int	 dirfd;
	size_t	 max;
	size_t	 count;
	struct htable *hosts;		/* host -> struct certcache_entry */
	struct certcache_entry *head, *tail;
	unsigned long loads;
	X509	*shared[CERTCACHE_SHARED_MAX];	/* see certcache_share() */
	int	 nshared;
};

static const char *const certcache_files[2] = {
	CERTSTORE_CHAIN, CERTSTORE_KEY
};

static time_t
certcache_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

/* The OpenSSL error queue as one line, then cleared. */
static void
certcache_ssl_error(struct buf *err)
{
	unsigned long e;
	char text[256];

	if ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, text, sizeof(text));
		buf_printf(err, ": %s", text);
	}
	ERR_clear_error();
}

/* Never asks for a pass phrase: encrypted keys are refused. */
static int
certcache_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return 0;
}

/* The identity of a file from its stat: what a change of it changes. */
static void
certcache_fileid_set(struct certcache_fileid *id, const struct stat *st)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
	id->ctime = st->st_ctim;
}

static int
certcache_stat(int dirfd, const char *host, int which,
    struct certcache_fileid *id)
{
	char path[HTTP_HOST_MAX + 32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", host, certcache_files[which]);
	memset(id, 0, sizeof(*id));
	if (fstatat(dirfd, path, &st, 0) < 0)
		return -1;
	certcache_fileid_set(id, &st);
	return 0;
}

static int
certcache_same(const struct certcache_fileid *a, const struct certcache_fileid *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec &&
	    a->ctime.tv_sec == b->ctime.tv_sec &&
	    a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Reads HOST/FILE into data; its identity into id.  -1 with err set. */
static int
certcache_read(int dirfd, const char *host, int which, struct buf *data,
    struct certcache_fileid *id, struct buf *err)
{
	char path[HTTP_HOST_MAX + 32];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", host, certcache_files[which]);
	if ((fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		buf_printf(err, "%s/%s: %s", CERTSTORE_DIR, path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > CERTCACHE_FILE_MAX) {
		buf_printf(err, "%s/%s: %s", CERTSTORE_DIR, path,
		    !S_ISREG(st.st_mode) ? "not a regular file" :
		    "larger than 1 MiB");
		close(fd);
		return -1;
	}
	certcache_fileid_set(id, &st);
	buf_reset(data);
	buf_reserve(data, (size_t)st.st_size + 1);
	while (data->len <= CERTCACHE_FILE_MAX &&
	    (n = read(fd, data->s + data->len, data->cap - data->len - 1)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			buf_printf(err, "%s/%s: %s", CERTSTORE_DIR, path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		data->len += (size_t)n;
		data->s[data->len] = '\0';
		if (data->len + 1 == data->cap)
			buf_reserve(data, 4096);
	}
	close(fd);
	if (data->len > CERTCACHE_FILE_MAX) {
		buf_printf(err, "%s/%s: larger than 1 MiB", CERTSTORE_DIR,
		    path);
		return -1;
	}
	return 0;
}

/*
 * The chains of most hosts hold the same few intermediate certificates
 * (one CA issues them all): one parsed copy of each serves every chain
 * that has it, instead of a copy per host (a parsed certificate is a
 * few KiB; 10,000 hosts would hold 10,000 copies).  Returns x, or the
 * shared copy of the same certificate (x is then freed).
 */
static X509 *
certcache_share(struct certcache *c, X509 *x)
{
	int i;

	for (i = 0; i < c->nshared; i++)
		if (X509_cmp(c->shared[i], x) == 0) {
			X509_free(x);
			X509_up_ref(c->shared[i]);
			return c->shared[i];
		}
	if (c->nshared < CERTCACHE_SHARED_MAX) {
		X509_up_ref(x);
		c->shared[c->nshared++] = x;
	}
	return x;
}

static void
certcache_clear(struct certcache_entry *e)
{
	X509_free(e->cert);
	EVP_PKEY_free(e->key);
	sk_X509_pop_free(e->chain, X509_free);
	e->cert = NULL;
	e->key = NULL;
	e->chain = NULL;
}

/*
 * Loads the host's certificate, chain and key into e (replacing what
 * it held) and returns 0; or -1 with err set, e unchanged.
 */
static int
certcache_load(struct certcache *c, struct certcache_entry *e, struct buf *err)
{
	struct buf data = BUF_INIT;
	struct certcache_fileid id[2];
	STACK_OF(X509) *chain = NULL;
	X509 *cert = NULL, *x;
	EVP_PKEY *key = NULL;
	BIO *bio = NULL;

	if (certcache_read(c->dirfd, e->host, 0, &data, &id[0], err) < 0)
		goto fail;
	bio = BIO_new_mem_buf(data.s, (int)data.len);
	if ((cert = PEM_read_bio_X509(bio, NULL, certcache_no_passphrase,
	    NULL)) == NULL) {
		buf_printf(err, "%s/%s/%s: no certificate", CERTSTORE_DIR,
		    e->host, CERTSTORE_CHAIN);
		certcache_ssl_error(err);
		goto fail;
	}
	chain = sk_X509_new_null();
	while ((x = PEM_read_bio_X509(bio, NULL, certcache_no_passphrase,
	    NULL)) != NULL)
		sk_X509_push(chain, certcache_share(c, x));
	ERR_clear_error();		/* the end of the file */
	BIO_free(bio);
	bio = NULL;

	if (certcache_read(c->dirfd, e->host, 1, &data, &id[1], err) < 0)
		goto fail;
	bio = BIO_new_mem_buf(data.s, (int)data.len);
	if ((key = PEM_read_bio_PrivateKey(bio, NULL, certcache_no_passphrase,
	    NULL)) == NULL) {
		buf_printf(err, "%s/%s/%s: no usable private key",
		    CERTSTORE_DIR, e->host, CERTSTORE_KEY);
		certcache_ssl_error(err);
		goto fail;
	}
	if (X509_check_private_key(cert, key) != 1) {
		buf_printf(err, "%s/%s: %s does not match the certificate of"
		    " %s", CERTSTORE_DIR, e->host, CERTSTORE_KEY,
		    CERTSTORE_CHAIN);
		ERR_clear_error();
		goto fail;
	}
	BIO_free(bio);
	OPENSSL_cleanse(data.s, data.cap);
	buf_free(&data);
	certcache_clear(e);
	e->cert = cert;
	e->key = key;
	e->chain = chain;
	memcpy(e->id, id, sizeof(id));
	c->loads++;
	return 0;

fail:
	BIO_free(bio);
	if (data.s != NULL)
		OPENSSL_cleanse(data.s, data.cap);
	buf_free(&data);
	X509_free(cert);
	EVP_PKEY_free(key);
	sk_X509_pop_free(chain, X509_free);
	return -1;
}

static void
certcache_lru_unlink(struct certcache *c, struct certcache_entry *e)
{
	DLIST_UNLINK2(c->head, c->tail, e);
}

static void
certcache_lru_front(struct certcache *c, struct certcache_entry *e)
{
	DLIST_PUSH2(c->head, c->tail, e);
}

static void
certcache_remove(struct certcache *c, struct certcache_entry *e)
{
	htable_delete_str(c->hosts, e->host);
	certcache_lru_unlink(c, e);
	certcache_clear(e);
	free(e);
	c->count--;
}

/* A new entry for host, loaded (or a miss), evicting the oldest if full. */
static struct certcache_entry *
certcache_add(struct certcache *c, const char *host)
{
	struct certcache_entry *e;
	struct buf err = BUF_INIT;

	if (c->count >= c->max && c->tail != NULL)
		certcache_remove(c, c->tail);
	e = xcalloc(1, sizeof(*e));
	snprintf(e->host, sizeof(e->host), "%s", host);
	e->checked = certcache_now();
	if (certcache_load(c, e, &err) < 0) {
		/* A host without a directory is an ordinary miss. */
		int found = (certcache_stat(c->dirfd, e->host, 0, &e->id[0]) == 0) +
		    (certcache_stat(c->dirfd, e->host, 1, &e->id[1]) == 0);

		if (found > 0)
			log_warn("%s", err.s);
		else
			log_debug("%s", err.s);
	}
	buf_free(&err);
	htable_enter_str(c->hosts, e->host, e);
	certcache_lru_front(c, e);
	c->count++;
	return e;
}

/* At most once per interval: reload when either file changed. */
static void
certcache_check(struct certcache *c, struct certcache_entry *e)
{
	struct certcache_fileid now[2];
	struct buf err = BUF_INIT;
	time_t t = certcache_now();

	if (e->checked != 0 && t - e->checked < CERTCACHE_CHECK_INTERVAL)
		return;
	e->checked = t;
	certcache_stat(c->dirfd, e->host, 0, &now[0]);
	certcache_stat(c->dirfd, e->host, 1, &now[1]);
	if (certcache_same(&now[0], &e->id[0]) &&
	    certcache_same(&now[1], &e->id[1]))
		return;
	if (certcache_load(c, e, &err) == 0) {
		log_info("%s: certificate loaded again (files changed)", e->host);
	} else {
		/* Do not retry the same broken files on every check. */
		memcpy(e->id, now, sizeof(now));
		if (e->cert != NULL)
			log_warn("%s; still using the previous certificate", err.s);
		else if (now[0].ino != 0 || now[1].ino != 0)
			log_warn("%s", err.s);
	}
	buf_free(&err);
}

static struct certcache_entry *
certcache_lookup(struct certcache *c, const char *host)
{
	struct certcache_entry *e = htable_find_str(c->hosts, host);

	if (e == NULL)
		return certcache_add(c, host);
	certcache_check(c, e);
	if (c->head != e) {
		certcache_lru_unlink(c, e);
		certcache_lru_front(c, e);
	}
	return e;
}

static int
certcache_sni(SSL *ssl, int *alert, void *arg)
{
	struct certcache *c = arg;
	struct certcache_entry *e;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	char host[HTTP_HOST_MAX + 1];
	char *sni = SSL_get_app_data(ssl);

	*alert = SSL_AD_UNRECOGNIZED_NAME;
	if (name == NULL || http_host_normalize(name, strlen(name), host) < 0)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	e = certcache_lookup(c, host);
	/* No certificate yet: its first may be under tls-alpn-01 validation. */
	if (e->cert == NULL && !challenge_tls_host(host))
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	if (e->cert != NULL &&
	    SSL_use_cert_and_key(ssl, e->cert, e->key, e->chain, 1) != 1) {
		ERR_clear_error();
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	if (sni != NULL)
		memcpy(sni, host, strlen(host) + 1);
	return SSL_TLSEXT_ERR_OK;
}

struct certcache *
certcache_new(size_t max, struct buf *err)
{
	struct certcache *c = xcalloc(1, sizeof(*c));
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, CERTCACHE_CIPHERS) != 1 ||
	    SSL_CTX_set1_groups_list(ctx, CERTCACHE_GROUPS) != 1 ||
	    SSL_CTX_set_session_id_context(ctx,
	    (const unsigned char *)CERTCACHE_SID_CTX,
	    sizeof(CERTCACHE_SID_CTX) - 1) != 1) {
		buf_puts(err, "cannot set up the TLS context");
		certcache_ssl_error(err);
		SSL_CTX_free(ctx);
		free(c);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_TICKET);
	/*
	 * Read-ahead: see conn.c.  No SSL_MODE_RELEASE_BUFFERS: it frees
	 * and allocates the 16 KiB record buffers after every record, a
	 * dozen large malloc()s per handshake; conn.c frees the buffers
	 * of idle connections itself when there are many.
	 */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_tlsext_servername_callback(ctx, certcache_sni);
	SSL_CTX_set_tlsext_servername_arg(ctx, c);
	challenge_tls_setup(ctx);		/* ALPN acme-tls/1 */

	c->ctx = ctx;
	c->dirfd = -1;
	c->max = max > 0 ? max : 1;
	/* As many buckets as entries: the table never grows. */
	c->hosts = htable_new(c->max, 0);
	return c;
}

void
certcache_set_dir(struct certcache *c, int dirfd)
{
	c->dirfd = dirfd;
}

SSL_CTX *
certcache_ctx(struct certcache *c)
{
	return c->ctx;
}

void
certcache_attach(SSL *ssl, char *sni)
{
	sni[0] = '\0';
	SSL_set_app_data(ssl, sni);
}

void
certcache_invalidate(struct certcache *c, const char *host)
{
	char norm[HTTP_HOST_MAX + 1];
	struct certcache_entry *e;

	if (http_host_normalize(host, strlen(host), norm) < 0)
		return;
	if ((e = htable_find_str(c->hosts, norm)) != NULL) {
		e->checked = 0;
		memset(e->id, 0, sizeof(e->id));	/* reload, not only check */
	}
}

/*
 * Whether a handshake for host gets a certificate that is valid now and
 * names host: loads it now if it is not cached (one host, on request:
 * still lazy), checks the files as a handshake would.
 */
int
certcache_servable(struct certcache *c, const char *host,
    long long *not_after)
{
	char norm[HTTP_HOST_MAX + 1];
	struct certcache_entry *e;
	const ASN1_TIME *na;
	struct tm tm;

	*not_after = 0;
	if (c->dirfd < 0 || http_host_normalize(host, strlen(host), norm) < 0)
		return 0;
	e = certcache_lookup(c, norm);
	if (e->cert == NULL)
		return 0;
	na = X509_get0_notAfter(e->cert);
	if (X509_cmp_current_time(X509_get0_notBefore(e->cert)) >= 0 ||
	    X509_cmp_current_time(na) <= 0 || ASN1_TIME_to_tm(na, &tm) != 1 ||
	    X509_check_host(e->cert, norm, 0, X509_CHECK_FLAG_NO_WILDCARDS,
	    NULL) != 1) {
		ERR_clear_error();
		return 0;
	}
	*not_after = (long long)timegm(&tm);
	return 1;
}

void
certcache_stats(const struct certcache *c, size_t *entries,
    unsigned long *loads)
{
	*entries = c->count;
	*loads = c->loads;
}

void
certcache_free(struct certcache *c)
{
	if (c == NULL)
		return;
	while (c->head != NULL)
		certcache_remove(c, c->head);
	while (c->nshared > 0)
		X509_free(c->shared[--c->nshared]);
	htable_free(c->hosts, NULL);
	SSL_CTX_free(c->ctx);
	free(c);
}
