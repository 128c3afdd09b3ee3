/*
 * alert - log, mail and POST alerts, once per change; see alert.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: the state file given to alert_store_file() (appended to;
 * rewritten as PATH.tmp then renamed), $data_directory/ALERT_LIMITS_FILE
 * (read and rewritten under flock), fork/exec of sendmail_path, one
 * outgoing TCP connection per webhook call.  The grandchild that delivers uses _exit()
 * so that it never runs the parent's atexit handlers.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
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
#include "esc.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"

#define ALERT_HASH_SIZE		4096	/* buckets of the file store */
#define ALERT_STATE_LINE_MAX	(4 * 3 * ALERT_FIELD_MAX + 8)
					/* bytes of one state file line */
#define ALERT_URL_MAX		2048	/* bytes of a webhook URL */
#define ALERT_COMPACT_MIN	1024	/* journal lines before a rewrite */

/*
 * The file store: a hash of "DOMAIN TAB KIND" -> key, the two fields as
 * esc_line() writes them (so that no domain or kind can pass for
 * another pair).  The file is a journal: "domain TAB kind TAB key"
 * sets, "domain TAB kind" forgets, each field written by esc_line()
 * (which writes TAB, newline and every other control character as
 * \xHH) and read back by esc_unline(); the last line of a pair wins.  Each change is appended at once (a
 * write(2): a process that is killed loses nothing), synced on flush,
 * and the file is rewritten with only what is live when it holds more
 * than twice that (and ALERT_COMPACT_MIN lines), and when it is opened.
 */
struct alert_entry {
	struct alert_entry *next;
	char	*name;			/* esc_line'd domain TAB kind */
	char	*key;			/* as given */
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

static void alert_metrics_start(void);

static unsigned
alert_hash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % ALERT_HASH_SIZE;
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

/* "DOMAIN TAB KIND", each field as esc_line() writes it. */
static char *
alert_name(const char *domain, const char *kind)
{
	struct buf b = BUF_INIT;

	esc_line(&b, domain);
	buf_putc(&b, '\t');
	esc_line(&b, kind);
	return buf_steal(&b);
}

/* One line of the file: the name, then TAB and the key when set. */
static char *
alert_file_line(const char *name, const char *key)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, name);
	if (key != NULL) {
		buf_putc(&b, '\t');
		esc_line(&b, key);
	}
	buf_putc(&b, '\n');
	return buf_steal(&b);
}

static void
alert_file_append(struct alert_file *f, const char *name, const char *key)
{
	char *line = alert_file_line(name, key);
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
	char *tmp = xasprintf("%s.tmp", f->path), *line;
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
		for (e = f->bucket[i]; e; e = e->next) {
			line = alert_file_line(e->name, e->key);
			fputs(line, fp);
			free(line);
		}
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
	char *name = alert_name(domain, kind);
	struct alert_entry **e = alert_file_find(f, name);

	free(name);
	return *e ? (*e)->key : NULL;
}

static void
alert_file_put_cb(void *ctx, const char *domain, const char *kind,
    const char *key)
{
	struct alert_file *f = ctx;
	char *name = alert_name(domain, kind);

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

/*
 * One line of the file into the store: "domain TAB kind [TAB key]",
 * each field as esc_line() wrote it; -1 for a line that is not.
 */
static int
alert_file_read_line(struct alert_file *f, const char *line, size_t len)
{
	struct buf field[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	const char *p = line, *end = line + len, *tab;
	char *name = NULL;
	int n, rc = -1;

	for (n = 0; n < 3; n++) {
		if ((tab = memchr(p, '\t', (size_t)(end - p))) == NULL)
			tab = end;
		if (esc_unline(&field[n], p, (size_t)(tab - p)) < 0)
			goto out;
		buf_putc(&field[n], '\0');	/* "" is a field too */
		if (tab == end)
			break;
		p = tab + 1;
	}
	if (n == 0 || n == 3)		/* one field, or more than three */
		goto out;
	name = alert_name(field[0].s, field[1].s);
	alert_file_set(f, name, n == 2 ? field[2].s : NULL);
	rc = 0;
out:
	free(name);
	buf_free(&field[0]);
	buf_free(&field[1]);
	buf_free(&field[2]);
	return rc;
}

int
alert_store_file(const char *path, struct buf *err)
{
	struct alert_file *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
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
	while (fp != NULL && (len = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		/* A bad line is dropped (the rewrite below leaves it out). */
		if ((size_t)len > ALERT_STATE_LINE_MAX ||
		    alert_file_read_line(f, line, (size_t)len) < 0)
			log_warn("%s:%d: bad alert state line ignored", path,
			    lineno);
	}
	free(line);
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
	alert_metrics_start();
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
	alert_metrics_start();
}

void
alert_store_close(void)
{
	struct alert_entry *e, *n;
	int i;

	alert_send();
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
 * The digest: alerts raised since the last alert_send(), in order.
 */
struct alert_item {
	char	*domain;
	char	*kind;
	char	*key;
	char	*subject;
	char	*text;
	time_t	 time;
};

static struct alert_item alert_pending[ALERT_DIGEST_MAX];
static size_t alert_npending;
static time_t alert_pending_since;

static void
alert_item_free(struct alert_item *it)
{
	free(it->domain);
	free(it->kind);
	free(it->key);
	free(it->subject);
	free(it->text);
	memset(it, 0, sizeof(*it));
}

static void
alert_pending_clear(void)
{
	size_t i;

	for (i = 0; i < alert_npending; i++)
		alert_item_free(&alert_pending[i]);
	alert_npending = 0;
}

/* A copy of at most max bytes of s. */
static char *
alert_cut(const char *s, size_t max)
{
	s = s ? s : "";
	return strlen(s) > max ? xstrndup(s, max) : xstrdup(s);
}

/* Every series of the dropped and sent counters, at 0 from the start. */
static void
alert_metrics_start(void)
{
	metrics_add(METRIC_ALERTS_SENT, 0, NULL);
	metrics_add(METRIC_ALERTS_DROPPED, 0, "reason", "hourly-limit", NULL);
	metrics_add(METRIC_ALERTS_DROPPED, 0, "reason", "domain-daily-limit",
	    NULL);
}

/*
 * The limits, shared by every process that alerts: ALERT_LIMITS_FILE in
 * data_directory holds one line per alert sent, "TIME TAB DOMAIN" (the
 * domain as esc_line() writes it), for the last hour and the current
 * UTC day.  It is read and rewritten in place under flock(), once per
 * digest.
 */
struct alert_sent {
	time_t	 time;
	char	*domain;			/* esc_line'd */
};

struct alert_limits {
	struct alert_sent *sent;
	size_t	 n, cap;
	time_t	 hour_start;			/* now - 1 hour */
	time_t	 day_start;			/* 00:00 UTC today */
	size_t	 in_hour;			/* sent since hour_start */
};

static void
alert_limits_add(struct alert_limits *l, time_t t, const char *domain)
{
	if (t < l->hour_start && t < l->day_start)
		return;				/* too old to count */
	if (l->n == ALERT_LIMITS_LINES_MAX)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->sent = xrealloc(l->sent, l->cap * sizeof(*l->sent));
	}
	l->sent[l->n].time = t;
	l->sent[l->n].domain = xstrdup(domain);
	l->n++;
	if (t >= l->hour_start)
		l->in_hour++;
}

static void
alert_limits_parse(struct alert_limits *l, char *data)
{
	char *line, *next, *tab, *end;
	long long t;

	for (line = data; line != NULL && *line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((tab = strchr(line, '\t')) == NULL)
			continue;		/* a torn line: dropped */
		*tab = '\0';
		t = strtoll(line, &end, 10);
		if (end == line || *end != '\0' || t < 0 ||
		    strpbrk(tab + 1, " \t") != NULL)
			continue;
		alert_limits_add(l, (time_t)t, tab + 1);
	}
}

/* Alerts sent to domain (esc_line'd) today. */
static size_t
alert_limits_domain(const struct alert_limits *l, const char *domain)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		if (l->sent[i].time >= l->day_start &&
		    strcmp(l->sent[i].domain, domain) == 0)
			n++;
	return n;
}

/* The file rewritten with what still counts. */
static void
alert_limits_write(int fd, const char *path, const struct alert_limits *l)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < l->n; i++)
		buf_printf(&b, "%lld\t%s\n", (long long)l->sent[i].time,
		    l->sent[i].domain);
	if (ftruncate(fd, 0) != 0 ||
	    (b.len > 0 && pwrite(fd, b.s, b.len, 0) != (ssize_t)b.len) ||
	    fdatasync(fd) != 0)
		log_warn("%s: cannot write alert limits: %s", path,
		    strerror(errno));
	buf_free(&b);
}

/* The lock on fd, waiting at most ALERT_LOCK_WAIT seconds. */
static int
alert_limits_lock(int fd)
{
	int i;

	for (i = 0; i < ALERT_LOCK_WAIT * 100; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		poll(NULL, 0, 10);
	}
	errno = ETIMEDOUT;
	return -1;
}

static int
alert_limits_open(const char *path, struct alert_limits *l)
{
	struct buf data = BUF_INIT;
	char chunk[8192];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    alert_limits_lock(fd) < 0) {
		log_warn("%s: cannot use the alert limits: %s; only this "
		    "digest is counted", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (data.len < ALERT_LIMITS_FILE_MAX &&
	    (n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&data, chunk, (size_t)n);
	if (data.len > 0) {
		buf_putc(&data, '\0');
		alert_limits_parse(l, data.s);
	}
	buf_free(&data);
	return fd;
}

/*
 * Which pending alerts go out: those within alert_hourly_limit and
 * alert_per_domain_daily_limit; the others are logged, counted and
 * dropped.  Returns how many remain, first in alert_pending.
 */
static size_t
alert_limit(size_t *dropped)
{
	long long hourly = cfg_int("alert_hourly_limit");
	long long daily = cfg_int("alert_per_domain_daily_limit");
	char *path = xasprintf("%s/%s", cfg_str("data_directory"),
	    ALERT_LIMITS_FILE), *dom;
	struct alert_limits l;
	time_t now = time(NULL);
	size_t i, kept = 0;
	const char *reason;
	int fd;

	memset(&l, 0, sizeof(l));
	l.hour_start = now - ALERT_HOUR;
	l.day_start = now - now % ALERT_DAY;
	fd = alert_limits_open(path, &l);
	for (i = 0; i < alert_npending; i++) {
		dom = alert_name(alert_pending[i].domain, "");
		dom[strlen(dom) - 1] = '\0';	/* without the TAB */
		reason = NULL;
		if (hourly > 0 && l.in_hour >= (size_t)hourly)
			reason = "hourly-limit";
		else if (daily > 0 &&
		    alert_limits_domain(&l, dom) >= (size_t)daily)
			reason = "domain-daily-limit";
		if (reason != NULL) {
			log_warn("alert: %s: %s: not sent: over %s (%lld)",
			    esc_printable(alert_pending[i].domain),
			    esc_printable(alert_pending[i].kind),
			    strcmp(reason, "hourly-limit") == 0 ?
			    "alert_hourly_limit" :
			    "alert_per_domain_daily_limit",
			    strcmp(reason, "hourly-limit") == 0 ? hourly :
			    daily);
			metrics_inc(METRIC_ALERTS_DROPPED, "reason", reason,
			    NULL);
			alert_item_free(&alert_pending[i]);
			(*dropped)++;
		} else {
			alert_limits_add(&l, now, dom);
			alert_pending[kept++] = alert_pending[i];
		}
		free(dom);
	}
	alert_npending = kept;
	if (fd >= 0) {
		alert_limits_write(fd, path, &l);
		close(fd);			/* and the lock */
	}
	for (i = 0; i < l.n; i++)
		free(l.sent[i].domain);
	free(l.sent);
	free(path);
	return kept;
}

/*
 * The digest as a mail: the header fields through esc_header(), never
 * a CR or LF from an alert.  A line of a text goes into the body as it
 * is when esc_text() would change nothing in it but its backslashes
 * (the caller escaped what came from outside, with esc_text()), else
 * through esc_text(): no control character reaches the body, and text
 * escaped once is not escaped twice.
 */
static void
alert_text_line(struct buf *out, const char *p, size_t len)
{
	struct buf e = BUF_INIT;
	size_t i, bs = 0;

	for (i = 0; i < len; i++)
		bs += p[i] == '\\';
	esc_textn(&e, p, len);
	if (e.len == len + bs)
		buf_append(out, p, len);
	else
		buf_append(out, e.s, e.len);
	buf_putc(out, '\n');
	buf_free(&e);
}

static void
alert_text_lines(struct buf *out, const char *text)
{
	const char *p = text, *nl;

	for (;;) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		alert_text_line(out, p, (size_t)(nl - p));
		if (*nl == '\0')
			break;
		p = nl + 1;
	}
}

static void
alert_subject(struct buf *out, size_t n, size_t dropped)
{
	struct buf s = BUF_INIT;
	size_t i, j, named = 0;

	if (n == 1)
		buf_puts(&s, alert_pending[0].subject);
	else {
		buf_printf(&s, "stsd: %zu alerts:", n);
		for (i = 0; i < n && named < ALERT_SUBJECT_DOMAINS; i++) {
			for (j = 0; j < i; j++)
				if (strcmp(alert_pending[j].domain,
				    alert_pending[i].domain) == 0)
					break;
			if (j < i)
				continue;
			buf_printf(&s, "%s %s", named ? "," : "",
			    alert_pending[i].domain);
			named++;
		}
		if (i < n)
			buf_puts(&s, ", ...");
	}
	if (dropped > 0)
		buf_printf(&s, " (%zu more not sent)", dropped);
	if (s.len > ALERT_SUBJECT_MAX)
		s.s[ALERT_SUBJECT_MAX] = '\0';
	esc_header(out, s.s ? s.s : "");
	buf_free(&s);
}

static void
alert_mail(struct buf *msg, size_t n, size_t dropped)
{
	size_t i;

	buf_puts(msg, "Subject: ");
	alert_subject(msg, n, dropped);
	buf_puts(msg, "\nAuto-Submitted: auto-generated\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n");
	for (i = 0; i < n; i++) {
		if (n > 1) {
			buf_printf(msg, "%s== ", i ? "\n" : "");
			esc_text(msg, alert_pending[i].subject);
			buf_puts(msg, " ==\n\n");
		}
		alert_text_lines(msg, alert_pending[i].text);
	}
	if (dropped > 0)
		buf_printf(msg, "\n%zu more alerts were over "
		    "alert_hourly_limit or alert_per_domain_daily_limit and "
		    "were not sent; the log lists them.\n", dropped);
}

/* The digest as the webhook's JSON; NULL when it cannot be encoded. */
static char *
alert_json(size_t n, size_t dropped)
{
	json_t *j, *list = json_array(), *a;
	struct alert_item *it;
	char *body;
	size_t i;

	for (i = 0; i < n; i++) {
		it = &alert_pending[i];
		a = json_pack("{s:s%, s:s%, s:s%, s:s%, s:s%, s:I}",
		    "domain", it->domain, strlen(it->domain),
		    "kind", it->kind, strlen(it->kind),
		    "key", it->key, strlen(it->key),
		    "subject", it->subject, strlen(it->subject),
		    "text", it->text, strlen(it->text),
		    "time", (json_int_t)it->time);
		if (a == NULL) {	/* not UTF-8: as shown in the log */
			a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}",
			    "domain", esc_printable(it->domain),
			    "kind", esc_printable(it->kind),
			    "key", esc_printable(it->key),
			    "subject", esc_printable(it->subject),
			    "text", esc_printable(it->text),
			    "time", (json_int_t)it->time);
		}
		json_array_append_new(list, a);
	}
	j = json_pack("{s:I, s:o, s:I}", "time", (json_int_t)time(NULL),
	    "alerts", list, "dropped", (json_int_t)dropped);
	body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return body;
}

/*
 * Mail through sendmail(1): the message on stdin, recipients as
 * arguments, killed at the deadline.
 */
static void
alert_sendmail(char **rcpt, const struct buf *msg, const struct timespec *end)
{
	const char *path = cfg_str("sendmail_path");
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
	while (off < msg->len && alert_wait_fd(fds[1], POLLOUT, end) == 0 &&
	    (w = write(fds[1], msg->s + off, msg->len - off)) > 0)
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
}

static void
alert_deliver(const struct buf *msg, const char *json)
{
	const char *url = cfg_str("alert_webhook_url");
	char **rcpt = cfg_list("alert_recipients");
	struct timespec end;
	struct buf err = BUF_INIT;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ALERT_TIME_LIMIT;
	if (rcpt != NULL && rcpt[0] != NULL)
		alert_sendmail(rcpt, msg, &end);
	if (*url == '\0')
		return;
	if (json == NULL)
		log_warn("alert: cannot encode the alerts as JSON");
	else if (alert_http_post(url, json, alert_ms_left(&end), &err) < 0)
		log_warn("alert: webhook: %s", err.s);
	buf_free(&err);
}

static int
alert_have_destination(void)
{
	char **rcpt = cfg_list("alert_recipients");

	return *cfg_str("alert_webhook_url") != '\0' ||
	    (rcpt != NULL && rcpt[0] != NULL);
}

/* Delivers in a grandchild; the caller waits only for the fork. */
static int
alert_spawn(const struct buf *msg, const char *json)
{
	pid_t pid, p2;
	int status;

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
		alert_deliver(msg, json);
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
alert_send(void)
{
	struct buf msg = BUF_INIT;
	size_t n, dropped = 0;
	char *json;
	int rc;

	if (alert_npending == 0)
		return 0;
	if (!alert_have_destination()) {
		alert_pending_clear();
		return 0;
	}
	if ((n = alert_limit(&dropped)) == 0) {
		alert_pending_clear();
		return 0;
	}
	alert_mail(&msg, n, dropped);
	json = alert_json(n, dropped);
	rc = alert_spawn(&msg, json) < 0 ? -1 : (int)n;
	if (rc > 0)
		metrics_add(METRIC_ALERTS_SENT, (long long)n, NULL);
	free(json);
	buf_free(&msg);
	alert_pending_clear();
	return rc;
}

int
alert_raise(const char *domain, const char *kind, const char *key,
    const char *subject, const char *text)
{
	char *d = alert_cut(domain, ALERT_FIELD_MAX);
	char *k = alert_cut(kind, ALERT_FIELD_MAX);
	char *v = alert_cut(key, ALERT_FIELD_MAX);
	struct alert_item *it;
	const char *last;
	int rc = 1;

	if (alert_have_store && (last = alert_store.get(alert_store.ctx,
	    d, k)) != NULL && strcmp(last, v) == 0) {
		log_debug("alert: %s: %s: already sent", esc_printable(d),
		    esc_printable(k));
		free(d);
		free(k);
		free(v);
		return 0;
	}
	log_warn("alert: %s: %s: %s", esc_printable(d), esc_printable(k),
	    esc_printable(subject));
	if (alert_have_store)
		alert_store.put(alert_store.ctx, d, k, v);
	if (alert_npending == ALERT_DIGEST_MAX && alert_send() < 0)
		rc = -1;
	if (alert_npending == 0)
		alert_pending_since = time(NULL);
	it = &alert_pending[alert_npending++];
	it->domain = d;
	it->kind = k;
	it->key = v;
	it->subject = alert_cut(subject, ALERT_SUBJECT_MAX);
	it->text = alert_cut(text, ALERT_TEXT_MAX);
	it->time = time(NULL);
	/* A caller that raises for long without sending: send anyway. */
	if (time(NULL) - alert_pending_since >= ALERT_DIGEST_WAIT &&
	    alert_send() < 0)
		rc = -1;
	return rc;
}

void
alert_clear(const char *domain, const char *kind)
{
	char *d = alert_cut(domain, ALERT_FIELD_MAX);
	char *k = alert_cut(kind, ALERT_FIELD_MAX);

	if (alert_have_store && alert_store.get(alert_store.ctx, d, k))
		alert_store.put(alert_store.ctx, d, k, NULL);
	free(d);
	free(k);
}
