# lib/ipc.mk - (filled in by its module)
