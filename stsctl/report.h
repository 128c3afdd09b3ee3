/*
 * report.h - "stsctl report ...": the stored TLS reports.
 * SPDX-License-Identifier: ISC
 *
 *	report_main(argc, argv)	argv[0] is "report"; returns the exit
 *				status (errors exit through stsctl_die).
 */
#ifndef STSCTL_REPORT_H
#define STSCTL_REPORT_H

int	report_main(int argc, char **argv);

#endif
