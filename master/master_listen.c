/*
 * master_listen - bind the listening sockets of a service.
 * SPDX-License-Identifier: ISC
 *
 * inet: one socket per master.cf address, SO_REUSEADDR, IPv6 sockets
 * v6only (a wildcard service has an IPv4 and an IPv6 socket).  Bound
 * while master is root, so ports below 1024 work.
 *
 * unix: $queue_directory/private/NAME, mode 0600, owner mail_owner; a
 * service with private = n has a second socket, public/NAME, mode 0660,
 * owner mail_owner, group setgid_group, passed after the private one, so
 * that daemons always reach each other under private/ and the worker can
 * tell requests of local users (public) from those of daemons.  A stale
 * socket of an earlier master is replaced (the pid file lock says that
 * no other master runs here); any other file in the way is an error.
 * Owners are set only when master runs as root.
 *
 * Every socket is non-blocking and close-on-exec in master; the spawn
 * code hands it to workers on descriptors 4 and up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "mymalloc.h"
#include "proto.h"

#define MASTER_PRIVATE_MODE	0600
#define MASTER_PUBLIC_MODE	0660

static void
master_add_fd(struct master_service *svc, int fd)
{
	svc->fds = xreallocarray(svc->fds, svc->nfds + 1, sizeof(int));
	svc->fds[svc->nfds++] = fd;
}

static int
master_listen_inet(struct master_service *svc,
    const struct mastercf_service *conf, struct buf *err)
{
	char addr[80];
	int i, fd, on = 1;

	for (i = 0; i < conf->naddrs; i++) {
		const struct sockaddr *sa = (const void *)&conf->addrs[i].ss;

		mastercf_addr_str(&conf->addrs[i], addr, sizeof(addr));
		fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd < 0) {
			buf_printf(err, "service %s: socket for %s: %s",
			    conf->name, addr, strerror(errno));
			return -1;
		}
		master_add_fd(svc, fd);
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
		    (sa->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
		    IPV6_V6ONLY, &on, sizeof(on)) != 0)) {
			buf_printf(err, "service %s: setsockopt %s: %s",
			    conf->name, addr, strerror(errno));
			return -1;
		}
		if (bind(fd, sa, conf->addrs[i].len) != 0) {
			buf_printf(err, "service %s: bind %s: %s", conf->name,
			    addr, strerror(errno));
			return -1;
		}
		if (listen(fd, SOMAXCONN) != 0) {
			buf_printf(err, "service %s: listen %s: %s", conf->name,
			    addr, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Sets owner and group of a unix socket (root only). */
static int
master_unix_owner(const char *path, int private, struct buf *err)
{
	const char *user = var_mail_owner;
	const char *group = var_setgid_group;
	struct passwd *pw;
	struct group *gr;
	gid_t gid;

	if (geteuid() != 0) {
		log_debug("%s: not root: owner stays uid %ld", path,
		    (long)geteuid());
		return 0;
	}
	if ((pw = getpwnam(user)) == NULL) {
		buf_printf(err, "mail_owner %s: no such user", user);
		return -1;
	}
	gid = pw->pw_gid;
	if (!private) {
		if ((gr = getgrnam(group)) == NULL) {
			buf_printf(err, "setgid_group %s: no such group", group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (chown(path, pw->pw_uid, gid) != 0) {
		buf_printf(err, "%s: chown: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Takes over path; records it in svc->socket_paths for removal. */
static int
master_listen_unix_path(struct master_service *svc,
    const struct mastercf_service *conf, char *path, int private,
    struct buf *err)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		buf_printf(err, "service %s: socket path too long (more than "
		    "%zu bytes): %s", conf->name, sizeof(sun.sun_path) - 1, path);
		free(path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			buf_printf(err, "service %s: %s exists and is not a socket",
			    conf->name, path);
			free(path);
			return -1;
		}
		(void)unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0) {
		buf_printf(err, "service %s: socket: %s", conf->name,
		    strerror(errno));
		free(path);
		return -1;
	}
	master_add_fd(svc, fd);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		buf_printf(err, "service %s: bind %s: %s%s", conf->name, path,
		    strerror(errno), errno == ENOENT ? " (run stsd check)" : "");
		free(path);
		return -1;
	}
	svc->socket_paths[private ? 0 : 1] = path;
	if (chmod(path, private ? MASTER_PRIVATE_MODE :
	    MASTER_PUBLIC_MODE) != 0) {
		buf_printf(err, "%s: chmod: %s", path, strerror(errno));
		return -1;
	}
	if (master_unix_owner(path, private, err) != 0)
		return -1;
	if (listen(fd, SOMAXCONN) != 0) {
		buf_printf(err, "service %s: listen %s: %s", conf->name, path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
master_listen_unix(struct master_service *svc,
    const struct mastercf_service *conf, struct buf *err)
{
	char *path = xasprintf("%s/" PROTO_PRIVATE_DIR "/%s", master.queue_dir,
	    conf->name);

	if (master_listen_unix_path(svc, conf, path, 1, err) != 0)
		return -1;
	if (conf->private)
		return 0;
	path = xasprintf("%s/" PROTO_PUBLIC_DIR "/%s", master.queue_dir,
	    conf->name);
	return master_listen_unix_path(svc, conf, path, 0, err);
}

/* On error the caller calls master_unlisten() to undo what was done. */
int
master_listen(struct master_service *svc, const struct mastercf_service *conf,
    struct buf *err)
{
	if (conf->type == MASTERCF_INET)
		return master_listen_inet(svc, conf, err);
	return master_listen_unix(svc, conf, err);
}

void
master_unlisten(struct master_service *svc)
{
	int i;

	for (i = 0; i < svc->nfds; i++)
		close(svc->fds[i]);
	free(svc->fds);
	svc->fds = NULL;
	svc->nfds = 0;
	for (i = 0; i < 2; i++) {
		if (svc->socket_paths[i] == NULL)
			continue;
		if (unlink(svc->socket_paths[i]) != 0 && errno != ENOENT)
			log_warn("%s: remove: %s", svc->socket_paths[i],
			    strerror(errno));
		free(svc->socket_paths[i]);
		svc->socket_paths[i] = NULL;
	}
}
