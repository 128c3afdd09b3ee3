# lib/cfg.mk - (filled in by its module)
