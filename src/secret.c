/*
 * secret.c: memory that holds passwords, kept out of core files.
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>

#include "secret.h"

/* n zeroed bytes out of core dumps (and locked in RAM if allowed), or NULL. */
void *
rs_secret_alloc(size_t n)
{
	void	*p;

	if (n == 0)
		n = 1;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_DONTDUMP
	madvise(p, n, MADV_DONTDUMP);
#endif
	(void)mlock(p, n);	/* best effort: RLIMIT_MEMLOCK may forbid it */
	return p;
}

/* Wipe and release what rs_secret_alloc() gave. */
void
rs_secret_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	if (n == 0)
		n = 1;
	rs_secret_wipe(p, n);
	munlock(p, n);
	munmap(p, n);
}

/* Clear n bytes at p; the compiler may not drop it as a dead store. */
void
rs_secret_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}
