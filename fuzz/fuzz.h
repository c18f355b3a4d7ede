/*
 * fuzz.h: every fuzz target defines LLVMFuzzerTestOneInput(). Built with
 * --enable-fuzzing it links libFuzzer; otherwise replay.c supplies a main()
 * that runs the target over each file of its corpus (TAP output), so the
 * corpora are exercised by make check, under ASan/UBSan in CI.
 */
#ifndef RS_FUZZ_H
#define RS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif
