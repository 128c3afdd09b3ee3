/*
 * fuzz_smtp - libFuzzer target for the SMTP input parsers of rptrecv.
 * SPDX-License-Identifier: ISC
 *
 * The first octet picks what the rest is fed to: even, the command
 * parser, one line per CRLF (or LF), with and without SMTPUTF8; odd,
 * the DATA text filter, in pieces whose sizes come from the input, and
 * the recipient matcher with each parsed RCPT address.  Checks the
 * promises of the interfaces: the reply is a full SMTP reply line, the
 * output never grows past what came in.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rcpt.h"
#include "smtp_cmd.h"
#include "smtp_data.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_commands(const char *p, size_t len)
{
	char *pats[] = { "tlsrpt@sts.example", "tlsrpt+*@sts.example", NULL };
	struct smtp_cmd cmd;
	const char *reply, *nl;
	size_t n;
	int flags;

	while (len > 0) {
		nl = memchr(p, '\n', len);
		n = nl ? (size_t)(nl - p) : len;
		for (flags = 0; flags <= SMTP_CMD_UTF8; flags += SMTP_CMD_UTF8) {
			size_t l = n > 0 && p[n - 1] == '\r' ? n - 1 : n;

			if (smtp_cmd_parse(p, l, flags, &cmd, &reply) < 0) {
				if (strlen(reply) < 10 || reply[3] != ' ' ||
				    (reply[0] != '5' && reply[0] != '4'))
					abort();
			} else {
				if (strlen(cmd.arg) > l)
					abort();
				if (cmd.verb == SMTP_RCPT)
					(void)rcpt_match(pats, cmd.arg);
			}
		}
		if (nl == NULL)
			break;
		len -= n + 1;
		p += n + 1;
	}
}

static void
fuzz_text(const char *p, size_t len)
{
	struct smtp_data d;
	struct buf out = BUF_INIT;
	size_t step, used, total = 0;

	smtp_data_init(&d, SMTP_TEXT_LINE_MAX);
	step = len > 0 ? (unsigned char)p[0] % 17 + 1 : 1;
	while (total < len && d.end == SMTP_DATA_MORE) {
		size_t n = len - total < step ? len - total : step;

		used = smtp_data_feed(&d, p + total, n, &out);
		if (used > n || (used < n && d.end == SMTP_DATA_MORE))
			abort();
		total += used;
	}
	if (out.len > total || d.size > total || out.len > d.size)
		abort();
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] % 2 == 0)
		fuzz_commands((const char *)data + 1, size - 1);
	else
		fuzz_text((const char *)data + 1, size - 1);
	return 0;
}
