/*
 * cert - "stsctl cert": the certificates that acmed keeps.
 *
 * SYNOPSIS
 *	cert_main(argc, argv)	argv[0] is "cert"
 *
 * DESCRIPTION
 *	stsctl cert list [--json]: one line per policy host from acmed's
 *	state file $data_directory/acme/state.json (read only): host,
 *	issuer, not-after (UTC), state, last error.
 *	stsctl cert renew HOST: asks acmed over public/acmed to renew the
 *	certificate of HOST now, and waits for the outcome.
 */
#ifndef STSCTL_CERT_H
#define STSCTL_CERT_H

int	cert_main(int argc, char **argv);

#endif
