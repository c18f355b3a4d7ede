#!/usr/bin/env python3
"""murmur3.py: MurmurHash3 x86_32 and super-stream hash routing, written
independently of src/route.c from the algorithm's description, for the
tests to check rstream-cat's routing against.

    murmur3.py hash SEED KEY...         the hash of each key, hex
    murmur3.py part N KEY...            the partition index of each key
                                        among N (seed 104729, unsigned mod)
"""
import sys

MASK = 0xFFFFFFFF


def rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & MASK


def murmur3_32(data, seed):
    h = seed & MASK
    n = len(data)
    c1, c2 = 0xCC9E2D51, 0x1B873593
    full = n - n % 4
    for i in range(0, full, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = rotl((k * c1) & MASK, 15) * c2 & MASK
        h = (rotl(h ^ k, 13) * 5 + 0xE6546B64) & MASK
    tail = data[full:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = rotl((k * c1) & MASK, 15) * c2 & MASK
        h ^= k
    h ^= n
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & MASK
    h ^= h >> 16
    return h


def main(argv):
    if len(argv) < 3 or argv[1] not in ("hash", "part"):
        sys.exit(__doc__)
    arg = int(argv[2], 0)
    for key in argv[3:]:
        b = key.encode("utf-8")
        if argv[1] == "hash":
            print("%08x" % murmur3_32(b, arg))
        else:
            print(murmur3_32(b, 104729) % arg)


if __name__ == "__main__":
    main(sys.argv)
