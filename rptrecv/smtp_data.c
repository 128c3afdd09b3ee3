/*
 * smtp_data - the text of a DATA command; see smtp_data.h.
 * SPDX-License-Identifier: ISC
 *
 * A small state machine over the octets.  Runs of ordinary octets are
 * copied with one buf_append each, so the cost per octet is a compare;
 * the mark is found even when it is split across calls.
 */
#include "config.h"

#include <string.h>

#include "smtp_data.h"

enum {
	SD_BOL,		/* at the start of a line */
	SD_TEXT,	/* inside a line */
	SD_CR,		/* after a CR */
	SD_DOT,		/* after a "." at the start of a line */
	SD_DOT_CR,	/* after "." CR at the start of a line */
};

void
smtp_data_init(struct smtp_data *d, size_t line_max)
{
	memset(d, 0, sizeof(*d));
	d->state = SD_BOL;
	d->line_max = line_max;
	d->end = SMTP_DATA_MORE;
	d->error = SMTP_DATA_OK;
}

const char *
smtp_data_error_text(enum smtp_data_error e)
{
	switch (e) {
	case SMTP_DATA_OK:
		return "no error";
	case SMTP_DATA_BARE_LF:
		return "bare <LF> received";
	case SMTP_DATA_BARE_CR:
		return "bare <CR> received";
	case SMTP_DATA_LONG_LINE:
		return "line too long";
	}
	return "unknown error";
}

static void
smtp_data_set_error(struct smtp_data *d, enum smtp_data_error e)
{
	if (d->error == SMTP_DATA_OK)
		d->error = e;
}

static void
smtp_data_emit(struct smtp_data *d, const char *p, size_t n, struct buf *out)
{
	d->size += n;
	if (d->error == SMTP_DATA_OK)
		buf_append(out, p, n);
}

/* Count n octets toward the current line's length. */
static void
smtp_data_count(struct smtp_data *d, size_t n)
{
	d->line_len += n;
	if (d->line_len > d->line_max)
		smtp_data_set_error(d, SMTP_DATA_LONG_LINE);
}

size_t
smtp_data_feed(struct smtp_data *d, const char *in, size_t len,
    struct buf *out)
{
	size_t i = 0, run;
	unsigned char c;

	while (i < len && d->end == SMTP_DATA_MORE) {
		c = (unsigned char)in[i];
		switch (d->state) {
		case SD_BOL:
			d->line_len = 0;
			if (c == '.') {
				smtp_data_count(d, 1);
				d->state = SD_DOT;
				i++;
			} else {
				d->state = SD_TEXT;
			}
			break;
		case SD_TEXT:
			if (c == '\r') {
				d->state = SD_CR;
				i++;
			} else if (c == '\n') {
				smtp_data_set_error(d, SMTP_DATA_BARE_LF);
				d->bare_eol = 1;
				d->state = SD_BOL;
				i++;
			} else {
				for (run = i; run < len && in[run] != '\r' &&
				    in[run] != '\n'; run++)
					;
				smtp_data_count(d, run - i);
				smtp_data_emit(d, in + i, run - i, out);
				i = run;
			}
			break;
		case SD_CR:
			if (c == '\n') {
				smtp_data_emit(d, "\r\n", 2, out);
				d->bare_eol = 0;
				d->state = SD_BOL;
				i++;
			} else {
				/* The CR stays out; c is looked at again. */
				smtp_data_set_error(d, SMTP_DATA_BARE_CR);
				d->state = SD_TEXT;
			}
			break;
		case SD_DOT:
			if (c == '\r') {
				d->state = SD_DOT_CR;
				i++;
			} else if (c == '\n') {
				smtp_data_set_error(d, SMTP_DATA_BARE_LF);
				d->end = SMTP_DATA_END_BARE;
				i++;
			} else {
				d->state = SD_TEXT;	/* the dot is dropped */
			}
			break;
		case SD_DOT_CR:
			if (c == '\n') {
				if (d->bare_eol) {
					smtp_data_set_error(d, SMTP_DATA_BARE_LF);
					d->end = SMTP_DATA_END_BARE;
				} else {
					d->end = SMTP_DATA_END;
				}
				i++;
			} else {
				smtp_data_set_error(d, SMTP_DATA_BARE_CR);
				d->state = SD_TEXT;
			}
			break;
		}
	}
	return i;
}
