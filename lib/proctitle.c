/*
 * proctitle - the name under which a process of stsd shows in ps; see
 * proctitle.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "log.h"
#include "mymalloc.h"
#include "proctitle.h"

static const char *
proctitle_base(const char *command)
{
	const char *slash = strrchr(command, '/');

	return slash != NULL ? slash + 1 : command;
}

char *
proctitle_name(const char *command)
{
	return xasprintf("%s%s", PROCTITLE_PREFIX, proctitle_base(command));
}

void
proctitle_set(const char *program)
{
#ifdef PR_SET_NAME
	char comm[PROCTITLE_COMM_MAX + 1];

	/* The kernel cuts at 15 bytes itself; cutting here keeps the
	 * name the same on every kernel. */
	snprintf(comm, sizeof(comm), "%s%s", PROCTITLE_PREFIX,
	    proctitle_base(program));
	if (prctl(PR_SET_NAME, comm, 0, 0, 0) != 0)
		log_warn("process name %s: %s", comm, strerror(errno));
#else
	(void)program;
#endif
}
