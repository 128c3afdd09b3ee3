/*
 * migrate.h - "stsctl domain migrate": a safe change of MX hosts.
 * SPDX-License-Identifier: ISC
 *
 *	migrate_main(argc, argv)	argv[0] is "migrate"; returns the
 *					exit status (errors exit through
 *					stsctl_die)
 *	migrate_print(fp, plan)		the "migration" of domain-show, as
 *					lines of "domain show"
 */
#ifndef STSCTL_MIGRATE_H
#define STSCTL_MIGRATE_H

#include <stdio.h>

#include <jansson.h>

int	migrate_main(int argc, char **argv);
void	migrate_print(FILE *, json_t *plan);

#endif
