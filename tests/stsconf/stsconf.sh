# tests/stsconf/stsconf.sh - what the stsconf tests of main.cf share.
# Source after tests/lib.sh.
# SPDX-License-Identifier: ISC
#
#	STSCONF		the stsconf of the build (the script is skipped
#			when it is not built)
#	dir		a fresh directory for the main.cf under test,
#			removed at exit

STSCONF=$BUILDDIR/stsconf/stsconf
t_built "$STSCONF"
dir=$(t_tmpdir)
