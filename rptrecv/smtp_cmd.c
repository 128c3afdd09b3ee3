/*
 * smtp_cmd - parse one SMTP command line; see smtp_cmd.h.
 * SPDX-License-Identifier: ISC
 *
 * The address grammar is RFC 5321 section 4.1.2 (Path, Mailbox,
 * Dot-string, Quoted-string, Domain, address-literal), with RFC 6531
 * UTF-8 in atoms and labels when the transaction uses SMTPUTF8.
 * Everything here works on (pointer, length) pairs: a command line may
 * hold any byte, NUL included, and nothing is read past len.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "smtp_cmd.h"

#define SMTP_LITERAL_MAX 64	/* octets inside an IPv6 literal, plenty */

static const struct {
	const char *name;
	enum smtp_verb verb;
} smtp_verbs[] = {
	{ "EHLO", SMTP_EHLO },
	{ "HELO", SMTP_HELO },
	{ "MAIL", SMTP_MAIL },
	{ "RCPT", SMTP_RCPT },
	{ "DATA", SMTP_DATA },
	{ "RSET", SMTP_RSET },
	{ "NOOP", SMTP_NOOP },
	{ "QUIT", SMTP_QUIT },
	{ "VRFY", SMTP_VRFY },
	{ "HELP", SMTP_HELP },
	{ "STARTTLS", SMTP_STARTTLS },
	{ NULL, SMTP_UNKNOWN }
};

const char *
smtp_verb_name(enum smtp_verb verb)
{
	int i;

	for (i = 0; smtp_verbs[i].name != NULL; i++)
		if (smtp_verbs[i].verb == verb)
			return smtp_verbs[i].name;
	return "unknown";
}

static int
smtp_is_atext(unsigned char c)
{
	return ascii_is_alpha(c) || ascii_is_digit(c) ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/*
 * The length of the well-formed UTF-8 sequence (2 to 4 octets, no
 * overlong form, no surrogate, at most U+10FFFF) at s, or 0.
 */
static size_t
smtp_utf8_len(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned long cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* A UTF-8 character at s where SMTPUTF8 allows it: its length, else 0. */
static size_t
smtp_utf8_char(const unsigned char *s, size_t len, int utf8)
{
	return utf8 && s[0] >= 0x80 ? smtp_utf8_len(s, len) : 0;
}

/*
 * Length of a run of atext (or UTF-8 when allowed) at s; 0 when the
 * first octet is not one, or when a non-ASCII octet is malformed.
 */
static size_t
smtp_atom_len(const unsigned char *s, size_t len, int utf8)
{
	size_t i = 0, n;

	while (i < len) {
		if (smtp_is_atext(s[i]))
			i++;
		else if ((n = smtp_utf8_char(s + i, len - i, utf8)) > 0)
			i += n;
		else
			break;
	}
	return i;
}

/* Dot-string or Quoted-string: the length of the local part, or 0. */
static size_t
smtp_local_len(const unsigned char *s, size_t len, int utf8)
{
	size_t i, n;

	if (len > 0 && s[0] == '"') {
		for (i = 1; i < len; i++) {
			if (s[i] == '"')
				return i + 1;
			if (s[i] == '\\') {
				if (++i >= len || s[i] < 32 || s[i] > 126)
					return 0;
			} else if ((n = smtp_utf8_char(s + i, len - i,
			    utf8)) > 0) {
				i += n - 1;
			} else if (s[i] < 32 || s[i] > 126) {
				return 0;
			}
		}
		return 0;
	}
	i = 0;
	for (;;) {
		if ((n = smtp_atom_len(s + i, len - i, utf8)) == 0)
			return 0;
		i += n;
		if (i < len && s[i] == '.')
			i++;
		else
			return i;
	}
}

/* sub-domain *("." sub-domain): its length, or 0. */
static size_t
smtp_dotdomain_len(const unsigned char *s, size_t len, int utf8)
{
	size_t i = 0, start, n;

	for (;;) {
		start = i;
		while (i < len) {
			if (ascii_is_alpha(s[i]) || ascii_is_digit(s[i]) ||
			    (s[i] == '-' && i > start))
				i++;
			else if ((n = smtp_utf8_char(s + i, len - i, utf8)) > 0)
				i += n;
			else
				break;
		}
		if (i == start || s[i - 1] == '-')
			return 0;
		if (i < len && s[i] == '.' && i + 1 < len)
			i++;
		else
			return i;
	}
}

/* IPv4-address-literal: four Snum (0 to 255) separated by dots. */
static int
smtp_ipv4_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	int part, digits, value;

	for (part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || s[i] != '.')
				return 0;
			i++;
		}
		for (digits = 0, value = 0; i < len && ascii_is_digit(s[i]) &&
		    digits < 3; digits++, i++)
			value = value * 10 + (s[i] - '0');
		if (digits == 0 || value > 255)
			return 0;
	}
	return i == len;
}

/* address-literal without its brackets. */
static int
smtp_literal_valid(const unsigned char *s, size_t len)
{
	char addr[SMTP_LITERAL_MAX];
	unsigned char in6[16];
	size_t i, tag;

	if (smtp_ipv4_valid(s, len))
		return 1;
	if (len > 5 && strncasecmp((const char *)s, "IPv6:", 5) == 0) {
		if (len - 5 >= sizeof(addr))
			return 0;
		memcpy(addr, s + 5, len - 5);
		addr[len - 5] = '\0';
		return inet_pton(AF_INET6, addr, in6) == 1;
	}
	/* General-address-literal: Standardized-tag ":" 1*dcontent */
	for (tag = 0; tag < len && (ascii_is_alpha(s[tag]) ||
	    ascii_is_digit(s[tag]) || s[tag] == '-'); tag++)
		;
	if (tag == 0 || s[tag - 1] == '-' || tag + 1 >= len || s[tag] != ':')
		return 0;
	for (i = tag + 1; i < len; i++)
		if (s[i] < 33 || s[i] > 126 || s[i] == '[' || s[i] == '\\' ||
		    s[i] == ']')
			return 0;
	return 1;
}

/* Domain / address-literal: its length, or 0. */
static size_t
smtp_host_len(const unsigned char *s, size_t len, int utf8)
{
	const unsigned char *end;

	if (len > 0 && s[0] == '[') {
		if ((end = memchr(s, ']', len)) == NULL ||
		    !smtp_literal_valid(s + 1, (size_t)(end - s) - 1))
			return 0;
		return (size_t)(end - s) + 1;
	}
	return smtp_dotdomain_len(s, len, utf8);
}

int
smtp_domain_valid(const char *domain, size_t len, int utf8)
{
	const unsigned char *s = (const unsigned char *)domain;

	return len > 0 && len <= SMTP_DOMAIN_MAX &&
	    smtp_host_len(s, len, utf8) == len;
}

int
smtp_path_valid(const char *mailbox, size_t len, int utf8)
{
	const unsigned char *s = (const unsigned char *)mailbox;
	size_t local;

	if (len + 2 > SMTP_PATH_MAX)
		return 0;
	if ((local = smtp_local_len(s, len, utf8)) == 0 ||
	    local > SMTP_LOCAL_MAX || local >= len || s[local] != '@')
		return 0;
	return smtp_domain_valid(mailbox + local + 1, len - local - 1, utf8);
}

static int
smtp_has_8bit(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* The reply text followed by (a short, printable piece of) word. */
static int
smtp_cmd_fail(struct smtp_cmd *cmd, const char **reply, const char *text,
    const char *word, size_t wlen)
{
	char shown[32];
	size_t i;
	int n;

	if (wlen >= sizeof(shown))
		wlen = sizeof(shown) - 1;
	for (i = 0; i < wlen; i++)
		shown[i] = (word[i] > 32 && word[i] < 127) ? word[i] : '?';
	shown[wlen] = '\0';
	n = snprintf(cmd->reply, sizeof(cmd->reply), "%s%s", text, shown);
	if (n < 0)
		cmd->reply[0] = '\0';
	*reply = cmd->reply;
	return -1;
}

/* Set *reply to a fixed text and fail. */
static int
smtp_cmd_error(const char **reply, const char *text)
{
	*reply = text;
	return -1;
}

/*
 * The offset of the ">" that closes the path at s ("<..."), which a
 * quoted local part may contain; len when there is none.
 */
static size_t
smtp_path_end(const char *s, size_t len)
{
	size_t end;
	int quoted = 0;

	for (end = 1; end < len; end++) {
		if (quoted && s[end] == '\\' && end + 1 < len)
			end++;
		else if (s[end] == '"')
			quoted = !quoted;
		else if (s[end] == '>' && !quoted)
			break;
	}
	return end;
}

/*
 * The path of MAIL or RCPT: s points at "<"; on success the mailbox
 * (source route dropped) is copied to cmd->arg and *used says how far
 * the path went.
 */
static int
smtp_cmd_path(const char *s, size_t len, int utf8, int is_mail,
    struct smtp_cmd *cmd, size_t *used, const char **reply)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *bad = is_mail ? "501 5.1.7 Bad sender address syntax" :
	    "501 5.1.3 Bad recipient address syntax";
	size_t i = 1, n, end, mstart;

	if (len == 0 || s[0] != '<')
		return smtp_cmd_error(reply, is_mail ?
		    "501 5.5.4 Syntax: MAIL FROM:<address>" :
		    "501 5.5.4 Syntax: RCPT TO:<address>");
	end = smtp_path_end(s, len);
	if (end >= len)
		return smtp_cmd_error(reply, bad);
	if (end + 1 > SMTP_PATH_MAX)
		return smtp_cmd_error(reply, is_mail ?
		    "501 5.1.7 Sender address too long" :
		    "501 5.1.3 Recipient address too long");
	*used = end + 1;
	/* A-d-l ":" : a source route, accepted and ignored (4.1.1.3). */
	if (u[1] == '@') {
		for (;;) {
			i++;
			if ((n = smtp_host_len(u + i, end - i, utf8)) == 0)
				return smtp_cmd_error(reply, bad);
			i += n;
			if (i < end && s[i] == ',' && i + 1 < end && s[i + 1] == '@')
				i++;
			else if (i < end && s[i] == ':')
				break;
			else
				return smtp_cmd_error(reply, bad);
		}
		i++;
	}
	mstart = i;
	if (end == mstart) {
		if (!is_mail || mstart != 1)
			return smtp_cmd_error(reply, bad);
		cmd->arg[0] = '\0';
		return 0;
	}
	if (!utf8 && smtp_has_8bit(s + mstart, end - mstart))
		return smtp_cmd_error(reply,
		    "553 5.6.7 Non-ASCII address requires SMTPUTF8");
	if (!is_mail && end - mstart == 10 &&
	    strncasecmp(s + mstart, "Postmaster", 10) == 0) {
		memcpy(cmd->arg, s + mstart, 10);
		cmd->arg[10] = '\0';
		return 0;
	}
	if (!smtp_path_valid(s + mstart, end - mstart, utf8))
		return smtp_cmd_error(reply, bad);
	memcpy(cmd->arg, s + mstart, end - mstart);
	cmd->arg[end - mstart] = '\0';
	return 0;
}

/* One ESMTP parameter of MAIL: keyword[=value]. */
static int
smtp_cmd_param(const char *p, size_t len, struct smtp_cmd *cmd,
    const char **reply)
{
	const char *eq = memchr(p, '=', len);
	size_t klen = eq ? (size_t)(eq - p) : len, vlen, i;
	const char *v = eq ? eq + 1 : NULL;
	unsigned long long size = 0;

	vlen = eq ? len - klen - 1 : 0;
	if (klen == 0)
		return smtp_cmd_error(reply, "501 5.5.4 Bad parameter syntax");
	for (i = 0; i < klen; i++)
		if (!ascii_is_alpha((unsigned char)p[i]) &&
		    !ascii_is_digit((unsigned char)p[i]) &&
		    (i == 0 || p[i] != '-'))
			return smtp_cmd_error(reply,
			    "501 5.5.4 Bad parameter syntax");
	if (eq != NULL) {
		if (vlen == 0)
			return smtp_cmd_error(reply,
			    "501 5.5.4 Bad parameter syntax");
		for (i = 0; i < vlen; i++)
			if (v[i] < 33 || v[i] > 126 || v[i] == '=')
				return smtp_cmd_error(reply,
				    "501 5.5.4 Bad parameter syntax");
	}
	if (klen == 4 && strncasecmp(p, "SIZE", 4) == 0) {
		if (v == NULL || vlen > 20)
			return smtp_cmd_error(reply,
			    "501 5.5.4 Bad SIZE parameter");
		for (i = 0; i < vlen; i++) {
			if (!ascii_is_digit((unsigned char)v[i]) ||
			    size > (~0ULL - 9) / 10)
				return smtp_cmd_error(reply,
				    "501 5.5.4 Bad SIZE parameter");
			size = size * 10 + (unsigned)(v[i] - '0');
		}
		cmd->size = size;
		cmd->has_size = 1;
	} else if (klen == 4 && strncasecmp(p, "BODY", 4) == 0) {
		if (v != NULL && vlen == 4 && strncasecmp(v, "7BIT", 4) == 0)
			cmd->body_8bit = 0;
		else if (v != NULL && vlen == 8 &&
		    strncasecmp(v, "8BITMIME", 8) == 0)
			cmd->body_8bit = 1;
		else
			return smtp_cmd_error(reply,
			    "501 5.5.4 Bad BODY parameter: use 7BIT or 8BITMIME");
	} else if (klen == 8 && strncasecmp(p, "SMTPUTF8", 8) == 0) {
		if (v != NULL)
			return smtp_cmd_error(reply,
			    "501 5.5.4 SMTPUTF8 takes no value");
		cmd->smtputf8 = 1;
	} else {
		return smtp_cmd_fail(cmd, reply,
		    "555 5.5.4 Unsupported option: ", p, len);
	}
	return 0;
}

/* MAIL FROM:<path> [SP params] or RCPT TO:<path>. */
static int
smtp_cmd_mailrcpt(const char *s, size_t len, int flags, struct smtp_cmd *cmd,
    const char **reply)
{
	int is_mail = cmd->verb == SMTP_MAIL;
	const char *kw = is_mail ? "FROM:" : "TO:";
	size_t kwlen = strlen(kw), i, used, start;
	int utf8 = 0;

	if (len < kwlen || strncasecmp(s, kw, kwlen) != 0)
		return smtp_cmd_error(reply, is_mail ?
		    "501 5.5.4 Syntax: MAIL FROM:<address>" :
		    "501 5.5.4 Syntax: RCPT TO:<address>");
	for (i = kwlen; i < len && s[i] == ' '; i++)
		;
	/* Parameters first: SMTPUTF8 decides what the path may hold. */
	if (i < len && s[i] == '<') {
		const char *gt = s + i + smtp_path_end(s + i, len - i);
		size_t j;

		for (j = (size_t)(gt - s) + 1; j < len; ) {
			if (s[j] != ' ')
				return smtp_cmd_error(reply, is_mail ?
				    "501 5.5.4 Syntax: MAIL FROM:<address> [parameters]" :
				    "501 5.5.4 Syntax: RCPT TO:<address>");
			while (j < len && s[j] == ' ')
				j++;
			if (j >= len)
				break;
			start = j;
			while (j < len && s[j] != ' ')
				j++;
			if (!is_mail)
				return smtp_cmd_fail(cmd, reply,
				    "555 5.5.4 Unsupported option: ",
				    s + start, j - start);
			if (smtp_cmd_param(s + start, j - start, cmd, reply) < 0)
				return -1;
		}
	}
	utf8 = is_mail ? cmd->smtputf8 : (flags & SMTP_CMD_UTF8) != 0;
	return smtp_cmd_path(s + i, len - i, utf8, is_mail, cmd, &used, reply);
}

/* EHLO and HELO: a domain or an address literal; "_" is tolerated. */
static int
smtp_cmd_helo(const char *s, size_t len, struct smtp_cmd *cmd,
    const char **reply)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n;

	for (n = 0; n < len && s[n] != ' '; n++)
		;
	if (n == 0)
		return smtp_cmd_error(reply, cmd->verb == SMTP_EHLO ?
		    "501 5.5.4 Syntax: EHLO hostname" :
		    "501 5.5.4 Syntax: HELO hostname");
	if (n > SMTP_DOMAIN_MAX)
		return smtp_cmd_error(reply, "501 5.5.2 Invalid hostname: too long");
	if (u[0] == '[') {
		if (smtp_host_len(u, n, 0) != n)
			return smtp_cmd_fail(cmd, reply,
			    "501 5.5.2 Invalid address literal: ", s, n);
	} else {
		for (i = 0; i < n; ) {
			if (u[i] >= 0x80) {
				size_t k = smtp_utf8_len(u + i, n - i);

				if (k == 0)
					return smtp_cmd_fail(cmd, reply,
					    "501 5.5.2 Invalid hostname: ", s, n);
				i += k;
			} else if (ascii_is_alnum(u[i]) || u[i] == '-' ||
			    u[i] == '.' || u[i] == '_') {
				i++;
			} else {
				return smtp_cmd_fail(cmd, reply,
				    "501 5.5.2 Invalid hostname: ", s, n);
			}
		}
	}
	memcpy(cmd->arg, s, n);
	cmd->arg[n] = '\0';
	return 0;
}

int
smtp_cmd_parse(const char *line, size_t len, int flags, struct smtp_cmd *cmd,
    const char **reply)
{
	size_t vlen, i;
	const char *rest;
	size_t rlen;

	memset(cmd, 0, offsetof(struct smtp_cmd, reply));
	cmd->reply[0] = '\0';
	cmd->verb = SMTP_UNKNOWN;
	if (len > SMTP_LINE_MAX - 2)
		return smtp_cmd_error(reply, "500 5.5.2 Error: line too long");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 32 && c != '\t') || c == 127)
			return smtp_cmd_error(reply,
			    "500 5.5.2 Error: bad character in command");
	}
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	for (vlen = 0; vlen < len && line[vlen] != ' '; vlen++)
		;
	for (i = 0; smtp_verbs[i].name != NULL; i++)
		if (strlen(smtp_verbs[i].name) == vlen &&
		    strncasecmp(line, smtp_verbs[i].name, vlen) == 0)
			break;
	cmd->verb = smtp_verbs[i].verb;
	if (cmd->verb == SMTP_UNKNOWN)
		return smtp_cmd_error(reply,
		    "500 5.5.2 Error: command not recognized");
	rest = line + vlen;
	rlen = len - vlen;
	if (rlen > 0) {		/* the single space after the verb */
		rest++;
		rlen--;
	}
	switch (cmd->verb) {
	case SMTP_EHLO:
	case SMTP_HELO:
		return smtp_cmd_helo(rest, rlen, cmd, reply);
	case SMTP_MAIL:
	case SMTP_RCPT:
		return smtp_cmd_mailrcpt(rest, rlen, flags, cmd, reply);
	case SMTP_VRFY:
		if (rlen == 0)
			return smtp_cmd_error(reply,
			    "501 5.5.4 Syntax: VRFY address");
		/* FALLTHROUGH */
	case SMTP_NOOP:
	case SMTP_HELP:
		memcpy(cmd->arg, rest, rlen);
		cmd->arg[rlen] = '\0';
		return 0;
	case SMTP_DATA:
	case SMTP_RSET:
	case SMTP_QUIT:
	case SMTP_STARTTLS:
		if (rlen > 0) {
			snprintf(cmd->reply, sizeof(cmd->reply),
			    "501 5.5.4 Syntax: %s (no argument)",
			    smtp_verb_name(cmd->verb));
			return smtp_cmd_error(reply, cmd->reply);
		}
		return 0;
	default:
		break;
	}
	return smtp_cmd_error(reply, "500 5.5.2 Error: command not recognized");
}
