/*
 * cfgbind_test - the parameters' variables (var_NAME) follow every
 * change of the configuration: read, override, save and restore, free.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "cfgbind.h"
#include "unit.h"

static int
read_text(const char *text)
{
	struct buf err = BUF_INIT;
	int rc = cfg_read_buf("/etc/stsd/main.cf", text, strlen(text), &err);

	buf_free(&err);
	return rc;
}

/* Every entry has a variable of its own. */
static int
vars_distinct(void)
{
	const struct param *p, *q;

	for (p = param_table; p->name != NULL; p++) {
		if (p->var == NULL)
			return 0;
		for (q = param_table; q != p; q++)
			if (q->var == p->var)
				return 0;
	}
	return 1;
}

int
main(void)
{
	struct buf err = BUF_INIT;
	struct cfg *saved;

	CHECK(var_sts_zone == NULL, "nothing is bound before a configuration");
	cfg_bind_now();
	CHECK(var_sts_zone != NULL && strcmp(var_sts_zone, "") == 0 &&
	    var_ipc_timeout == 30 && var_acme_enabled == 1 &&
	    var_message_size_limit == 10 * 1024 * 1024 &&
	    var_httpd_connection_limit == 10000 &&
	    var_alert_failure_rate == 1.0,
	    "cfg_bind_now binds the built-in defaults");
	CHECK(read_text("sts_zone = sts.example\nipc_timeout = 2m\n"
	    "acme_enabled = no\nmessage_size_limit = 2k\n"
	    "httpd_connection_limit = 7\n"
	    "report_recipients = a@x.example, b@y.example\n"
	    "alert_failure_rate = 2.5%\n") == 0,
	    "main.cf read");
	CHECK(STR_EQ(var_sts_zone, "sts.example"), "a string is bound");
	CHECK(var_ipc_timeout == 120, "a time is bound in seconds (%lld)",
	    var_ipc_timeout);
	CHECK(var_acme_enabled == 0, "a boolean is bound as 0/1");
	CHECK(var_message_size_limit == 2048, "a size is bound in bytes (%llu)",
	    var_message_size_limit);
	CHECK(var_httpd_connection_limit == 7, "an integer is bound");
	CHECK(var_alert_failure_rate == 2.5, "a percentage is bound (%g)",
	    var_alert_failure_rate);
	CHECK(var_report_recipients != NULL &&
	    var_report_recipients[0] != NULL &&
	    strcmp(var_report_recipients[0], "a@x.example") == 0 &&
	    var_report_recipients[1] != NULL &&
	    strcmp(var_report_recipients[1], "b@y.example") == 0 &&
	    var_report_recipients[2] == NULL,
	    "a list is bound, NULL-terminated");

	CHECK(cfg_override("httpd_connection_limit", "9", &err) == 0 &&
	    var_httpd_connection_limit == 9, "an override rebinds");
	CHECK(STR_EQ(var_sts_zone, "sts.example"),
	    "the others keep their values");
	CHECK(cfg_check_override("httpd_connection_limit", "11", &err) == 0 &&
	    var_httpd_connection_limit == 9,
	    "a checked, undone override leaves the values");

	saved = cfg_save();
	CHECK(read_text("sts_zone = other.example\n") == 0 &&
	    strcmp(var_sts_zone, "other.example") == 0 && var_ipc_timeout == 30,
	    "a new configuration read while one is saved is bound");
	cfg_restore(saved);
	CHECK(strcmp(var_sts_zone, "sts.example") == 0 &&
	    var_httpd_connection_limit == 9,
	    "restoring the saved configuration binds it again");

	CHECK(read_text("httpd_connection_limit = many\n") < 0 &&
	    var_httpd_connection_limit == 9,
	    "a main.cf that fails leaves the values bound");

	CHECK(vars_distinct(), "each parameter has a variable of its own");
	cfg_free();
	CHECK(var_sts_zone == NULL && var_report_recipients == NULL &&
	    var_httpd_connection_limit == 0,
	    "cfg_free clears the variables");

	buf_free(&err);
	return unit_status();
}
