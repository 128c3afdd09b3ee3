# stsd/local.mk - (filled in by its module)
