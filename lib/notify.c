/*
 * notify - tell the spool's consumer that messages were spooled; the
 * interface is notify.h.  One non-blocking connect() and one send() per
 * batch of notices.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "notify.h"
#include "proto.h"

void
notify_add(struct buf *pending, const char *id)
{
	json_t *msg;
	char *line;
	size_t len;

	msg = ipc_request(PROTO_OP_SPOOLED);
	json_object_set_new(msg, "id", json_string(id));
	if ((line = ipc_encode(msg, &len)) != NULL) {
		if (pending->len + len <= NOTIFY_BATCH_MAX)
			buf_append(pending, line, len);
		free(line);
	}
	json_decref(msg);
}

/* One non-blocking send of the lines in pending: 0 sent, -1 not. */
static int
notify_write(const char *socket_path, const struct buf *pending)
{
	struct buf err = BUF_INIT;
	int fd, rc = -1;

	/*
	 * A consumer that master does not run has no socket file: one
	 * access() instead of socket(), connect() and close() (policyd
	 * tries dnsmon and acmed for each domain-add).
	 */
	if (access(socket_path, F_OK) < 0) {
		log_debug("connect to %s: %s: consumer not notified",
		    socket_path, strerror(errno));
		return -1;
	}
	if ((fd = ipc_connect_unix(socket_path, 0, &err)) < 0) {
		log_debug("%s: consumer not notified", err.s);
	} else {
		if (send(fd, pending->s, pending->len,
		    MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			log_debug("%s: send: %s: consumer not notified",
			    socket_path, strerror(errno));
		else
			rc = 0;
		close(fd);
	}
	buf_free(&err);
	return rc;
}

void
notify_send(const char *socket_path, struct buf *pending)
{
	if (pending->len == 0)
		return;
	(void)notify_write(socket_path, pending);
	buf_reset(pending);
}

int
notify_check_now(const char *socket_path, const char *domain)
{
	struct buf pending = BUF_INIT;
	json_t *msg;
	char *line;
	size_t len;
	int rc = -1;

	msg = ipc_request(PROTO_OP_CHECK_NOW);
	json_object_set_new(msg, "domain", json_string(domain));
	if ((line = ipc_encode(msg, &len)) != NULL) {
		buf_append(&pending, line, len);
		free(line);
		rc = notify_write(socket_path, &pending);
	}
	json_decref(msg);
	buf_free(&pending);
	return rc;
}

void
notify_spooled(const char *socket_path, const char *id)
{
	struct buf pending = BUF_INIT;

	notify_add(&pending, id);
	notify_send(socket_path, &pending);
	buf_free(&pending);
}
