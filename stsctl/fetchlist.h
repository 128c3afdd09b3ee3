/*
 * fetchlist - "stsctl fetch list": what httpd saw of policy fetches and
 * failed TLS handshakes (fetches.db).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsctl fetch list DOMAIN [--since DATE] [--limit N] [--json]
 *
 * DESCRIPTION
 *	Reads $data_directory/fetches.db read-only (lib/fetchdb), which
 *	rptparse writes from httpd's records.  Lists the records of
 *	DOMAIN (SNI mta-sts.DOMAIN, served or not), newest first: time,
 *	client address, SNI, the HTTP status or the TLS failure, TLS
 *	version, duration in milliseconds, Host and path.  Text output
 *	escapes SNI, Host and path (lib/esc esc_text).  DATE is
 *	YYYY-MM-DD or an RFC 3339 date-time.
 *
 * LIMITS
 *	--limit: 1 to FETCH_LIST_MAX rows, FETCH_LIST_DEFAULT by default;
 *	the text says how many more there are.
 *
 * DIAGNOSTICS
 *	"stsctl: ..." on stderr and exit 1: a bad argument, fetches.db
 *	missing or of another schema version.
 */
#ifndef STS_STSCTL_FETCHLIST_H
#define STS_STSCTL_FETCHLIST_H

#define FETCH_LIST_DEFAULT	100
#define FETCH_LIST_MAX		100000

int	fetch_main(int argc, char **argv);

#endif
