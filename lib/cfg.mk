# lib/cfg.mk - main.cf: the parameter table, the reader and its tests.
# SPDX-License-Identifier: ISC
lib_libsts_a_SOURCES += lib/cfg.c lib/cfg.h lib/cfgpriv.h \
	lib/cfgscan.c lib/cfgscan.h lib/cfgcheck.c lib/cfgcheck.h \
	lib/cfgget.c lib/cfgget.h lib/cfgbind.c lib/cfgbind.h \
	lib/params.c lib/params.h lib/params_table.h

check_PROGRAMS += lib/cfg_test
lib_cfg_test_LDADD = $(STS_LIBS)
lib_cfg_test_CPPFLAGS = $(UNIT_CPPFLAGS)

check_PROGRAMS += lib/cfgbind_test
lib_cfgbind_test_LDADD = $(STS_LIBS)
lib_cfgbind_test_CPPFLAGS = $(UNIT_CPPFLAGS)

EXTRA_DIST += tests/config

FUZZ_TARGETS += tests/fuzz/fuzz_maincf

# fuzz_paramvalue: the rule of each parameter against one value.
FUZZ_TARGETS += tests/fuzz/fuzz_paramvalue
