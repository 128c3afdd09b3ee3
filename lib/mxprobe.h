/*
 * mxprobe - one SMTP STARTTLS probe of an MX host.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	probe_mx(host, port, ehlo_name, timeout_ms, ca_file, &p)
 *	probe_result_name(p.result)	"certificate-expired", ...
 *
 * DESCRIPTION
 *	Connects to host:port (every address until one answers), reads
 *	the greeting, sends EHLO, looks for STARTTLS, sends it, does the
 *	TLS handshake (TLS 1.2 or later would be expected by senders; the
 *	version is reported), checks the chain against ca_file (or the
 *	system CAs when ca_file is NULL or ""), the name with RFC 6125
 *	rules including wildcards (X509_check_host), and the days until
 *	the certificate expires, then says QUIT.  Every step (connect,
 *	each reply, the handshake) has timeout_ms in all, however slowly
 *	the server sends its bytes.  Results use the
 *	result-type names of RFC 8460 where they fit.
 *
 * LIMITS
 *	PROBE_REPLY_MAX bytes of one SMTP reply (all its lines).
 */
#ifndef STS_MXPROBE_H
#define STS_MXPROBE_H

#include <limits.h>

#define PROBE_REPLY_MAX		(16 * 1024)
#define PROBE_TEXT_MAX		512
#define PROBE_DAYS_UNKNOWN	INT_MIN

enum probe_result {
	PROBE_OK,
	PROBE_STARTTLS_NOT_SUPPORTED,
	PROBE_CERT_EXPIRED,
	PROBE_HOST_MISMATCH,
	PROBE_VALIDATION_FAILURE,
	PROBE_HANDSHAKE_FAILURE,
	PROBE_CONNECT_FAILURE,	/* no SMTP session (not an RFC 8460 type) */
};

struct probe {
	enum probe_result result;
	char	tls_version[16];	/* "TLSv1.3", or "" */
	int	days_left;		/* PROBE_DAYS_UNKNOWN without a cert */
	char	names[PROBE_TEXT_MAX];	/* names in the certificate */
	char	detail[PROBE_TEXT_MAX];	/* what happened, for people */
};

void	probe_mx(const char *host, int port, const char *ehlo_name,
	    int timeout_ms, const char *ca_file, struct probe *);
const char *probe_result_name(enum probe_result);

#endif
