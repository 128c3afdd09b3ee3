# lib/policy.mk - (filled in by its module)
