/*
 * lib/dashboard - placeholder until the page generator lands; see
 * dashboard.h for the interface.
 */
#include "dashboard.h"

json_t *
dashboard_domains(const char *socket_path, struct buf *err)
{
	(void)socket_path;
	buf_puts(err, "dashboard: not built yet");
	return (NULL);
}

int
dashboard_html(struct buf *out, sqlite3 *reports, json_t *domains,
    const struct dashboard_opts *opts, struct buf *err)
{
	(void)out; (void)reports; (void)domains; (void)opts;
	buf_puts(err, "dashboard: not built yet");
	return (-1);
}
