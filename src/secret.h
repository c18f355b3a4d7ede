/*
 * secret.h: memory for passwords. rs_secret_alloc() gives zeroed pages
 * that core dumps leave out (MADV_DONTDUMP) and that are not swapped when
 * the system lets us lock them; rs_secret_free() wipes them first.
 * rs_secret_wipe() clears any buffer in a way the compiler keeps.
 */
#ifndef RS_SECRET_H
#define RS_SECRET_H

#include <stddef.h>

void	*rs_secret_alloc(size_t);
void	 rs_secret_free(void *, size_t);
void	 rs_secret_wipe(void *, size_t);

#endif
