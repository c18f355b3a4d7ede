/*
 * replay.c: run a fuzz target over its corpus without libFuzzer.
 *
 *	replay-NAME [FILE|DIR...]	default: the corpus named at build time
 *
 * Prints TAP: one test per input, which passes if the target returns (a
 * crash or a sanitizer report fails the whole program).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define MAX_INPUTS	4096

static char	*inputs[MAX_INPUTS];
static int	 ninputs;

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add(const char *path)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		 p[4096];

	if (stat(path, &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		if (ninputs < MAX_INPUTS)
			inputs[ninputs++] = strdup(path);
		return;
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", path, de->d_name);
		add(p);
	}
	closedir(d);
}

static int
run(const char *path)
{
	FILE	*f;
	uint8_t	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int
main(int argc, char *argv[])
{
	int	 i, failed = 0;

	if (argc > 1)
		for (i = 1; i < argc; i++)
			add(argv[i]);
	else
		add(CORPUS_DIR);
	qsort(inputs, (size_t)ninputs, sizeof inputs[0], cmp);
	printf("1..%d\n", ninputs);
	for (i = 0; i < ninputs; i++) {
		if (run(inputs[i]) == -1) {
			printf("not ok %d - %s: cannot read\n", i + 1, inputs[i]);
			failed = 1;
		} else
			printf("ok %d - %s\n", i + 1, inputs[i]);
		free(inputs[i]);
	}
	return failed;
}
