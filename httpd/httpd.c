/*
 * httpd - the MTA-STS policy web server of stsd.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	httpd -c config_dir -n service -t inet -s nsockets [-u] [-r] [-v]
 *	    [-o name=value]...		(started by stsd-master(8) only)
 *
 * DESCRIPTION
 *	httpd serves https://mta-sts.DOMAIN/.well-known/mta-sts.txt for
 *	every domain whose policy policyd publishes: TLS 1.2 or 1.3, the
 *	certificate of the host the client names with SNI (certcache.c),
 *	HTTP/1.1 with keep-alive and HTTP/1.0 (conn.c, http.c).  It never
 *	opens a database: policies arrive over a subscription to policyd
 *	(subscribe.c) into a table in memory (policytab.c).  Before it
 *	accepts its first connection, an HTTPS process loads that table
 *	from the snapshot file policyd keeps in queue_directory/snapshot
 *	(lib/polsnap.h), so it serves every hosted policy from its first
 *	request on and while policyd is down.  With
 *	httpd_tls = no it speaks plain HTTP and serves no policy (port 80
 *	is for ACME challenges, RFC 8461 requires HTTPS).
 *
 *	Before giving up root (pre_jail) it raises its descriptor limit
 *	for httpd_connection_limit and sets up the TLS context; then
 *	lib/server drops to mail_owner and chroots to queue_directory
 *	when master.cf says so, and only then (post_jail) httpd opens the
 *	certificate directory $queue_directory/certs (lib/certstore.h),
 *	so that it holds no descriptor of anything outside its chroot:
 *	no path from it reaches $data_directory (policy.db, reports.db,
 *	the ACME account key).  Several processes of
 *	the service (maxproc > 1) share the listening sockets; each has
 *	its own subscription and certificate cache.  The spool is opened
 *	before the chroot too (lib/spool works through directory
 *	descriptors).
 *
 *	On SIGTERM (a stop, or a reload that restarts it) httpd accepts no
 *	more connections, closes idle keep-alive ones, answers the
 *	requests under way (a report whose body is arriving still gets
 *	its 200 once spooled) with Connection: close, and exits when the
 *	last connection is gone, within SERVER_STOP_GRACE (lib/server.h).
 *
 * FILES
 *	$queue_directory/certs/HOST/{fullchain,privkey}.pem
 *	$queue_directory/snapshot/policies{,.journal}	read at start
 *	$queue_directory/private/policyd
 *	$queue_directory/incoming/	reports (written)
 *	$queue_directory/private/rptparse	told of each report
 *
 * SEE ALSO
 *	stsd-httpd(8), stsd-policyd(8), stsd-master(8)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/event.h>

#include "certcache.h"
#include "certstore.h"
#include "fetchbatch.h"
#include "httpd.h"
#include "log.h"
#include "params.h"
#include "plural.h"
#include "policytab.h"
#include "server.h"
#include "spool.h"

#define HTTPD_FD_RESERVE	64	/* descriptors besides clients */

struct httpd_conf httpd_conf;
struct spool *httpd_spool;
struct policytab *httpd_policies;
struct certcache *httpd_certs;

static int httpd_certs_fd = -1;

/* Reports by HTTPS: report_https_path and its limits. */
static void
httpd_read_report_conf(void)
{
	const char *path = var_report_https_path;

	httpd_conf.report_path = NULL;
	if (*path == '\0' ||
	    (!httpd_conf.tls && !var_httpd_plain_reports))
		return;
	httpd_conf.report_path = path;
	httpd_conf.reports.body_size = var_message_size_limit;
	httpd_conf.body_timeout.tv_sec = var_httpd_body_timeout;
	httpd_conf.report_rua = var_report_https_rua;
	httpd_conf.report_client_limit = var_httpd_report_client_limit;
	httpd_conf.report_client_window =
	    (time_t)var_httpd_report_client_window;
	httpd_conf.report_upload_limit = (int)var_httpd_report_upload_limit;
}

/* The portal: on HTTPS only, with portal_enabled and portal_hostname. */
static void
httpd_read_portal_conf(void)
{
	const char *host = var_portal_hostname;

	httpd_conf.portal_host[0] = '\0';
	if (!httpd_conf.tls || !var_portal_enabled || *host == '\0')
		return;
	if (http_host_normalize(host, strlen(host), httpd_conf.portal_host) < 0)
		log_fatal("portal_hostname %s: not a host name", host);
	httpd_conf.portal_body_limit = (unsigned long long)var_portal_body_limit;
	httpd_conf.portal_timeout.tv_sec = var_portal_timeout;
	httpd_conf.portal_wait.tv_sec = var_portal_timeout + HTTPD_PORTAL_MARGIN;
}

static void
httpd_read_conf(void)
{
	/* Bounds: lib/params_table.h. */
	httpd_conf.tls = var_httpd_tls;
	httpd_conf.limits.header_size =
	    (size_t)var_httpd_max_header_size;
	httpd_conf.limits.header_count =
	    (int)var_httpd_max_header_count;
	httpd_conf.keepalive_requests =
	    (int)var_httpd_keepalive_requests;
	httpd_conf.connection_limit = (int)var_httpd_connection_limit;
	httpd_conf.idle_timeout.tv_sec = var_httpd_idle_timeout;
	httpd_conf.request_timeout.tv_sec = var_httpd_request_timeout;
	httpd_conf.retry_max = (int)var_httpd_policyd_retry_time;
	httpd_read_report_conf();
	httpd_read_portal_conf();
}

/*
 * Enough descriptors for the connection limit and the report bodies
 * being received (each holds a spool file): the soft limit up to the
 * hard one, and above it while root.  Otherwise both limits shrink: the
 * uploads to at most half of what is left beside the reserve.
 */
static void
httpd_fd_limit(void)
{
	struct rlimit rl;
	int uploads = httpd_conf.report_path != NULL ?
	    httpd_conf.report_upload_limit : 0;
	rlim_t want = (rlim_t)httpd_conf.connection_limit + (rlim_t)uploads +
	    HTTPD_FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < want) {
		struct rlimit nl = rl;

		nl.rlim_cur = want;
		if (nl.rlim_max < want)
			nl.rlim_max = want;
		if (setrlimit(RLIMIT_NOFILE, &nl) < 0) {
			nl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
			nl.rlim_max = rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &nl);
		}
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < want) {
		int room = rl.rlim_cur > HTTPD_FD_RESERVE * 2 ?
		    (int)(rl.rlim_cur - HTTPD_FD_RESERVE) : HTTPD_FD_RESERVE;

		if (uploads > room / 2)
			uploads = room / 2 > 0 ? room / 2 : 1;
		log_warn("httpd_connection_limit %d, httpd_report_upload_limit"
		    " %d: only %llu descriptors allowed; using %d and %d",
		    httpd_conf.connection_limit, httpd_conf.report_upload_limit,
		    (unsigned long long)rl.rlim_cur, room - uploads, uploads);
		httpd_conf.connection_limit = room - uploads;
		if (httpd_conf.report_path != NULL)
			httpd_conf.report_upload_limit = uploads;
	}
}

static void
httpd_pre_jail(int argc, char **argv)
{
	const char *queue = var_queue_directory;
	struct buf err = BUF_INIT;

	if (argc > 1)
		log_fatal("unexpected argument \"%s\"", argv[1]);
	httpd_read_conf();
	httpd_fd_limit();
	/*
	 * Let libevent's epoll back end merge the changes a connection
	 * makes to its events in one turn of the loop into one
	 * epoll_ctl() (the TLS bufferevent adds and removes its read and
	 * write events several times per handshake).  The base is made
	 * after this hook; no descriptor is ever dup()ed here, the case
	 * where the change list is unsafe.
	 */
	setenv("EVENT_EPOLL_USE_CHANGELIST", "1", 1);
	/* Sockets are named relative to queue_directory, chroot or not. */
	if (chdir(queue) < 0)
		log_fatal("queue_directory %s: %s", queue, strerror(errno));
	if (httpd_conf.report_path != NULL &&
	    (httpd_spool = spool_open(queue, SPOOL_WRITER, &err)) == NULL)
		log_fatal("%s", err.s);
	if (!httpd_conf.tls)
		return;
	httpd_certs = certcache_new((size_t)var_httpd_cert_cache_size,
	    &err);
	if (httpd_certs == NULL)
		log_fatal("%s", err.s);
	buf_free(&err);
}

/*
 * After the chroot: the working directory is queue_directory in both
 * cases, so "certs" names the same directory, and the descriptor
 * points inside the chroot.
 */
static void
httpd_open_certs(void)
{
	if (httpd_certs == NULL)
		return;
	if ((httpd_certs_fd = open(CERTSTORE_DIR, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		log_fatal("certificate directory %s/%s: %s",
		    var_queue_directory, CERTSTORE_DIR,
		    strerror(errno));
	certcache_set_dir(httpd_certs, httpd_certs_fd);
}

/* SIGTERM: answer what is under way, then leave (conn_drain). */
static void
httpd_stop(enum server_stop_phase phase)
{
	conn_drain(phase == SERVER_STOP_DEADLINE);
}

static void
httpd_post_jail(int argc, char **argv)
{
	httpd_open_certs();
	httpd_policies = policytab_new();
	/* Every policy policyd wrote, before the first client is taken. */
	if (httpd_conf.tls)
		subscribe_load();
	if (httpd_conf.tls && var_httpd_fetch_log)
		fetchbatch_start(server_base());
	conn_start(server_base());
	subscribe_start(server_base());
	server_set_stop(httpd_stop);
	log_info("serving %s on %d %s%s%s", httpd_conf.tls ?
	    "HTTPS" : "plain HTTP", server_nsockets(),
	    plural(server_nsockets(), "socket", "sockets"),
	    httpd_conf.report_path ? "; reports at " : "",
	    httpd_conf.report_path ? httpd_conf.report_path : "");
}

static void
httpd_wakeup(void)
{
	size_t entries = 0;
	unsigned long loads = 0;

	if (httpd_certs != NULL)
		certcache_stats(httpd_certs, &entries, &loads);
	log_debug("%d connections, %zu policies, %zu cached certificates, "
	    "%lu loads", conn_count(), policytab_count(httpd_policies),
	    entries, loads);
}

static void
httpd_cleanup(void)
{
	conn_stop();
	fetchbatch_stop();
	subscribe_stop();
	policytab_free(httpd_policies);
	httpd_policies = NULL;
	certcache_free(httpd_certs);
	httpd_certs = NULL;
	spool_close(httpd_spool);
	httpd_spool = NULL;
	if (httpd_certs_fd >= 0)
		close(httpd_certs_fd);
}

static const struct server_hooks httpd_hooks = {
	httpd_pre_jail, httpd_post_jail, httpd_wakeup, httpd_cleanup,
};

int
main(int argc, char **argv)
{
	return server_main(argc, argv, &httpd_hooks);
}
