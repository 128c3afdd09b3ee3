# lib/server.mk - (filled in by its module)
