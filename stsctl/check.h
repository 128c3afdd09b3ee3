/*
 * check.h - "stsctl check DOMAIN [--json]": every check of dnsmon, now.
 * SPDX-License-Identifier: ISC
 */
#ifndef STSCTL_CHECK_H
#define STSCTL_CHECK_H

int	check_main(int argc, char **argv);	/* argv[0] is "check" */

#endif
