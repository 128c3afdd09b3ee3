/*
 * master_reload - SIGHUP: read main.cf and master.cf again and bring
 * the running services in line with them.
 *
 * Both files are parsed first; if either is bad, the error is logged
 * and nothing changes.  Then, by service name and type: a service whose
 * master.cf line (every column and argument) is unchanged keeps running
 * with the same processes; a changed one is retired and started again,
 * keeping its sockets when its address and privacy did not change and
 * binding new ones otherwise; a removed one is retired; a new one is
 * started.  A new service whose sockets cannot be bound is logged and
 * left out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "master.h"
#include "mymalloc.h"

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

void
master_reload(void)
{
	struct buf err = BUF_INIT;
	struct mastercf *table;
	struct master_service *svc, *next, *old;
	const struct mastercf_service *conf;
	char *path, *maillog;
	char *used;
	int i;

	path = xasprintf("%s/master.cf", master.config_dir);
	if (mastercf_read(path, 0, &table, &err) != 0) {
		log_error("reload: %s; keeping the running configuration", err.s);
		goto out;
	}
	if (cfg_read(master.config_dir, &err) != 0) {
		log_error("reload: %s; keeping the running configuration", err.s);
		mastercf_free(table);
		goto out;
	}
	maillog = xstrdup(cfg_str("maillog_file"));
	if (*maillog != '\0' && log_open_file(maillog) != 0)
		log_error("maillog_file %s: cannot open", maillog);
	free(maillog);

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
		if (mastercf_same(svc->conf, conf)) {
			svc->conf = conf;
			continue;
		}
		log_info("service %s: master.cf line changed: restarting",
		    svc->name);
		old = svc;
		if (mastercf_same_address(old->conf, conf)) {
			master_reload_start(conf, old);
			master_service_retire(old);
		} else {
			master_service_retire(old);
			master_reload_start(conf, NULL);
		}
	}
	for (i = 0; i < table->nservices; i++)
		if (!used[i])
			master_reload_start(&table->services[i], NULL);
	free(used);
	mastercf_free(master.table);
	master.table = table;
	master_status_write();
	log_info("reload: configuration %s reloaded", master.config_dir);
out:
	free(path);
	buf_free(&err);
}
