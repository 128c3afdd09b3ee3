# stsconf/local.mk - stsconf(1), and the generated part of stsd.conf(5).
# SPDX-License-Identifier: ISC
sbin_PROGRAMS += stsconf/stsconf
stsconf_stsconf_SOURCES = stsconf/stsconf.c stsconf/masteredit.c \
	stsconf/masteredit.h
stsconf_stsconf_LDADD = $(STS_LIBS)
dist_man_MANS += man/stsconf.1 man/stsd.conf.5
EXTRA_DIST += tests/stsconf

# "make update-man" replaces the parameter list of man/stsd.conf.5 (between
# its BEGIN and END PARAMETERS comments) with "stsconf -m", the list that
# lib/params_table.h gives.  tests/stsconf/manpage.t fails until it is done.
update-man: stsconf/stsconf
	$(AM_V_GEN)stsconf/stsconf -m >stsd.conf.5.params && \
	awk -v gen=stsd.conf.5.params \
	    '/^\.\\" BEGIN PARAMETERS/ { while ((getline l < gen) > 0) print l; skip = 1; next } \
	     /^\.\\" END PARAMETERS/ { skip = 0; next } \
	     !skip { print }' \
	    $(srcdir)/man/stsd.conf.5 >stsd.conf.5.new && \
	grep -q '^\.\\" END PARAMETERS' stsd.conf.5.new && \
	mv stsd.conf.5.new $(srcdir)/man/stsd.conf.5 && \
	rm -f stsd.conf.5.params
.PHONY: update-man
CLEANFILES += stsd.conf.5.params stsd.conf.5.new

check_PROGRAMS += stsconf/masteredit_test
stsconf_masteredit_test_SOURCES = stsconf/masteredit_test.c \
	stsconf/masteredit.c stsconf/masteredit.h
stsconf_masteredit_test_LDADD = $(STS_LIBS)
stsconf_masteredit_test_CPPFLAGS = $(UNIT_CPPFLAGS)

# fuzz_masteredit: the -M and -F edits of master.cf (stsconf/masteredit.c).
FUZZ_TARGETS += tests/fuzz/fuzz_masteredit
tests_fuzz_fuzz_masteredit_SOURCES = tests/fuzz/fuzz_masteredit.c \
	stsconf/masteredit.c
