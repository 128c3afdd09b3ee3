/*
 * metrics - the metrics and dashboard listener of the stsd suite.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	started by stsd-master(8) from the master.cf line
 *	127.0.0.1:9425 inet n y n - 1 metrics
 *
 * DESCRIPTION
 *	Serves, over plain HTTP/1.1 on the sockets master gives it (the
 *	metrics_listen address that stsd init writes into master.cf,
 *	loopback by default):
 *
 *	  /metrics		the counters and gauges of every daemon in
 *				the Prometheus text format 0.0.4 (collect.c)
 *	  /			the overview: its first page of
 *				dashboard_page_size hosted domains
 *	  /?page=N		page N of the overview (400 when N is not a
 *				number from 1 to 10^9, 404 past the last),
 *				with &after=NAME or &before=NAME (the
 *				cursors of its links to the next and the
 *				previous page) read from that name
 *	  /domain/NAME		the page of one domain
 *
 *	The pages are made on each request by lib/dashboard from
 *	reports.db (opened read-only) and the domain list of policyd
 *	(private/policyd); when that fails the answer is 503 with the
 *	reason.  Anything else is 404; methods other than GET and HEAD
 *	are 405.  One request per connection (Connection: close).
 *
 *	With metrics_auth_file set, every request needs HTTP basic
 *	authentication (401 with WWW-Authenticate otherwise).  The file,
 *	read once at start while still root, holds "user:hash" lines
 *	(blank lines and "#" comments skipped): a crypt(3) hash ("$y$...",
 *	"$6$...", as made by mkpasswd) or the SHA-256 of the password in
 *	64 hexadecimal digits.
 *
 *	The request head is parsed by lib/http.c (the parser httpd uses, a pure
 *	module).
 *
 * MAY TOUCH
 *	$queue_directory/metrics/ (creates it at start), the spool
 *	directories (counts files), $queue_directory/certs/ and
 *	reports.db (reads), private/policyd (asks), metrics_auth_file.
 *
 * LIMITS
 *	METRICS_CONN_MAX connections; a request head of METRICS_HEAD_MAX
 *	bytes and METRICS_HEAD_FIELDS fields; METRICS_READ_TIMEOUT seconds
 *	to send it, METRICS_WRITE_TIMEOUT seconds to take the answer;
 *	METRICS_AUTH_USERS lines in the auth file.
 */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pwd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "buf.h"
#include "collect.h"
#include "dashboard.h"
#include "http.h"
#include "httpserv.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "params.h"
#include "proto.h"
#include "rptdb.h"
#include "server.h"
#include "tlsrpt.h"

#define METRICS_CONN_MAX	64
#define METRICS_HEAD_MAX	8192
#define METRICS_HEAD_FIELDS	64
#define METRICS_READ_TIMEOUT	10
#define METRICS_WRITE_TIMEOUT	30
#define METRICS_AUTH_USERS	1000
#define METRICS_CRED_MAX	1024	/* bytes of user:password */
#define METRICS_POLICYD		PROTO_POLICYD_PRIVATE
#define METRICS_DOMAIN_PATH	"/domain/"
#define METRICS_REALM		"stsd"
#define METRICS_PROMETHEUS	"text/plain; version=0.0.4; charset=utf-8"

struct metrics_user {
	char	*name;
	char	*hash;
};

static struct {
	struct metrics_user *users;
	int	 nusers;
	int	 auth;			/* metrics_auth_file is set */
} mw;

struct metrics_conn {
	struct httpserv_conn hc;
};

/*
 * The auth file.
 */

static void
metrics_auth_line(const char *file, int lineno, char *line)
{
	char *colon;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[strspn(line, " \t")] == '\0' || line[strspn(line, " \t")] == '#')
		return;
	if ((colon = strchr(line, ':')) == NULL || colon == line ||
	    colon[1] == '\0')
		log_fatal("%s:%d: expected user:hash", file, lineno);
	if (mw.nusers >= METRICS_AUTH_USERS)
		log_fatal("%s:%d: more than %d users", file, lineno,
		    METRICS_AUTH_USERS);
	*colon = '\0';
	mw.users = xreallocarray(mw.users, (size_t)mw.nusers + 1,
	    sizeof(*mw.users));
	mw.users[mw.nusers].name = xstrdup(line);
	mw.users[mw.nusers].hash = xstrdup(colon + 1);
	mw.nusers++;
}

static void
metrics_auth_read(void)
{
	const char *file = var_metrics_auth_file;
	char line[METRICS_CRED_MAX];
	int lineno = 0;
	FILE *fp;

	if (*file == '\0')
		return;
	mw.auth = 1;
	if ((fp = fopen(file, "re")) == NULL)
		log_fatal("metrics_auth_file %s: %s", file, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL)
		metrics_auth_line(file, ++lineno, line);
	fclose(fp);
	if (mw.nusers == 0)
		log_warn("metrics_auth_file %s: no users: every request is "
		    "refused", file);
}

static int
metrics_password_ok(const char *hash, const char *password)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	struct crypt_data *cd;
	const char *out;
	size_t i;
	int ok;

	if (hash[0] == '$') {
		cd = xcalloc(1, sizeof(*cd));
		out = crypt_r(password, hash, cd);
		ok = out != NULL && out[0] != '*' && strlen(out) == strlen(hash) &&
		    CRYPTO_memcmp(out, hash, strlen(hash)) == 0;
		free(cd);
		return ok;
	}
	if (strlen(hash) != 2 * SHA256_DIGEST_LENGTH)
		return 0;
	SHA256((const unsigned char *)password, strlen(password), md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	for (i = 0; i < sizeof(hex) - 1; i++)
		if (hash[i] >= 'A' && hash[i] <= 'F' &&
		    hex[i] == hash[i] - 'A' + 'a')
			hex[i] = hash[i];	/* either case */
	return CRYPTO_memcmp(hex, hash, sizeof(hex) - 1) == 0;
}

/* 1 when the request carries the credentials of a user of the file. */
static int
metrics_authorized(const char *head, size_t len)
{
	unsigned char cred[METRICS_CRED_MAX];
	const char *v, *colon;
	size_t vlen;
	int n, i, ok = 0;

	if (!mw.auth)
		return 1;
	if ((v = http_header_value(head, len, "authorization", &vlen)) == NULL ||
	    vlen < 6 || strncasecmp(v, "basic ", 6) != 0)
		return 0;
	v += 6;
	vlen -= 6;
	if (vlen == 0 || vlen % 4 != 0 || vlen / 4 * 3 >= sizeof(cred))
		return 0;
	if ((n = EVP_DecodeBlock(cred, (const unsigned char *)v, (int)vlen)) < 0)
		return 0;
	while (n > 0 && vlen > 0 && v[vlen - 1] == '=') {	/* padding */
		n--;
		vlen--;
	}
	cred[n] = '\0';
	if (memchr(cred, '\0', (size_t)n) != NULL ||
	    (colon = strchr((char *)cred, ':')) == NULL)
		return 0;
	for (i = 0; i < mw.nusers && !ok; i++)
		if (strlen(mw.users[i].name) == (size_t)(colon - (char *)cred) &&
		    memcmp(mw.users[i].name, cred, (size_t)(colon - (char *)cred)) == 0)
			ok = metrics_password_ok(mw.users[i].hash, colon + 1);
	OPENSSL_cleanse(cred, sizeof(cred));
	return ok;
}

/*
 * Connections.
 */

static void
metrics_answer(struct metrics_conn *c, int head_only, int status,
    const char *type, const char *extra, const char *body, size_t len)
{
	struct evbuffer *out = httpserv_output(&c->hc);

	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "%s"
	    "Connection: close\r\n\r\n", status, http_reason(status), type, len,
	    extra ? extra : "");
	if (!head_only && len > 0)
		evbuffer_add(out, body, len);
	httpserv_answered(&c->hc);
}

static void
metrics_text(struct metrics_conn *c, int head_only, int status,
    const char *extra, const char *text)
{
	char *body = xasprintf("%s\n", text);

	metrics_answer(c, head_only, status, "text/plain; charset=utf-8", extra,
	    body, strlen(body));
	free(body);
}

/*
 * The page of the overview that the request asks for (1...) and its
 * cursor (NULL: none, else the caller's to free), or -1.
 */
static long long
metrics_query_page(const struct http_request *req, char **after,
    char **before, struct buf *err)
{
	const char *q = req->path + req->path_len;
	const char *end = req->target + req->target_len;
	long long page = 1;

	*after = *before = NULL;
	if (q < end && *q == '?' && dashboard_query_cursor(q + 1,
	    (size_t)(end - q - 1), &page, after, before, err) < 0)
		return -1;
	return page;
}

/* A dashboard page: the overview (domain NULL) or one domain. */
static void
metrics_page(struct metrics_conn *c, int head_only, const char *domain,
    long long page, const char *after, const char *before)
{
	struct dashboard_opts opts;
	struct buf out = BUF_INIT, err = BUF_INIT, msg = BUF_INIT;
	char *path = xasprintf("%s/%s", var_data_directory,
	    RPTDB_FILE);
	struct rptdb *db = NULL;
	json_t *domains = NULL;
	int rc = -1, more = 0;

	memset(&opts, 0, sizeof(opts));
	opts.domain = domain;
	opts.days = DASHBOARD_DAYS;
	opts.ready_days = DASHBOARD_READY_DAYS;
	opts.now = time(NULL);
	opts.link_prefix = METRICS_DOMAIN_PATH;
	opts.link_suffix = "";
	if (domain == NULL) {
		opts.page = page;
		opts.page_size = (int)var_dashboard_page_size;
		opts.page_prefix = "/?page=";
		opts.page_after = "&after=";
		opts.page_before = "&before=";
		if (before != NULL) {
			/* The page that ends before it: one follows. */
			domains = dashboard_domains_before(METRICS_POLICYD,
			    page, before, opts.page_size, &err);
			more = 1;
		} else
			domains = dashboard_domains_page(METRICS_POLICYD,
			    page, after, opts.page_size, &more, &err);
		opts.more = more;
	} else {
		domains = dashboard_domain(METRICS_POLICYD, domain, &err);
	}
	if (domains != NULL && (db = rptdb_open(path, &err)) != NULL)
		rc = dashboard_html(&out, db, domains, &opts, &err);
	if (rc == 0) {
		metrics_answer(c, head_only, 200, "text/html; charset=utf-8",
		    NULL, out.s, out.len);
	} else if (rc == 1 || (domain != NULL && domains == NULL &&
	    strstr(err.s ? err.s : "", "no such domain") != NULL)) {
		buf_printf(&msg, "no such domain: %s", domain);
		metrics_text(c, head_only, 404, NULL, msg.s);
	} else if (domain == NULL && domains == NULL &&
	    (strstr(err.s ? err.s : "", "past the last page") != NULL ||
	    strstr(err.s ? err.s : "", "before the first page") != NULL)) {
		metrics_text(c, head_only, 404, NULL, err.s);
	} else {
		log_warn("dashboard %s: %s", domain ? domain : "overview",
		    err.s ? err.s : "failed");
		buf_printf(&msg, "dashboard unavailable: %s",
		    err.s ? err.s : "failed");
		metrics_text(c, head_only, 503, NULL, msg.s);
	}
	rptdb_close(db);
	json_decref(domains);
	free(path);
	buf_free(&out);
	buf_free(&err);
	buf_free(&msg);
}

static void
metrics_route(struct metrics_conn *c, const struct http_request *req,
    const char *head)
{
	char name[HTTP_HOST_MAX + 1];
	size_t plen = strlen(METRICS_DOMAIN_PATH);
	int head_only = req->method == HTTP_METHOD_HEAD;
	struct buf out = BUF_INIT;
	long long page;
	char *after = NULL, *before = NULL;

	if (!metrics_authorized(head, req->consumed)) {
		metrics_text(c, head_only, 401, "WWW-Authenticate: Basic realm=\""
		    METRICS_REALM "\", charset=\"UTF-8\"\r\n",
		    "authentication required");
		return;
	}
	if (req->method == HTTP_METHOD_OTHER) {
		metrics_text(c, 0, 405, "Allow: GET, HEAD\r\n",
		    "method not allowed");
		return;
	}
	if (req->path_len == 8 && memcmp(req->path, "/metrics", 8) == 0) {
		collect_scrape(&out);
		metrics_answer(c, head_only, 200, METRICS_PROMETHEUS, NULL,
		    out.s ? out.s : "", out.len);
		buf_free(&out);
	} else if (req->path_len == 1 && req->path[0] == '/') {
		if ((page = metrics_query_page(req, &after, &before,
		    &out)) < 0)
			metrics_text(c, head_only, 400, NULL, out.s);
		else
			metrics_page(c, head_only, NULL, page, after, before);
		free(after);
		free(before);
		buf_free(&out);
	} else if (req->path_len > plen &&
	    memcmp(req->path, METRICS_DOMAIN_PATH, plen) == 0 &&
	    http_host_normalize(req->path + plen, req->path_len - plen,
	    name) > 0) {
		metrics_page(c, head_only, name, 0, NULL, NULL);
	} else {
		metrics_text(c, head_only, 404, NULL, "not found");
	}
}

static void
metrics_on_read(struct httpserv_conn *hc, struct evbuffer *in)
{
	static const struct http_limits lim = { METRICS_HEAD_MAX,
	    METRICS_HEAD_FIELDS };
	struct metrics_conn *c = (struct metrics_conn *)hc;
	struct http_request req;
	size_t len = evbuffer_get_length(in);
	const char *data;

	data = (const char *)evbuffer_pullup(in, -1);
	switch (http_parse(data, len, &lim, &req)) {
	case HTTP_PARSE_MORE:
		if (len > METRICS_HEAD_MAX)
			metrics_text(c, 0, 431, NULL, "request head too large");
		return;
	case HTTP_PARSE_ERROR:
		metrics_text(c, 0, req.status, NULL, req.why);
		return;
	default:
		metrics_route(c, &req, data);
	}
}

/*
 * Hooks.
 */

/* The directory every daemon writes its counters to (lib/metrics). */
static void
metrics_make_dir(void)
{
	struct passwd *pw;

	if (mkdir(METRICS_DIR, 0700) != 0 && errno != EEXIST)
		log_fatal("%s/%s: cannot create: %s", var_queue_directory,
		    METRICS_DIR, strerror(errno));
	if (geteuid() == 0 && (pw = getpwnam(var_mail_owner)) != NULL &&
	    chown(METRICS_DIR, pw->pw_uid, pw->pw_gid) != 0)
		log_fatal("%s/%s: chown %s: %s", var_queue_directory,
		    METRICS_DIR, var_mail_owner, strerror(errno));
}

static void
metrics_pre_jail(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	metrics_make_dir();
	metrics_auth_read();
}

static void
metrics_post_jail(int argc, char **argv)
{
	static const long long read_secs = METRICS_READ_TIMEOUT;
	static const long long write_secs = METRICS_WRITE_TIMEOUT;
	static const struct httpserv srv = {
		"inet", "metrics is an inet service", METRICS_CONN_MAX,
		sizeof(struct metrics_conn), &read_secs, &write_secs,
		metrics_on_read, NULL,
	};

	(void)argc;
	(void)argv;
	httpserv_listen(&srv);
	collect_init();
}

static void
metrics_cleanup(void)
{
	int i;

	httpserv_free();
	for (i = 0; i < mw.nusers; i++) {
		free(mw.users[i].name);
		OPENSSL_cleanse(mw.users[i].hash, strlen(mw.users[i].hash));
		free(mw.users[i].hash);
	}
	free(mw.users);
	collect_free();
}

int
main(int argc, char **argv)
{
	static const struct server_hooks hooks = {
		metrics_pre_jail, metrics_post_jail, NULL, metrics_cleanup,
	};

	return server_main(argc, argv, &hooks);
}
