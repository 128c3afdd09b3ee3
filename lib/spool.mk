# lib/spool.mk - (filled in by its module)
