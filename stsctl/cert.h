/*
 * cert - "stsctl cert": the certificates that acmed keeps.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	cert_main(argc, argv)	argv[0] is "cert"
 *
 * DESCRIPTION
 *	stsctl cert list [--json]: one line per policy host from acmed's
 *	state file and the certificate store $queue_directory/certs
 *	(lib/certstore.h; read only): host,
 *	issuer, not-after (UTC), state (acmed's, or "operator" for one
 *	installed by hand), health (ok, warning: expires within
 *	cert_warning_time, expired), last error.  A warning or an
 *	expired certificate is also said on stderr, and an expired one
 *	makes the exit status 1.
 *	stsctl cert renew HOST: asks acmed over public/acmed to renew the
 *	certificate of HOST now, and waits for the outcome.
 */
#ifndef STSCTL_CERT_H
#define STSCTL_CERT_H

int	cert_main(int argc, char **argv);

#endif
