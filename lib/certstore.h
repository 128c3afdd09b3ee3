/*
 * certstore - where the certificates of the hosted hosts live, and how
 * healthy each is.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	char *dir = certstore_dir();	$queue_directory/certs (xmalloc'd)
 *	certstore_leaf_read(dir, host, &leaf, &err)	0, or -1 with err
 *	certstore_health(not_after, now, warning)	ok, warning, expired
 *	certstore_health_name(h)	"ok", "warning", "expired"
 *	certstore_host_ok(host)		a name that is safe as a directory
 *
 * DESCRIPTION
 *	A host's certificate is CERTSTORE_DIR/HOST/CERTSTORE_CHAIN (the
 *	leaf first, then its chain) and CERTSTORE_DIR/HOST/CERTSTORE_KEY
 *	(mode 0600, owner mail_owner), the names certbot uses.  The
 *	directory is under queue_directory, inside the chroot of httpd,
 *	which opens it after the chroot and holds no descriptor of
 *	anything outside; acmed writes it, an operator installs by hand
 *	there.  Every program finds it with certstore_dir(); the layout
 *	is this module's, not each program's.
 *
 *	certstore_leaf_read() reads the first certificate of HOST's chain
 *	and gives its validity, issuer and whether it names host (RFC
 *	6125 DNS-ID).  It does not need the key.
 *
 *	certstore_health() says what cert_warning_time makes of a
 *	certificate that is valid until not_after: expired once
 *	not_after is past, warning when less than warning seconds are
 *	left, ok otherwise.
 *
 * LIMITS
 *	CERTSTORE_FILE_MAX bytes per file read.
 *
 * DIAGNOSTICS
 *	certstore_leaf_read() names the file and the cause in err.
 */
#ifndef STS_CERTSTORE_H
#define STS_CERTSTORE_H

#include "buf.h"

#define CERTSTORE_DIR		"certs"		/* under queue_directory */
#define CERTSTORE_CHAIN		"fullchain.pem"
#define CERTSTORE_KEY		"privkey.pem"
#define CERTSTORE_FILE_MAX	(1024 * 1024)
#define CERTSTORE_ISSUER_MAX	256

enum certstore_health {
	CERTSTORE_OK,
	CERTSTORE_WARNING,	/* expires within cert_warning_time */
	CERTSTORE_EXPIRED,
};

struct certstore_leaf {
	long long not_before;	/* epoch seconds */
	long long not_after;
	char	 issuer[CERTSTORE_ISSUER_MAX];
	int	 names_host;
};

char	*certstore_dir(void);
int	certstore_host_ok(const char *host);
int	certstore_leaf_read(const char *dir, const char *host,
	    struct certstore_leaf *, struct buf *err);
enum certstore_health certstore_health(long long not_after, long long now,
	    long long warning);
const char *certstore_health_name(enum certstore_health);

#endif
