#include "npdrop_crc32c.h"

#include <string.h>

#include <isa-l/crc.h>

static uint32_t table[8][256];

__attribute__((constructor)) static void build_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = n;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
        table[0][n] = crc;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = table[0][n];
        for (int k = 1; k < 8; k++) {
            crc = table[0][crc & 0xFF] ^ (crc >> 8);
            table[k][n] = crc;
        }
    }
}

static uint32_t crc32c_table(uint32_t crc, const unsigned char *p, size_t n) {
    while (n && ((uintptr_t)p & 7)) {
        crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
        n--;
    }
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        word = __builtin_bswap64(word);
#endif
        word ^= crc;
        crc = table[7][word & 0xFF] ^ table[6][(word >> 8) & 0xFF] ^ table[5][(word >> 16) & 0xFF]
            ^ table[4][(word >> 24) & 0xFF] ^ table[3][(word >> 32) & 0xFF] ^ table[2][(word >> 40) & 0xFF]
            ^ table[1][(word >> 48) & 0xFF] ^ table[0][word >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc;
}

// Carry-less arithmetic modulo the (reflected) polynomial, as zlib's crc32.c does it: joins
// CRCs computed side by side. `multmodp(a, b)` is a * b mod P; `x2n[k]` is x^(2^k) mod P.
static uint32_t x2n[32];

static uint32_t multmodp(uint32_t a, uint32_t b) {
    uint32_t m = (uint32_t)1 << 31, p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) break;
        }
        m >>= 1;
        b = b & 1 ? (b >> 1) ^ 0x82F63B78u : b >> 1;
    }
    return p;
}

/// x^(n * 2^k) mod P.
static uint32_t x2nmodp(size_t n, unsigned k) {
    uint32_t p = (uint32_t)1 << 31;
    while (n) {
        if (n & 1) p = multmodp(x2n[k & 31], p);
        n >>= 1;
        k++;
    }
    return p;
}

__attribute__((constructor)) static void build_shifts(void) {
    uint32_t p = (uint32_t)1 << 30;  // x^1
    x2n[0] = p;
    for (int n = 1; n < 32; n++) x2n[n] = p = multmodp(p, p);
}

/// The raw register (no pre- or post-inversion) after `n` more bytes: ISA-L's `crc32_iscsi`,
/// which picks its code for the CPU (AVX-512 carry-less multiply, the SSE 4.2 instruction in
/// three streams, or a table) and takes at most INT_MAX bytes a call.
static uint32_t crc32c_raw(uint32_t crc, const unsigned char *p, size_t n) {
    while (n) {
        size_t piece = n < ((size_t)1 << 30) ? n : ((size_t)1 << 30);
        crc = crc32_iscsi((unsigned char *)p, (int)piece, crc);
        p += piece;
        n -= piece;
    }
    return crc;
}

uint32_t npdrop_crc32c_portable(uint32_t crc, const void *data, size_t count) {
    return ~crc32c_table(~crc, data, count);
}

uint32_t npdrop_crc32c(uint32_t crc, const void *data, size_t count) {
    return ~crc32c_raw(~crc, data, count);
}

uint32_t npdrop_crc32c_combine(uint32_t crc1, uint32_t crc2, size_t len2) {
    return multmodp(x2nmodp(len2, 3), crc1) ^ crc2;
}

uint32_t npdrop_crc32c_replace(uint32_t crc, const void *old, const void *replacement, size_t count, size_t after) {
    const unsigned char *a = old, *b = replacement;
    unsigned char block[256];
    uint32_t delta = 0;
    while (count) {
        size_t n = count < sizeof block ? count : sizeof block;
        for (size_t i = 0; i < n; i++) block[i] = a[i] ^ b[i];
        delta = crc32c_raw(delta, block, n);
        a += n;
        b += n;
        count -= n;
    }
    // The difference's register, carried through the `after` zero bytes of difference behind it.
    return crc ^ multmodp(x2nmodp(after, 3), delta);
}
