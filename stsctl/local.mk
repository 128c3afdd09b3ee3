# stsctl/local.mk - stsctl, the operator's command for domains and policies.
sbin_PROGRAMS += stsctl/stsctl
stsctl_stsctl_SOURCES = stsctl/stsctl.c stsctl/stsctl.h \
	stsctl/domain.c stsctl/table.c stsctl/table.h
stsctl_stsctl_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
stsctl_stsctl_LDADD = $(STS_LIBS)
dist_man_MANS += man/stsctl.1
EXTRA_DIST += tests/stsctl/instance.sh tests/stsctl/domain.t tests/stsctl/retire.t
