/*
 * fuzz_ipc - the lib/ipc reader on arbitrary bytes.
 * SPDX-License-Identifier: ISC
 *
 * The first byte chooses how the rest is fed (chunk size), so split
 * messages are covered; each message read is encoded again and must
 * read back equal (the writer and the reader agree on every input).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "buf.h"
#include "ipc.h"
#include "log.h"

#define FUZZ_IPC_LIMIT	4096	/* small, so the limit paths are reached */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_roundtrip(const json_t *msg)
{
	struct buf err = BUF_INIT;
	json_t *back;
	size_t len;
	char *line;

	if ((line = ipc_encode(msg, &len)) == NULL)
		abort();
	if (memchr(line, '\n', len - 1) != NULL)
		abort();
	if (ipc_parse(line, len - 1, &back, &err) != 0 || !json_equal(msg, back))
		abort();
	json_decref(back);
	free(line);
	buf_free(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evbuffer *in;
	struct buf err = BUF_INIT;
	size_t chunk, off, before = 0;
	json_t *msg;
	int rc = 0;

	if (size == 0)
		return 0;
	log_init("fuzz_ipc", 0);
	chunk = (size_t)data[0] + 1;
	data++, size--;
	in = evbuffer_new();
	for (off = 0; off < size; off += chunk) {
		evbuffer_add(in, data + off, size - off < chunk ? size - off : chunk);
		for (;;) {
			before = evbuffer_get_length(in);
			buf_reset(&err);
			rc = ipc_read(in, FUZZ_IPC_LIMIT, &msg, &err);
			if (rc == 1) {
				fuzz_roundtrip(msg);
				json_decref(msg);
				continue;
			}
			if (rc < 0 && err.len == 0)
				abort();
			/* An error that removed nothing leaves the stream stuck. */
			if (rc == 0 || evbuffer_get_length(in) == before)
				break;
		}
		if (rc < 0 && evbuffer_get_length(in) == before)
			break;
	}
	evbuffer_free(in);
	buf_free(&err);
	return 0;
}
