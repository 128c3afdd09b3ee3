/*
 * rptrecv - the SMTP server that receives TLS reports (RFC 8460 rua=mailto:).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	started by stsd-master(8) from a master.cf line such as
 *	127.0.0.1:2525 inet n y y - 1 rptrecv
 *
 * DESCRIPTION
 *	rptrecv accepts SMTP connections on the sockets master passes
 *	(lib/server), and mail only for report_recipients.  Each message
 *	is written to $queue_directory/incoming through lib/spool and is
 *	acknowledged with 250 only after it is durable (commit.c: the
 *	messages that end in the same turn of the event loop share their
 *	syncs); rptparse is then
 *	told on private/rptparse ({"op":"spooled","id":ID}, the messages of
 *	a batch over one connection).  When that socket is absent the
 *	message simply waits in the spool.
 *
 *	STARTTLS is offered when the certificate and key of $smtp_hostname
 *	are in the store (lib/certstore.h; acmed gets them when
 *	acme_smtp_certificate = yes); they are read at start, before the
 *	chroot, and a missing pair is a warning, not an error.  Each new
 *	connection looks at the two files (two stat calls): a pair that
 *	appeared or changed is loaded then, without a restart.
 *
 *	This file holds the process: configuration, TLS context, spool,
 *	listeners and the connection limits (connlimit.h):
 *	rptrecv_connection_limit in total ("421 4.3.2 ... too many
 *	connections in total"), rptrecv_client_connection_limit per client
 *	network, an IPv4 /24 or an IPv6 /64 ("421 4.7.0 ... too many
 *	connections from your network NET"); the reply names the limit,
 *	the log line the parameter.  The SMTP dialogue is in session.c.
 *
 *	On SIGTERM (a stop, or a reload that restarts the service) it
 *	stops gracefully (lib/server.h): no more connections, "421 4.3.2"
 *	to every session between commands, a message in progress may end
 *	and get its 250 within SERVER_STOP_GRACE seconds; then it exits.
 *
 * FILES
 *	Reads the certificate and key (as root, before the jail); writes
 *	only incoming/ of the spool; connects to private/rptparse.  Works
 *	relative to queue_directory, so that it runs the same chrooted
 *	into it or not.
 *
 * SEE ALSO
 *	stsd-rptrecv(8), stsd-master(8), lib/spool.h
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "certstore.h"
#include "commit.h"
#include "connlimit.h"
#include "events.h"
#include "ipc.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "notify.h"
#include "params.h"
#include "rcpt.h"
#include "rptrecv.h"
#include "server.h"
#include "spool.h"

SSL_CTX *rptrecv_tls;
struct spool *rptrecv_spool;

static struct evconnlistener *listeners[SERVER_SOCKETS_MAX];
static int nlisteners;
static struct buf notices = BUF_INIT;	/* for rptparse, one line each */
static struct event *notify_ev;		/* sends them at the end of a turn */

static void rptrecv_tls_refresh(void);

void
rptrecv_conn_done(const char *net)
{
	connlimit_done(net);
	if (session_count() == 0)
		server_idle();		/* when stopping: the last one is gone */
}

static void
rptrecv_addr(const struct sockaddr *sa, char *out, size_t len)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], out,
			    (socklen_t)len);
		else
			inet_ntop(AF_INET6, &sin6->sin6_addr, out, (socklen_t)len);
	} else if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, out, (socklen_t)len);
	} else {
		snprintf(out, len, "local");
	}
}

/* Says which limit refuses a connection, to the log and to the client. */
static void
rptrecv_refuse(int fd, const char *addr, const char *net,
    enum connlimit_verdict why)
{
	char reply[RPTRECV_REPLY_MAX];
	int n;

	if (why == CONNLIMIT_TOTAL) {
		log_warn("[%s]: refused: too many connections in total (%d, "
		    "rptrecv_connection_limit %lld)", addr, session_count(),
		    var_rptrecv_connection_limit);
		n = snprintf(reply, sizeof(reply), "421 4.3.2 %s Error: too "
		    "many connections in total (limit %lld); try again later"
		    "\r\n", var_smtp_hostname, var_rptrecv_connection_limit);
	} else {
		log_warn("[%s]: refused: too many connections from %s (%d, "
		    "rptrecv_client_connection_limit %lld)", addr, net,
		    connlimit_count(net), var_rptrecv_client_connection_limit);
		n = snprintf(reply, sizeof(reply), "421 4.7.0 %s Error: too "
		    "many connections from your network %s (limit %lld); try "
		    "again later\r\n", var_smtp_hostname, net,
		    var_rptrecv_client_connection_limit);
	}
	metrics_inc(METRIC_SMTP_REJECTIONS, "stage", "connect", NULL);
	if (n > 0 && n < (int)sizeof(reply))
		(void)send(fd, reply, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void
rptrecv_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	char addr[RPTRECV_ADDR_MAX], net[CONNLIMIT_NET_MAX];
	enum connlimit_verdict v;

	(void)arg;
	(void)salen;
	rptrecv_addr(sa, addr, sizeof(addr));
	connlimit_net(sa, net, sizeof(net));
	v = connlimit_admit(net, session_count(), var_rptrecv_connection_limit,
	    var_rptrecv_client_connection_limit);
	if (v != CONNLIMIT_OK) {
		rptrecv_refuse(fd, addr, net, v);
		return;
	}
	rptrecv_tls_refresh();
	session_start(evconnlistener_get_base(l), fd, addr, net);
}

static void
rptrecv_accept_error(struct evconnlistener *l, void *arg)
{
	(void)l;
	(void)arg;
	log_warn("accept: %s", strerror(errno));
}

/*
 * Tell rptparse, without waiting: the spool keeps the message anyway.
 * The notices of one turn of the event loop (a committed batch) go
 * over one connection, one line per message.
 */
void
rptrecv_notify(const char *id)
{
	notify_add(&notices, id);
	if (notices.len > 0 && !event_pending(notify_ev, EV_TIMEOUT, NULL))
		event_active(notify_ev, EV_TIMEOUT, 1);
}

static void
rptrecv_notify_send(evutil_socket_t unused, short what, void *arg)
{
	(void)unused;
	(void)what;
	(void)arg;
	notify_send(NOTIFY_RPTPARSE, &notices);
}

/*
 * The files of the STARTTLS certificate as they were last looked at:
 * a change of either (a renewal by acmed, a copy by the operator) is
 * loaded at the next connection.
 */
static struct rptrecv_tls_files {
	dev_t	 dev[2];
	ino_t	 ino[2];
	struct timespec mtime[2];
	off_t	 size[2];
	int	 seen;		/* looked at once */
} rptrecv_tls_files;

/* Whether chain and key differ from what was seen; remembers them. */
static int
rptrecv_tls_changed(const char *chain, const char *key)
{
	struct rptrecv_tls_files now;
	const char *f[2] = { chain, key };
	struct stat st;
	int i, changed;

	memset(&now, 0, sizeof(now));
	for (i = 0; i < 2; i++) {
		if (stat(f[i], &st) < 0)
			continue;	/* all zero: missing */
		now.dev[i] = st.st_dev;
		now.ino[i] = st.st_ino;
		now.mtime[i] = st.st_mtim;
		now.size[i] = st.st_size;
	}
	now.seen = 1;
	changed = memcmp(&now, &rptrecv_tls_files, sizeof(now)) != 0;
	rptrecv_tls_files = now;
	return changed;
}

/*
 * The STARTTLS context from the certificate of smtp_hostname under dir
 * (queue_directory at start, "." in the jail), or NULL.
 */
static SSL_CTX *
rptrecv_tls_load(const char *dir)
{
	char *store = certstore_dir();	/* as the operator knows it */
	char *certs, *chain, *key, *bad;
	SSL_CTX *ctx = NULL;
	unsigned long e;

	certs = certstore_dir_under(dir);
	chain = certstore_path(certs, var_smtp_hostname, CERTSTORE_CHAIN);
	key = certstore_path(certs, var_smtp_hostname, CERTSTORE_KEY);
	free(certs);
	(void)rptrecv_tls_changed(chain, key);
	if (access(chain, R_OK) < 0 || access(key, R_OK) < 0) {
		/* The path as the operator knows it, in the jail too. */
		bad = certstore_path(store, var_smtp_hostname,
		    access(chain, R_OK) < 0 ? CERTSTORE_CHAIN : CERTSTORE_KEY);
		log_warn("no certificate for %s (%s: %s): STARTTLS not offered",
		    var_smtp_hostname, bad, strerror(errno));
		free(bad);
		goto out;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(ctx, chain) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		e = ERR_get_error();
		bad = certstore_path(store, var_smtp_hostname,
		    CERTSTORE_CHAIN);
		log_warn("%s: cannot load certificate and key: %s: "
		    "STARTTLS not offered", bad,
		    e ? ERR_reason_error_string(e) : "unknown error");
		free(bad);
		ERR_clear_error();
		SSL_CTX_free(ctx);
		ctx = NULL;
		goto out;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	log_debug("STARTTLS with %s", chain);
out:
	free(store);
	free(chain);
	free(key);
	return ctx;
}

/*
 * At each connection, in the jail: a certificate that appeared or
 * changed since it was loaded replaces the context (sessions in TLS
 * keep theirs: SSL_new() holds a reference).  One that cannot be used
 * is logged once and the context in use stays.
 */
static void
rptrecv_tls_refresh(void)
{
	char *chain, *key;
	SSL_CTX *ctx;

	chain = certstore_path(CERTSTORE_DIR, var_smtp_hostname,
	    CERTSTORE_CHAIN);
	key = certstore_path(CERTSTORE_DIR, var_smtp_hostname,
	    CERTSTORE_KEY);
	if (rptrecv_tls_changed(chain, key)) {
		if ((ctx = rptrecv_tls_load(".")) != NULL) {
			log_info("%s: certificate loaded: STARTTLS offered",
			    var_smtp_hostname);
			SSL_CTX_free(rptrecv_tls);
			rptrecv_tls = ctx;
		}
	}
	free(chain);
	free(key);
}

/* Enough descriptors for rptrecv_connection_limit sessions. */
static void
rptrecv_raise_nofile(void)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)var_rptrecv_connection_limit + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
		log_warn("open file limit %llu is below rptrecv_connection_limit "
		    "%lld: connections will fail", (unsigned long long)rl.rlim_cur,
		    var_rptrecv_connection_limit);
}

static void
rptrecv_pre_jail(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	const char *queue = var_queue_directory;

	(void)argc;
	(void)argv;
	if (var_report_recipients == NULL || *var_report_recipients == NULL)
		log_warn("report_recipients is empty: every recipient is "
		    "refused");
	rptrecv_raise_nofile();
	rptrecv_tls = rptrecv_tls_load(queue);
	if ((rptrecv_spool = spool_open(queue, SPOOL_WRITER, &err)) == NULL)
		log_fatal("%s", err.s);
	/* The chroot (if any) lands here too: relative paths work in both. */
	if (chdir(queue) < 0)
		log_fatal("%s: chdir: %s", queue, strerror(errno));
	buf_free(&err);
}

/*
 * SIGTERM: accept no more (the next rptrecv of the service takes what
 * queues on the sockets), 421 to the sessions between commands, and
 * let those in a message finish it until the deadline (session.c).
 * The process leaves once the last session is gone: a session whose
 * message is being synced stays until its 250, so the syncer holds
 * nothing unanswered then.
 */
static void
rptrecv_stop(enum server_stop_phase phase)
{
	int i;

	if (phase == SERVER_STOP_BEGIN) {
		for (i = 0; i < nlisteners; i++)
			evconnlistener_disable(listeners[i]);
		log_info("stopping: %d session%s open", session_count(),
		    session_count() == 1 ? "" : "s");
	}
	session_stop(phase == SERVER_STOP_DEADLINE);
	if (session_count() == 0)
		server_idle();
}

static void
rptrecv_post_jail(int argc, char **argv)
{
	int i;

	(void)argc;
	(void)argv;
	commit_init(server_base());
	if ((notify_ev = event_new(server_base(), -1, 0, rptrecv_notify_send,
	    NULL)) == NULL)
		log_fatal("cannot make the notify event");
	for (i = 0; i < server_nsockets(); i++) {
		listeners[nlisteners] = evconnlistener_new(server_base(),
		    rptrecv_accept, NULL, LEV_OPT_CLOSE_ON_EXEC, -1,
		    server_socket(i));
		if (listeners[nlisteners] == NULL)
			log_fatal("cannot listen on descriptor %d",
			    server_socket(i));
		evconnlistener_set_error_cb(listeners[nlisteners],
		    rptrecv_accept_error);
		nlisteners++;
	}
	server_set_stop(rptrecv_stop);
	log_info("ready: %d socket%s, STARTTLS %s, message_size_limit %llu",
	    nlisteners, nlisteners == 1 ? "" : "s",
	    rptrecv_tls ? "offered" : "not offered", var_message_size_limit);
}

static void
rptrecv_cleanup(void)
{
	int i;

	session_shutdown();
	commit_shutdown();
	if (notices.len > 0)		/* made in the last turn of the loop */
		notify_send(NOTIFY_RPTPARSE, &notices);
	events_free(notify_ev);
	notify_ev = NULL;
	buf_free(&notices);
	for (i = 0; i < nlisteners; i++)
		evconnlistener_free(listeners[i]);
	nlisteners = 0;
	SSL_CTX_free(rptrecv_tls);
	rptrecv_tls = NULL;
	spool_close(rptrecv_spool);
	rptrecv_spool = NULL;
}

int
main(int argc, char **argv)
{
	static const struct server_hooks hooks = {
		rptrecv_pre_jail, rptrecv_post_jail, NULL, rptrecv_cleanup
	};

	return server_main(argc, argv, &hooks);
}
