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

int
proto_connect(const char *sock, int timeout_ms, struct buf *err)
{
	return ipc_connect_unix(sock, timeout_ms, err);
}

char *
proto_path(const char *sock)
{
	if (var_queue_directory == NULL)		/* no main.cf yet */
		cfg_bind_now();
	return xasprintf("%s/%s", var_queue_directory, sock);
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
