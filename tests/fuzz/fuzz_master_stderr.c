/*
 * fuzz_master_stderr - libFuzzer target for master's reader of a
 * worker's stderr (master/master_stderr.c).
 * SPDX-License-Identifier: ISC
 *
 * master runs as root and reads what an unprivileged, Internet-facing
 * worker writes, so the input is hostile.  The input is fed in pieces
 * whose sizes come from its first octet, then the process "exits"
 * (master_stderr_close).  Checks what the log receives (maillog_file is
 * a temporary file here): only whole lines, no control character but
 * their newline, no more lines than the input had plus the last partial
 * line and the note of dropped lines, none longer than the log allows.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "master.h"

#define FUZZ_LOG_LINE_MAX	(2048 + 160)	/* lib/log.c's longest line */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct master_state master;		/* what master_stderr.c reads of it */

static char log_path[] = "/tmp/fuzz_master_stderr.XXXXXX";
static int log_fd = -1;

static void
fuzz_check_log(size_t max_lines)
{
	static char text[512 * 1024];
	size_t n, i, lines = 0, len = 0;
	ssize_t r;

	r = pread(log_fd, text, sizeof(text), 0);
	if (r < 0)
		abort();
	n = (size_t)r;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			if (len > FUZZ_LOG_LINE_MAX)
				abort();	/* a line over the log's limit */
			lines++;
			len = 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			abort();		/* a control character leaked */
		len++;
	}
	if (len != 0)
		abort();			/* a partial line in the log */
	if (lines > max_lines)
		abort();			/* more log lines than input lines */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct master_service svc;
	struct master_proc proc;
	size_t step, off, n, newlines = 0;

	if (log_fd < 0) {
		if ((log_fd = mkstemp(log_path)) < 0)
			abort();
		log_init("master", 0);
		if (log_open_file(log_path) != 0)
			abort();
		unlink(log_path);
	}
	if (ftruncate(log_fd, 0) != 0)
		abort();
	memset(&svc, 0, sizeof(svc));
	svc.name = "fuzz";
	master_stderr_budget_init(&svc);
	memset(&proc, 0, sizeof(proc));
	proc.pid = 4242;
	proc.svc = &svc;
	proc.command = "worker";
	proc.err_fd = -1;

	step = size > 0 ? (size_t)data[0] % 64 + 1 : 1;
	for (off = 0; off < size; off += n) {
		n = size - off < step ? size - off : step;
		master_stderr_feed(&proc, (const char *)data + off, n);
		if (proc.err_len > MASTER_STDERR_LINE_MAX)
			abort();
	}
	master_stderr_close(&proc);
	if (proc.err_len != 0 || proc.err_cut != 0)
		abort();
	for (off = 0; off < size; off++)
		newlines += data[off] == '\n';
	fuzz_check_log(newlines + 2);
	return 0;
}
