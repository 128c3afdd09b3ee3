# stsctl/local.mk - stsctl, the operator's command: domains and policies
# (through policyd), checks (lib/dnscheck, as dnsmon runs them), reports
# (reports.db, read-only).
# SPDX-License-Identifier: ISC
sbin_PROGRAMS += stsctl/stsctl
stsctl_stsctl_SOURCES = stsctl/stsctl.c stsctl/stsctl.h \
	stsctl/domain.c stsctl/migrate.c stsctl/migrate.h \
	stsctl/table.c stsctl/table.h \
	stsctl/check.c stsctl/check.h \
	stsctl/reports.c stsctl/reports.h stsctl/reports_show.c \
	stsctl/reports_summary.c \
	stsctl/cert.c stsctl/cert.h stsctl/perm.c stsctl/perm.h \
	stsctl/queue.c stsctl/queue.h \
	stsctl/fetchlist.c stsctl/fetchlist.h \
	stsctl/account.c stsctl/audit.c stsctl/alertsubs.c \
	stsctl/nodelist.c
stsctl_stsctl_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(LDNS_CFLAGS) \
	$(LIBEVENT_CFLAGS) $(SQLITE_CFLAGS)
stsctl_stsctl_LDADD = $(STS_LIBS) $(LDNS_LIBS) \
	$(SQLDB_LIBS)
dist_man_MANS += man/stsctl.1
EXTRA_DIST += tests/stsctl
EXTRA_DIST += tests/report
