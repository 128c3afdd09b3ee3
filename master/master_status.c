/*
 * master_status - the services file: what master runs, for "stsd status".
 * SPDX-License-Identifier: ISC
 *
 * $queue_directory/pid/services is rewritten (a temporary file, then
 * rename) whenever a process starts or exits or a service is throttled,
 * one line per process:
 *
 *	SERVICE TYPE PID STATE STARTED_EPOCH RESTARTS
 *
 * STATE is "running", or "throttled" on the one extra line (PID 0,
 * STARTED_EPOCH: when throttling began) of a service that waits before
 * its next restart.  RESTARTS counts the processes that master started
 * again for the service since the service was started.  The file is
 * removed when master stops.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "mymalloc.h"

static void
master_status_service(FILE *fp, const struct master_service *svc)
{
	const char *type = mastercf_type_name(svc->type);
	const struct master_proc *p;

	for (p = svc->procs; p != NULL; p = p->next)
		fprintf(fp, "%s %s %ld running %lld %d\n", svc->name, type,
		    (long)p->pid, (long long)p->started, svc->restarts);
	if (svc->throttled)
		fprintf(fp, "%s %s 0 throttled %lld %d\n", svc->name, type,
		    (long long)svc->throttled_since, svc->restarts);
}

void
master_status_write(void)
{
	const struct master_service *svc;
	char *path, *tmp;
	FILE *fp;

	path = xasprintf("%s/%s", master.queue_dir, MASTER_SERVICES_FILE);
	tmp = xasprintf("%s.tmp", path);
	if ((fp = fopen(tmp, "we")) == NULL) {
		log_warn("%s: %s", tmp, strerror(errno));
		goto out;
	}
	for (svc = master.services; svc != NULL; svc = svc->next)
		if (svc->conf != NULL)
			master_status_service(fp, svc);
	if (fclose(fp) != 0) {
		log_warn("%s: write: %s", tmp, strerror(errno));
		(void)unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		log_warn("rename %s to %s: %s", tmp, path, strerror(errno));
		(void)unlink(tmp);
	}
out:
	free(tmp);
	free(path);
}

void
master_status_remove(void)
{
	char *path;

	path = xasprintf("%s/%s", master.queue_dir, MASTER_SERVICES_FILE);
	if (unlink(path) != 0 && errno != ENOENT)
		log_warn("%s: remove: %s", path, strerror(errno));
	free(path);
}
