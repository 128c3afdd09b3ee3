/*
 * master_reload - SIGHUP: read main.cf and master.cf again and bring
 * the running services in line with them, as "postfix reload" does.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	master_reload_snapshot()	remember main.cf as the services read it
 *	master_reload()			the SIGHUP handler's work
 *
 * DESCRIPTION
 *	Both files are read and checked first, as "stsd reload" checks
 *	them before it signals: main.cf against the rules of the parameter
 *	table (cfg), its users and groups (cfg_check_host), then master.cf,
 *	whose -o overrides are checked against the new main.cf.  If
 *	anything is refused, the error is logged and nothing changes: every
 *	process keeps running with the configuration it read, and master
 *	goes back to the parameters it ran with (cfg_save/cfg_restore).
 *
 *	Then, by service name and type: a service whose master.cf line
 *	(every column and argument) is unchanged keeps running with the same
 *	processes, unless main.cf changed; a changed one is retired and
 *	started again, keeping its sockets when its address and privacy did
 *	not change (no connection is refused: new ones wait in the listen
 *	queue) and binding new ones otherwise; a removed one is retired; a
 *	new one is started.  A new service whose sockets cannot be bound is
 *	logged and left out.
 *
 *	"main.cf changed" compares the parameter table as cfg sees it: the
 *	expanded value of every parameter of params.h, as the workers get
 *	it from lib/cfgdump (cfg_dump), and of every other name main.cf sets (a master.cf
 *	"-o name=$other" may use it).  That is what a daemon can act on, so
 *	an edit of comments, a reordering, or a parameter spelled
 *	differently with the same value restarts nothing, while a change
 *	that only shows through $name expansion, a default that changed
 *	with the host (myhostname) or a new daemon_directory does.  A
 *	digest of the file would restart everything for a comment and miss
 *	the host name.  The config directory is master's -c, the same for
 *	every reload; -o overrides are part of the master.cf line.  When
 *	main.cf changed, every running service is restarted as if its
 *	master.cf line had changed, with one log line each.
 *
 *	A restarted service's new processes start only once every process
 *	of the retired one has exited (master_service_run() waits while
 *	a service of the same name and type has processes): two
 *	generations of a daemon never run side by side, so a daemon that
 *	must be alone (dnsmon and its lock, policyd, the one writer of
 *	policy.db) is never refused at start, and the kept listening
 *	sockets hold what arrives meanwhile.  The wait is the time the old
 *	processes take to exit on SIGTERM, at most MASTER_STOP_GRACE
 *	seconds, after which they are killed.
 *
 * LIMITS
 *	queue_directory is where master keeps its pid file and binds the
 *	unix sockets: a new value is logged and takes effect at the next
 *	start of master.  Sockets that are kept keep their owner and mode.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfgdump.h"
#include "log.h"
#include "master.h"
#include "mymalloc.h"

void
master_reload_snapshot(void)
{
	free(master.params);
	master.params = cfg_dump();
}

static void
master_reload_start(const struct mastercf_service *conf,
    struct master_service *from)
{
	struct master_service *svc;
	struct buf err = BUF_INIT;

	if ((svc = master_service_new(conf, from, &err)) == NULL)
		log_error("reload: %s: service %s not started", err.s, conf->name);
	else
		master_service_run(svc);
	buf_free(&err);
}

/* Retires svc and starts it again with conf; why goes to the log. */
static void
master_reload_restart(struct master_service *svc,
    const struct mastercf_service *conf, const char *why)
{
	log_info("service %s: %s: restarting", svc->name, why);
	if (mastercf_same_address(svc->conf, conf)) {
		master_reload_start(conf, svc);
		master_service_retire(svc);
	} else {
		master_service_retire(svc);
		master_reload_start(conf, NULL);
	}
}

/*
 * Reads main.cf, checks its users, then reads master.cf against it; on
 * error the running parameters are current again.
 */
static int
master_reload_read(struct mastercf **table, struct buf *err)
{
	struct cfg *running = cfg_save();
	char *path = xasprintf("%s/master.cf", master.config_dir);
	int rc = -1;

	if (cfg_read(master.config_dir, err) == 0 && cfg_check_host(err) == 0 &&
	    mastercf_read(path, 0, table, err) == 0)
		rc = 0;
	if (rc == 0)
		cfg_forget(running);
	else
		cfg_restore(running);
	free(path);
	return rc;
}

/* Logs what only a new start of master applies. */
static void
master_reload_config(void)
{
	char *maillog;

	if (strcmp(var_queue_directory, master.queue_dir) != 0)
		log_warn("reload: queue_directory %s: master keeps %s until it "
		    "is stopped and started", var_queue_directory,
		    master.queue_dir);
	maillog = xstrdup(var_maillog_file);
	if (*maillog != '\0' && log_open_file(maillog) != 0)
		log_error("maillog_file %s: cannot open", maillog);
	free(maillog);
}

void
master_reload(void)
{
	struct buf err = BUF_INIT;
	struct mastercf *table;
	struct master_service *svc, *next;
	const struct mastercf_service *conf;
	char *params, *used;
	int i, main_changed;

	if (master_reload_read(&table, &err) != 0) {
		log_error("reload: %s; keeping the running configuration", err.s);
		goto out;
	}
	master_reload_config();
	params = cfg_dump();
	main_changed = master.params == NULL ||
	    strcmp(params, master.params) != 0;
	free(master.params);
	master.params = params;

	used = xcalloc(table->nservices + 1, 1);
	for (svc = master.services; svc != NULL; svc = next) {
		next = svc->next;
		if (svc->conf == NULL)
			continue;
		conf = mastercf_find(table, svc->name, svc->type);
		if (conf == NULL) {
			master_service_retire(svc);
			continue;
		}
		used[conf - table->services] = 1;
		if (!mastercf_same(svc->conf, conf))
			master_reload_restart(svc, conf, "master.cf line changed");
		else if (main_changed)
			master_reload_restart(svc, conf, "main.cf changed");
		else
			svc->conf = conf;
	}
	for (i = 0; i < table->nservices; i++)
		if (!used[i])
			master_reload_start(&table->services[i], NULL);
	free(used);
	mastercf_free(master.table);
	master.table = table;
	master_status_write();
	log_info("reload: configuration %s reloaded%s", master.config_dir,
	    main_changed ? "" : " (main.cf unchanged)");
out:
	buf_free(&err);
}
