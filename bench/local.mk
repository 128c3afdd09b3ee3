# bench/local.mk - benchmarks ship in the tarball, they are not built
EXTRA_DIST += bench
