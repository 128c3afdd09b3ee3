# rptrecv/local.mk - (filled in by its program)
