/*
 * alert - log, mail and POST alerts, once per change; see alert.h.
 *
 * May touch: the state file given to alert_store_file() (appended to;
 * rewritten as PATH.tmp then renamed), fork/exec of sendmail_path, one
 * outgoing TCP
 * connection per webhook.  The grandchild that delivers uses _exit()
 * so that it never runs the parent's atexit handlers.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "alert.h"
#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "mymalloc.h"

#define ALERT_HASH_SIZE		4096	/* buckets of the file store */
#define ALERT_STATE_LINE_MAX	2048	/* bytes of one state file line */
#define ALERT_URL_MAX		2048	/* bytes of a webhook URL */
#define ALERT_COMPACT_MIN	1024	/* journal lines before a rewrite */

/*
 * The file store: a hash of "domain\tkind" -> key.  The file is a
 * journal: "domain TAB kind TAB key" sets, "domain TAB kind" forgets,
 * the last line of a pair wins.  Each change is appended at once (a
 * write(2): a process that is killed loses nothing), synced on flush,
 * and the file is rewritten with only what is live when it holds more
 * than twice that (and ALERT_COMPACT_MIN lines), and when it is opened.
 */
struct alert_entry {
	struct alert_entry *next;
	char	*name;			/* domain TAB kind */
	char	*key;
};

struct alert_file {
	char	*path;
	int	 fd;			/* appends; -1 when it cannot */
	int	 dirty;			/* appended since synced */
	time_t	 saved;			/* time of the last sync */
	size_t	 live;			/* entries */
	size_t	 lines;			/* lines in the file */
	struct alert_entry *bucket[ALERT_HASH_SIZE];
};

static struct alert_store alert_store;
static int alert_have_store;
static struct alert_file *alert_file;

static unsigned
alert_hash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % ALERT_HASH_SIZE;
}

/* A copy of s without TAB, CR or LF, for keys and kinds. */
static char *
alert_clean(const char *s)
{
	char *c = xstrdup(s ? s : ""), *p;

	for (p = c; *p; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
	return c;
}

static struct alert_entry **
alert_file_find(struct alert_file *f, const char *name)
{
	struct alert_entry **e;

	for (e = &f->bucket[alert_hash(name)]; *e; e = &(*e)->next)
		if (strcmp((*e)->name, name) == 0)
			break;
	return e;
}

static void
alert_file_set(struct alert_file *f, const char *name, const char *key)
{
	struct alert_entry **e = alert_file_find(f, name), *n;

	if (*e != NULL) {
		n = *e;
		if (key == NULL) {
			*e = n->next;
			free(n->name);
			free(n->key);
			free(n);
			f->live--;
		} else {
			free(n->key);
			n->key = xstrdup(key);
		}
	} else if (key != NULL) {
		n = xcalloc(1, sizeof(*n));
		n->name = xstrdup(name);
		n->key = xstrdup(key);
		*e = n;
		f->live++;
	}
}

/* The descriptor that changes are appended to. */
static void
alert_file_open(struct alert_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600);
	if (f->fd < 0)
		log_warn("%s: cannot write alert state: %s", f->path,
		    strerror(errno));
}

static void
alert_file_append(struct alert_file *f, const char *name, const char *key)
{
	char *line = key ? xasprintf("%s\t%s\n", name, key) :
	    xasprintf("%s\n", name);
	size_t len = strlen(line);

	if (f->fd < 0 || write(f->fd, line, len) != (ssize_t)len) {
		log_warn("%s: cannot append alert state: %s", f->path,
		    f->fd < 0 ? "not open" : strerror(errno));
		f->lines = (size_t)-1 / 2;	/* rewrite it next time */
	} else
		f->lines++;
	free(line);
}

static void
alert_file_save(struct alert_file *f)
{
	char *tmp = xasprintf("%s.tmp", f->path);
	struct alert_entry *e;
	FILE *fp;
	int i, bad;

	if ((fp = fopen(tmp, "w")) == NULL) {
		log_warn("%s: cannot write alert state: %s", tmp,
		    strerror(errno));
		free(tmp);
		return;
	}
	for (i = 0; i < ALERT_HASH_SIZE; i++)
		for (e = f->bucket[i]; e; e = e->next)
			fprintf(fp, "%s\t%s\n", e->name, e->key);
	bad = fflush(fp) != 0 || fsync(fileno(fp)) != 0;
	if (fclose(fp) != 0 || bad || rename(tmp, f->path) != 0) {
		log_warn("%s: cannot save alert state: %s", f->path,
		    strerror(errno));
		unlink(tmp);
	} else
		f->lines = f->live;
	free(tmp);
	alert_file_open(f);
}

static const char *
alert_file_get_cb(void *ctx, const char *domain, const char *kind)
{
	struct alert_file *f = ctx;
	char *name = xasprintf("%s\t%s", domain, kind);
	struct alert_entry **e = alert_file_find(f, name);

	free(name);
	return *e ? (*e)->key : NULL;
}

static void
alert_file_put_cb(void *ctx, const char *domain, const char *kind,
    const char *key)
{
	struct alert_file *f = ctx;
	char *name = xasprintf("%s\t%s", domain, kind);

	alert_file_set(f, name, key);
	f->dirty = 1;
	if (f->lines > 2 * f->live + ALERT_COMPACT_MIN) {
		alert_file_save(f);
		f->dirty = 0;
		f->saved = time(NULL);
	} else
		alert_file_append(f, name, key);
	free(name);
	if (time(NULL) - f->saved >= ALERT_SAVE_INTERVAL)
		alert_store_flush();
}

void
alert_store_flush(void)
{
	if (alert_file == NULL || !alert_file->dirty)
		return;
	if (alert_file->fd < 0 || fdatasync(alert_file->fd) != 0)
		alert_file_save(alert_file);
	alert_file->dirty = 0;
	alert_file->saved = time(NULL);
}

int
alert_store_file(const char *path, struct buf *err)
{
	char line[ALERT_STATE_LINE_MAX], *tab;
	struct alert_file *f;
	FILE *fp;
	int lineno = 0;

	f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	f->fd = -1;
	if ((fp = fopen(path, "r")) == NULL && errno != ENOENT) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		free(f->path);
		free(f);
		return -1;
	}
	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		/* domain TAB kind [TAB key]; a bad line is dropped. */
		if ((tab = strchr(line, '\t')) == NULL) {
			log_warn("%s:%d: bad alert state line ignored", path,
			    lineno);
			continue;
		}
		if ((tab = strchr(tab + 1, '\t')) == NULL) {
			alert_file_set(f, line, NULL);
			continue;
		}
		*tab = '\0';
		alert_file_set(f, line, tab + 1);
	}
	if (fp != NULL)
		fclose(fp);
	/* Start from a compact file (a crash may have left a long one). */
	if (fp != NULL && (size_t)lineno != f->live)
		alert_file_save(f);
	else
		alert_file_open(f);
	f->lines = f->live;
	alert_store_close();
	alert_file = f;
	alert_store.get = alert_file_get_cb;
	alert_store.put = alert_file_put_cb;
	alert_store.ctx = f;
	alert_have_store = 1;
	return 0;
}

void
alert_store_set(const struct alert_store *s)
{
	alert_store_close();
	if (s != NULL) {
		alert_store = *s;
		alert_have_store = 1;
	}
}

void
alert_store_close(void)
{
	struct alert_entry *e, *n;
	int i;

	if (alert_file != NULL) {
		alert_store_flush();
		for (i = 0; i < ALERT_HASH_SIZE; i++)
			for (e = alert_file->bucket[i]; e; e = n) {
				n = e->next;
				free(e->name);
				free(e->key);
				free(e);
			}
		if (alert_file->fd >= 0)
			close(alert_file->fd);
		free(alert_file->path);
		free(alert_file);
		alert_file = NULL;
	}
	alert_have_store = 0;
	memset(&alert_store, 0, sizeof(alert_store));
}

/*
 * Waiting with a deadline.
 */
static int
alert_ms_left(const struct timespec *end)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (end->tv_sec - now.tv_sec) * 1000LL +
	    (end->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

static int
alert_wait_fd(int fd, short events, const struct timespec *end)
{
	struct pollfd p = { fd, events, 0 };
	int n;

	do
		n = poll(&p, 1, alert_ms_left(end));
	while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -1;
}

/*
 * The webhook: a bounded HTTP/1.0 POST, optionally over TLS.
 */
struct alert_url {
	int	 tls;
	char	*host;
	char	*port;
	char	*path;
};

static int
alert_url_parse(const char *url, struct alert_url *u, struct buf *err)
{
	const char *p, *h, *slash, *colon;

	memset(u, 0, sizeof(*u));
	if (strlen(url) > ALERT_URL_MAX) {
		buf_printf(err, "URL longer than %d bytes", ALERT_URL_MAX);
		return -1;
	}
	if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncmp(url, "https://", 8) == 0) {
		p = url + 8;
		u->tls = 1;
	} else {
		buf_printf(err, "URL \"%s\": scheme must be http or https",
		    url);
		return -1;
	}
	h = p;
	slash = h + strcspn(h, "/?#");
	if (*h == '[') {		/* [v6]:port */
		if ((colon = memchr(h, ']', slash - h)) == NULL) {
			buf_printf(err, "URL \"%s\": bad IPv6 address", url);
			return -1;
		}
		u->host = xstrndup(h + 1, colon - h - 1);
		colon = colon[1] == ':' ? colon + 1 : NULL;
	} else {
		colon = memchr(h, ':', slash - h);
		u->host = xstrndup(h, (colon ? colon : slash) - h);
	}
	u->port = colon ? xstrndup(colon + 1, slash - colon - 1) :
	    xstrdup(u->tls ? "443" : "80");
	u->path = xstrdup(*slash == '/' ? slash : "/");
	if (*u->host == '\0' || *u->port == '\0' ||
	    strpbrk(u->host, "\t\r\n /") != NULL ||
	    strpbrk(u->path, "\t\r\n ") != NULL) {
		buf_printf(err, "URL \"%s\": bad host, port or path", url);
		return -1;
	}
	return 0;
}

static void
alert_url_free(struct alert_url *u)
{
	free(u->host);
	free(u->port);
	free(u->path);
}

static int
alert_connect(const struct alert_url *u, const struct timespec *end,
    struct buf *err)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, rc, soerr;
	socklen_t len;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(u->host, u->port, &hints, &res)) != 0) {
		buf_printf(err, "%s: %s", u->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK,
		    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		len = sizeof(soerr);
		if (errno == EINPROGRESS && alert_wait_fd(fd, POLLOUT, end) == 0
		    && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0
		    && soerr == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		buf_printf(err, "connect to %s port %s: failed or timed out",
		    u->host, u->port);
	return fd;
}

/* I/O over fd or ssl until the deadline; -1 on error or time-out. */
static int
alert_io(int fd, SSL *ssl, int writing, void *p, size_t n,
    const struct timespec *end)
{
	int r, e;
	short ev;

	for (;;) {
		if (ssl != NULL) {
			r = writing ? SSL_write(ssl, p, (int)n) :
			    SSL_read(ssl, p, (int)n);
			if (r > 0)
				return r;
			e = SSL_get_error(ssl, r);
			if (e == SSL_ERROR_ZERO_RETURN)
				return 0;
			if (e == SSL_ERROR_WANT_READ)
				ev = POLLIN;
			else if (e == SSL_ERROR_WANT_WRITE)
				ev = POLLOUT;
			else
				return writing || r < 0 ? -1 : 0;
		} else {
			r = writing ? (int)send(fd, p, n, MSG_NOSIGNAL) :
			    (int)read(fd, p, n);
			if (r >= 0)
				return r;
			if (errno != EAGAIN && errno != EINTR)
				return -1;
			ev = writing ? POLLOUT : POLLIN;
		}
		if (alert_wait_fd(fd, ev, end) < 0)
			return -1;
	}
}

static SSL *
alert_tls_start(int fd, const char *host, SSL_CTX **ctxp,
    const struct timespec *end, struct buf *err)
{
	SSL_CTX *ctx;
	SSL *ssl;
	int r, e;

	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
		goto fail;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_default_verify_paths(ctx);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	*ctxp = ctx;
	if ((ssl = SSL_new(ctx)) == NULL)
		goto fail;
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, host);
	SSL_set1_host(ssl, host);
	for (;;) {
		if ((r = SSL_connect(ssl)) == 1)
			return ssl;
		e = SSL_get_error(ssl, r);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    alert_wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN :
		    POLLOUT, end) < 0)
			break;
	}
	buf_printf(err, "TLS with %s failed: %s", host,
	    SSL_get_verify_result(ssl) != X509_V_OK ?
	    X509_verify_cert_error_string(SSL_get_verify_result(ssl)) :
	    "handshake failure or time-out");
	SSL_free(ssl);
	return NULL;
fail:
	buf_printf(err, "TLS set-up failed");
	return NULL;
}

int
alert_http_post(const char *url, const char *body, int timeout_ms,
    struct buf *err)
{
	struct alert_url u;
	struct timespec end;
	struct buf req = BUF_INIT;
	char reply[ALERT_HTTP_REPLY_MAX + 1];
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	size_t off = 0, got = 0;
	int fd = -1, rc = -1, n, status;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	if (alert_url_parse(url, &u, err) < 0)
		goto out;
	if ((fd = alert_connect(&u, &end, err)) < 0)
		goto out;
	if (u.tls && (ssl = alert_tls_start(fd, u.host, &ctx, &end, err)) ==
	    NULL)
		goto out;
	buf_printf(&req, "POST %s HTTP/1.0\r\nHost: %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\nUser-Agent: stsd\r\n\r\n%s", u.path,
	    u.host, strlen(body), body);
	while (off < req.len) {
		if ((n = alert_io(fd, ssl, 1, req.s + off, req.len - off,
		    &end)) <= 0) {
			buf_printf(err, "%s: cannot send the request", url);
			goto out;
		}
		off += n;
	}
	while (got < ALERT_HTTP_REPLY_MAX && memchr(reply, '\n', got) == NULL) {
		if ((n = alert_io(fd, ssl, 0, reply + got,
		    ALERT_HTTP_REPLY_MAX - got, &end)) <= 0)
			break;
		got += n;
	}
	reply[got] = '\0';
	if (sscanf(reply, "HTTP/%*d.%*d %d", &status) != 1) {
		buf_printf(err, "%s: no HTTP reply", url);
		goto out;
	}
	if (status < 200 || status > 299) {
		buf_printf(err, "%s: HTTP status %d", url, status);
		goto out;
	}
	rc = 0;
out:
	if (ssl != NULL) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	alert_url_free(&u);
	buf_free(&req);
	return rc;
}

/*
 * Mail through sendmail(1): the message on stdin, recipients as
 * arguments, killed at the deadline.
 */
static void
alert_sendmail(char **rcpt, const char *subject, const char *text,
    const struct timespec *end)
{
	const char *path = cfg_str("sendmail_path");
	struct buf msg = BUF_INIT;
	size_t off = 0, n, i;
	char **argv;
	int fds[2], status;
	pid_t pid;
	ssize_t w;

	for (n = 0; rcpt[n]; n++)
		;
	argv = xcalloc(n + 4, sizeof(*argv));
	argv[0] = (char *)path;
	argv[1] = "-i";
	argv[2] = "--";
	for (i = 0; i < n; i++)
		argv[3 + i] = rcpt[i];
	buf_printf(&msg, "Subject: %s\nAuto-Submitted: auto-generated\n"
	    "Content-Type: text/plain; charset=utf-8\n\n%s\n", subject, text);
	if (pipe(fds) < 0 || (pid = fork()) < 0) {
		log_warn("alert: cannot run %s: %s", path, strerror(errno));
		goto out;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execv(path, argv);
		log_warn("alert: cannot run %s: %s", path, strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	while (off < msg.len && alert_wait_fd(fds[1], POLLOUT, end) == 0 &&
	    (w = write(fds[1], msg.s + off, msg.len - off)) > 0)
		off += w;
	close(fds[1]);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (alert_ms_left(end) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			log_warn("alert: %s killed after %d s", path,
			    ALERT_TIME_LIMIT);
			goto out;
		}
		poll(NULL, 0, 50);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warn("alert: %s failed (status %d)", path, status);
out:
	free(argv);
	buf_free(&msg);
}

static void
alert_deliver(const char *domain, const char *kind, const char *key,
    const char *subject, const char *text)
{
	const char *url = cfg_str("alert_webhook_url");
	char **rcpt = cfg_list("alert_recipients");
	struct timespec end;
	struct buf err = BUF_INIT;
	json_t *j;
	char *body;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ALERT_TIME_LIMIT;
	if (rcpt != NULL && rcpt[0] != NULL)
		alert_sendmail(rcpt, subject, text, &end);
	if (*url == '\0')
		return;
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "domain", domain,
	    "kind", kind, "key", key, "subject", subject, "text", text,
	    "time", (json_int_t)time(NULL));
	body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (body == NULL)
		log_warn("alert: %s: cannot encode the alert as JSON", domain);
	else if (alert_http_post(url, body, alert_ms_left(&end), &err) < 0)
		log_warn("alert: webhook: %s", err.s);
	free(body);
	json_decref(j);
	buf_free(&err);
}

/* Delivers in a grandchild; the caller waits only for the fork. */
static int
alert_spawn(const char *domain, const char *kind, const char *key,
    const char *subject, const char *text)
{
	pid_t pid, p2;
	int status;

	if (*cfg_str("alert_webhook_url") == '\0' &&
	    (cfg_list("alert_recipients") == NULL ||
	    cfg_list("alert_recipients")[0] == NULL))
		return 0;
	if ((pid = fork()) < 0) {
		log_error("alert: cannot fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if ((p2 = fork()) != 0)
			_exit(p2 < 0);
		signal(SIGALRM, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		alarm(ALERT_TIME_LIMIT + 1);
		alert_deliver(domain, kind, key, subject, text);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_error("alert: cannot start the delivery process");
		return -1;
	}
	return 0;
}

int
alert_raise(const char *domain, const char *kind, const char *key,
    const char *subject, const char *text)
{
	char *k = alert_clean(kind), *v = alert_clean(key), *t;
	const char *last;
	int rc = 1;

	if (alert_have_store && (last = alert_store.get(alert_store.ctx,
	    domain, k)) != NULL && strcmp(last, v) == 0) {
		log_debug("alert: %s: %s: already sent", domain, k);
		rc = 0;
		goto out;
	}
	t = strlen(text) > ALERT_TEXT_MAX ? xstrndup(text, ALERT_TEXT_MAX) :
	    xstrdup(text);
	log_warn("alert: %s: %s: %s", domain, k, subject);
	if (alert_spawn(domain, k, v, subject, t) < 0)
		rc = -1;
	else if (alert_have_store)
		alert_store.put(alert_store.ctx, domain, k, v);
	free(t);
out:
	free(k);
	free(v);
	return rc;
}

void
alert_clear(const char *domain, const char *kind)
{
	char *k = alert_clean(kind);

	if (alert_have_store && alert_store.get(alert_store.ctx, domain, k))
		alert_store.put(alert_store.ctx, domain, k, NULL);
	free(k);
}
