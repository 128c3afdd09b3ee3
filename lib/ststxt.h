/*
 * ststxt - the DNS TXT records of MTA-STS and TLS-RPT.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	ststxt_is_sts(txt, len)		1: an MTA-STS record (valid or not)
 *	ststxt_sts_parse(txt, len, &r, &err)	"v=STSv1; id=...;"
 *	ststxt_sts_render(r, &out)
 *	ststxt_sts_free(r)
 *
 *	ststxt_is_tlsrpt(txt, len)	1: a TLS-RPT record (valid or not)
 *	ststxt_tlsrpt_parse(txt, len, &r, &err)	"v=TLSRPTv1; rua=...;"
 *	ststxt_tlsrpt_render(r, &out)
 *	ststxt_tlsrpt_free(r)
 *
 *	ststxt_rua_make(addrs, https_path, domain, &err)	our rua for domain
 *	ststxt_rua_for(domain, &err)	the same, from main.cf
 *
 *	ststxt_name_valid(s, len)	1: an extension NAME (policies too)
 *	ststxt_free_exts(ext, n)	frees n extension fields (of a
 *					record or a policy, lib/policy)
 *
 * DESCRIPTION
 *	The input is the text of one TXT record, its character-strings
 *	already joined, and need not be NUL-terminated.  Nothing here does
 *	I/O.
 *
 *	ststxt_sts_parse() follows the ABNF of RFC 8461 section 3.1:
 *	"v=STSv1" first, then fields separated by ";" with optional white
 *	space (SP or TAB) around it, an optional ";" at the end; exactly
 *	one "id=" field of 1 to STSTXT_ID_MAX letters and digits; other
 *	fields are extensions NAME=VALUE (NAME: a letter or digit then up
 *	to 31 letters, digits, "_", "-", "."; VALUE: visible characters
 *	except "=" and ";"), kept in order.  Field names are case-sensitive.
 *
 *	ststxt_tlsrpt_parse() follows RFC 8460 section 3: "v=TLSRPTv1",
 *	then fields as above; exactly one "rua=" field holding one or more
 *	URIs separated by "," (white space allowed around the commas).  A
 *	URI has a scheme (a letter, then letters, digits, "+", "-", ".")
 *	and ":", and only the characters RFC 3986 allows, "%" followed by
 *	two hex digits, and neither "," nor "!" (RFC 8460: they must be
 *	percent-encoded).  mailto: URIs need an address with "@" and
 *	https: URIs a host ("https://HOST..."); other schemes are accepted
 *	as the grammar says and marked STSTXT_URI_OTHER, since senders
 *	only use mailto and https.
 *
 *	ststxt_name_valid() is that NAME rule, which RFC 8461 section 3.2
 *	also gives the extension keys of a policy file (lib/policy).
 *
 *	ststxt_is_sts() and ststxt_is_tlsrpt() tell a record of that kind
 *	from another TXT record at the same name, for the "exactly one
 *	record" rule of both RFCs: a record is of the kind when it starts
 *	with "v=STSv1" (or "v=TLSRPTv1") followed by ";", white space or
 *	its end.  Such a record may still be invalid: parse it.  (The RFCs
 *	say "records that do not begin with v=STSv1;" are discarded; the
 *	rule here also counts "v=STSv1 ;" which the ABNF allows.)
 *
 *	The render functions write the canonical form, "v=STSv1; id=ID;"
 *	and "v=TLSRPTv1; rua=URI,URI;" followed by " NAME=VALUE;" for each
 *	extension; parsing it gives the same record.
 *
 *	ststxt_rua_make() is the one rule for the rua that this service
 *	asks senders to use for a hosted domain (what policyd publishes
 *	and dnsmon expects): "mailto:ADDR" for each address of addrs
 *	(report_recipients; patterns with "*" and words without "@" are
 *	skipped: they cannot be mailed to), in order, then, when
 *	https_path is neither NULL nor empty, "https://mta-sts.DOMAIN"
 *	followed by https_path (where httpd takes POSTed reports), all
 *	joined by ",".  Every URI must be valid as ststxt_tlsrpt_parse()
 *	sees it.  The result is xmalloc'd, without "v=TLSRPTv1; rua=".
 *	ststxt_rua_for() takes addrs from report_recipients and
 *	https_path from report_https_path when report_https_rua is yes.
 *
 * DIAGNOSTICS
 *	The parse functions return 0, or -1 with one line in err naming
 *	the field and the cause, e.g. 'id "abc-1": must be 1 to 32 letters
 *	and digits' or 'rua URI "mailto:a!b@example.com": "!" must be
 *	percent-encoded'.  ststxt_rua_make() returns NULL with the cause
 *	in err when it has no URI at all ('parameter report_recipients: no
 *	address without a wildcard to publish as rua'), when https_path
 *	does not start with "/", or when a URI would be invalid
 *	('parameter report_https_path: rua URI "https://...": ...').
 *
 * LIMITS
 *	STSTXT_SIZE_MAX bytes per record.
 */
#ifndef STS_STSTXT_H
#define STS_STSTXT_H

#include <stddef.h>

#include "buf.h"

#define STSTXT_SIZE_MAX		(64 * 1024)	/* bytes of one record */
#define STSTXT_ID_MAX		32		/* RFC 8461: 1*32(ALPHA / DIGIT) */
#define STSTXT_EXT_NAME_MAX	32		/* characters of a field name */

/* An extension field, of a record or of a policy (lib/policy). */
struct ststxt_ext {
	char	*name;		/* as written */
	char	*value;		/* white space around removed */
};

struct ststxt_sts {
	char	 id[STSTXT_ID_MAX + 1];
	struct ststxt_ext *ext;		/* next extension fields, in order */
	size_t	 next;
};

enum ststxt_uri_scheme {
	STSTXT_URI_MAILTO,
	STSTXT_URI_HTTPS,
	STSTXT_URI_OTHER,
};

struct ststxt_uri {
	char	*uri;			/* as written */
	enum ststxt_uri_scheme scheme;
};

struct ststxt_tlsrpt {
	struct ststxt_uri *rua;		/* nrua >= 1 URIs, in order */
	size_t	 nrua;
	struct ststxt_ext *ext;
	size_t	 next;
};

int	ststxt_name_valid(const char *s, size_t len);
void	ststxt_free_exts(struct ststxt_ext *, size_t n);
int	ststxt_is_sts(const char *txt, size_t len);
int	ststxt_sts_parse(const char *txt, size_t len, struct ststxt_sts **out,
	    struct buf *err);
void	ststxt_sts_render(const struct ststxt_sts *, struct buf *out);
void	ststxt_sts_free(struct ststxt_sts *);

int	ststxt_is_tlsrpt(const char *txt, size_t len);
int	ststxt_tlsrpt_parse(const char *txt, size_t len,
	    struct ststxt_tlsrpt **out, struct buf *err);
void	ststxt_tlsrpt_render(const struct ststxt_tlsrpt *, struct buf *out);
void	ststxt_tlsrpt_free(struct ststxt_tlsrpt *);

char	*ststxt_rua_make(char *const *addrs, const char *https_path,
	    const char *domain, struct buf *err);
char	*ststxt_rua_for(const char *domain, struct buf *err);

#endif
