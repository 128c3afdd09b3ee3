/*
 * standalone - replays a libFuzzer target's corpus without libFuzzer.
 * SPDX-License-Identifier: ISC
 *
 * Linked with a fuzz target tests/fuzz/fuzz_<name> in a build without
 * --enable-fuzzing (tests/fuzz/local.mk), it feeds every
 * file of SRCDIR/tests/fuzz/corpus/<name>/ to LLVMFuzzerTestOneInput, so
 * the test suite runs each target's corpus (and the crashes found and
 * kept there) under the sanitizers of the normal build.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_INPUT_MAX	(4 * 1024 * 1024)

static int
replay(const char *path)
{
	static uint8_t data[FUZZ_INPUT_MAX];
	ssize_t n;
	int fd;
	uint8_t *copy;

	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	n = read(fd, data, sizeof(data));
	close(fd);
	if (n < 0)
		return -1;
	/* An exact-size copy, so ASan sees reads past the end. */
	copy = malloc(n ? (size_t)n : 1);
	memcpy(copy, data, (size_t)n);
	LLVMFuzzerTestOneInput(copy, (size_t)n);
	free(copy);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *srcdir = getenv("SRCDIR");
	const char *name = strrchr(argv[0], '/');
	char dir[4096], path[8192], target[256];
	struct dirent *de;
	DIR *d;
	int count = 0;
	size_t len;

	name = name ? name + 1 : argv[0];
	snprintf(target, sizeof(target), "%s", name);
	len = strlen(target);
	if (len > 5 && strcmp(target + len - 5, "_test") == 0)
		target[len - 5] = '\0';
	if (strncmp(target, "fuzz_", 5) == 0)
		memmove(target, target + 5, strlen(target + 5) + 1);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (replay(argv[i]) != 0)
				printf("not ok - %s: cannot read %s\n", target, argv[i]);
		printf("ok - %s: replayed %d inputs\n", target, argc - 1);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
	    srcdir ? srcdir : ".", target);
	if ((d = opendir(dir)) == NULL) {
		printf("not ok - %s: no corpus directory %s\n", target, dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (replay(path) != 0) {
			printf("not ok - %s: cannot read %s\n", target, path);
			closedir(d);
			return 1;
		}
		count++;
	}
	closedir(d);
	printf("%s - %s: replayed %d corpus inputs without a crash\n",
	    count > 0 ? "ok" : "not ok", target, count);
	return count > 0 ? 0 : 1;
}
