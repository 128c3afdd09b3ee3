/*
 * cfgbind_test - the variables of a bound table follow every change of
 * the configuration: read, override, save and restore, free.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "cfgbind.h"
#include "unit.h"

static struct {
	const char *zone;
	const char *timeout_text;
	long long timeout;
	int	 acme;
	unsigned long long limit;
	long long conns;
	char	**recipients;
} t;

static const struct cfg_bind test_params[] = {
	CFG_BIND_STR("sts_zone", &t.zone),
	CFG_BIND_STR("ipc_timeout", &t.timeout_text),
	CFG_BIND_TIME("ipc_timeout", &t.timeout),
	CFG_BIND_BOOL("acme_enabled", &t.acme),
	CFG_BIND_SIZE("message_size_limit", &t.limit),
	CFG_BIND_INT("httpd_connection_limit", &t.conns),
	CFG_BIND_LIST("report_recipients", &t.recipients),
	CFG_BIND_END
};
CFG_BIND_REGISTER(test_params)

static int
read_text(const char *text)
{
	struct buf err = BUF_INIT;
	int rc = cfg_read_buf("/etc/stsd/main.cf", text, strlen(text), &err);

	buf_free(&err);
	return rc;
}

/* A table that binds name as type makes the first load panic. */
static int
bad_table_dies(const char *name, enum param_type type)
{
	static long long v;
	static struct cfg_bind bad[2];
	pid_t pid;
	int status;

	bad[0].name = name;
	bad[0].type = type;
	bad[0].var = &v;
	if ((pid = fork()) == 0) {
		cfg_free();
		cfg_bind_register(bad);
		read_text("sts_zone = sts.example\n");
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 0;
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int
main(void)
{
	struct buf err = BUF_INIT;
	struct cfg *saved;

	CHECK(t.zone == NULL, "nothing is bound before a configuration");
	cfg_bind_now();
	CHECK(t.zone != NULL && strcmp(t.zone, "") == 0 && t.timeout == 30 &&
	    t.acme == 1 && t.limit == 10 * 1024 * 1024 && t.conns == 10000,
	    "cfg_bind_now binds the built-in defaults");
	CHECK(read_text("sts_zone = sts.example\nipc_timeout = 2m\n"
	    "acme_enabled = no\nmessage_size_limit = 2k\n"
	    "httpd_connection_limit = 7\n"
	    "report_recipients = a@x.example, b@y.example\n") == 0,
	    "main.cf read");
	CHECK(STR_EQ(t.zone, "sts.example"), "a string is bound");
	CHECK(STR_EQ(t.timeout_text, "2m"), "any parameter binds as its text");
	CHECK(t.timeout == 120, "a time is bound in seconds (%lld)", t.timeout);
	CHECK(t.acme == 0, "a boolean is bound as 0/1");
	CHECK(t.limit == 2048, "a size is bound in bytes (%llu)", t.limit);
	CHECK(t.conns == 7, "an integer is bound");
	CHECK(t.recipients != NULL && t.recipients[0] != NULL &&
	    strcmp(t.recipients[0], "a@x.example") == 0 &&
	    t.recipients[1] != NULL &&
	    strcmp(t.recipients[1], "b@y.example") == 0 &&
	    t.recipients[2] == NULL, "a list is bound, NULL-terminated");

	CHECK(cfg_override("httpd_connection_limit", "9", &err) == 0 &&
	    t.conns == 9, "an override rebinds");
	CHECK(STR_EQ(t.zone, "sts.example"), "the others keep their values");
	CHECK(cfg_check_override("httpd_connection_limit", "11", &err) == 0 &&
	    t.conns == 9, "a checked, undone override leaves the values");

	saved = cfg_save();
	CHECK(read_text("sts_zone = other.example\n") == 0 &&
	    strcmp(t.zone, "other.example") == 0 && t.timeout == 30,
	    "a new configuration read while one is saved is bound");
	cfg_restore(saved);
	CHECK(strcmp(t.zone, "sts.example") == 0 && t.conns == 9,
	    "restoring the saved configuration binds it again");

	CHECK(read_text("httpd_connection_limit = many\n") < 0 &&
	    t.conns == 9, "a main.cf that fails leaves the values bound");

	CHECK(cfg_bind_check(&err) == 0, "the table matches lib/params.c");
	cfg_free();
	CHECK(t.zone == NULL && t.recipients == NULL && t.conns == 0,
	    "cfg_free clears the variables");

	CHECK(bad_table_dies("no_such_parameter", PARAM_INT),
	    "a name lib/params.c does not declare is a bug at load");
	CHECK(bad_table_dies("sts_zone", PARAM_TIME),
	    "a parameter bound as another type is a bug at load");
	buf_free(&err);
	return unit_status();
}
