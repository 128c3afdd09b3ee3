/*
 * httpd - the MTA-STS policy web server of stsd.
 *
 * SYNOPSIS
 *	httpd -c config_dir -n service -t inet -s nsockets [-u] [-r] [-v]
 *	    [-o name=value]...		(started by master(8) only)
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
 *	for httpd_connection_limit, opens $data_directory/certs (the only
 *	file it reads afterwards, through that descriptor) and sets up
 *	the TLS context; then lib/server drops to mail_owner and chroots
 *	to queue_directory when master.cf says so.  Several processes of
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
 *	$data_directory/certs/HOST/{fullchain,privkey}.pem
 *	$queue_directory/snapshot/policies{,.journal}	read at start
 *	$queue_directory/private/policyd
 *	$queue_directory/incoming/	reports (written)
 *	$queue_directory/private/rptparse	told of each report
 *
 * SEE ALSO
 *	httpd(8), policyd(8), master(8)
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
#include "cfg.h"
#include "httpd.h"
#include "log.h"
#include "policytab.h"
#include "server.h"
#include "spool.h"

#define HTTPD_FD_RESERVE	64	/* descriptors besides clients */

struct httpd_conf httpd_conf;
struct spool *httpd_spool;
struct policytab *httpd_policies;
struct certcache *httpd_certs;

static int httpd_certs_fd = -1;

static long long
httpd_int(const char *name, long long min, long long max)
{
	long long v = cfg_int(name);

	if (v < min || v > max)
		log_fatal("parameter %s: value %lld out of range %lld..%lld",
		    name, v, min, max);
	return v;
}

/* Reports by HTTPS: report_https_path and its limits. */
static void
httpd_read_report_conf(void)
{
	const char *path = cfg_str("report_https_path"), *p;
	long long t;

	httpd_conf.report_path = NULL;
	if (*path == '\0' || (!httpd_conf.tls && !cfg_bool("httpd_plain_reports")))
		return;
	if (path[0] != '/')
		log_fatal("parameter report_https_path: \"%s\": must start "
		    "with /", path);
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '?' || *p == '#')
			log_fatal("parameter report_https_path: \"%s\": bad "
			    "character in a path", path);
	httpd_conf.report_path = path;
	httpd_conf.reports.body_size = cfg_size("message_size_limit");
	if (httpd_conf.reports.body_size < 1)
		log_fatal("parameter message_size_limit: must be at least 1");
	if ((t = cfg_time("httpd_body_timeout")) < 1)
		log_fatal("parameter httpd_body_timeout: must be at least 1s");
	httpd_conf.body_timeout.tv_sec = t;
	httpd_conf.report_rua = cfg_bool("report_https_rua");
	if ((httpd_conf.report_client_limit =
	    cfg_int("httpd_report_client_limit")) < 0)
		log_fatal("parameter httpd_report_client_limit: must be 0 or "
		    "more");
	if ((t = cfg_time("httpd_report_client_window")) < 1)
		log_fatal("parameter httpd_report_client_window: must be at "
		    "least 1s");
	httpd_conf.report_client_window = (time_t)t;
}

static void
httpd_read_conf(void)
{
	unsigned long long size = cfg_size("httpd_max_header_size");
	long long t;

	httpd_conf.tls = cfg_bool("httpd_tls");
	if (size < 256 || size > 1024 * 1024)
		log_fatal("parameter httpd_max_header_size: %llu bytes out of "
		    "range 256..1048576", size);
	httpd_conf.limits.header_size = (size_t)size;
	httpd_conf.limits.header_count = (int)httpd_int("httpd_max_header_count",
	    1, 10000);
	httpd_conf.keepalive_requests = (int)httpd_int("httpd_keepalive_requests",
	    1, INT_MAX);
	httpd_conf.connection_limit = (int)httpd_int("httpd_connection_limit",
	    1, 1000000);
	if ((t = cfg_time("httpd_idle_timeout")) < 1)
		log_fatal("parameter httpd_idle_timeout: must be at least 1s");
	httpd_conf.idle_timeout.tv_sec = t;
	if ((t = cfg_time("httpd_request_timeout")) < 1)
		log_fatal("parameter httpd_request_timeout: must be at least 1s");
	httpd_conf.request_timeout.tv_sec = t;
	t = cfg_time("httpd_policyd_retry_time");
	httpd_conf.retry_max = t < 1 ? 1 : t > INT_MAX ? INT_MAX : (int)t;
	httpd_read_report_conf();
}

/*
 * Enough descriptors for the connection limit: the soft limit up to
 * the hard one, and above it while root.  Otherwise the limit shrinks.
 */
static void
httpd_fd_limit(void)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)httpd_conf.connection_limit + HTTPD_FD_RESERVE;

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
		int limit = rl.rlim_cur > HTTPD_FD_RESERVE * 2 ?
		    (int)(rl.rlim_cur - HTTPD_FD_RESERVE) : HTTPD_FD_RESERVE;

		log_warn("httpd_connection_limit %d: only %llu descriptors "
		    "allowed; using %d", httpd_conf.connection_limit,
		    (unsigned long long)rl.rlim_cur, limit);
		httpd_conf.connection_limit = limit;
	}
}

static void
httpd_pre_jail(int argc, char **argv)
{
	const char *queue = cfg_str("queue_directory");
	const char *data = cfg_str("data_directory");
	struct buf err = BUF_INIT;
	char path[PATH_MAX];

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
	snprintf(path, sizeof(path), "%s/certs", data);
	if ((httpd_certs_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		log_fatal("certificate directory %s: %s", path, strerror(errno));
	httpd_certs = certcache_new(httpd_certs_fd,
	    (size_t)httpd_int("httpd_cert_cache_size", 1, 10000000), &err);
	if (httpd_certs == NULL)
		log_fatal("%s", err.s);
	buf_free(&err);
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
	httpd_policies = policytab_new();
	/* Every policy policyd wrote, before the first client is taken. */
	if (httpd_conf.tls)
		subscribe_load();
	conn_start(server_base());
	subscribe_start(server_base());
	server_set_stop(httpd_stop);
	log_info("serving %s on %d socket(s) (%s)%s%s", httpd_conf.tls ?
	    "HTTPS" : "plain HTTP", server_nsockets(),
	    event_base_get_method(server_base()),
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
