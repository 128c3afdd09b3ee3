/*
 * queue.h - "stsctl queue ...": the spool of received reports.
 * SPDX-License-Identifier: ISC
 *
 *	queue_main(argc, argv)	argv[0] is "queue"; returns the exit
 *				status (errors exit through stsctl_die).
 */
#ifndef STSCTL_QUEUE_H
#define STSCTL_QUEUE_H

int	queue_main(int argc, char **argv);

#endif
