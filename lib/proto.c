/*
 * proto - connecting to the sockets of the IPC contract; the names are
 * in proto.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "cfgbind.h"
#include "ipc.h"
#include "mymalloc.h"
#include "proto.h"

/* Where the sockets are, bound once (lib/cfgbind). */
static struct proto_conf {
	const char *queue_directory;
} proto_conf;

static const struct cfg_bind proto_params[] = {
	CFG_BIND_STR("queue_directory", &proto_conf.queue_directory),
	CFG_BIND_END
};
CFG_BIND_REGISTER(proto_params)

int
proto_connect(const char *sock, int timeout_ms, struct buf *err)
{
	return ipc_connect_unix(sock, timeout_ms, err);
}

char *
proto_path(const char *sock)
{
	if (proto_conf.queue_directory == NULL)		/* no main.cf yet */
		cfg_bind_now();
	return xasprintf("%s/%s", proto_conf.queue_directory, sock);
}

json_t *
proto_call(const char *path, json_t *req, int timeout_ms, struct buf *err)
{
	json_t *reply = NULL;
	int fd;

	if ((fd = ipc_connect_unix(path, timeout_ms, err)) < 0) {
		json_decref(req);
		return NULL;
	}
	if (ipc_call(fd, req, &reply, timeout_ms, err) < 0)
		reply = NULL;
	else if (ipc_reply_check(reply, err) < 0) {
		json_decref(reply);
		reply = NULL;
	}
	close(fd);
	json_decref(req);
	return reply;
}
