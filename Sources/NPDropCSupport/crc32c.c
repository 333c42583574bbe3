#include "npdrop_crc32c.h"

#include <string.h>

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

#if defined(__x86_64__)
enum { LANE = 4096 };
// x^(8 LANE), x^(16 LANE) mod P: the same for every call, computed once before main (a lazy
// first-call initialisation would be a data race between worker threads).
static uint32_t shift1, shift2;
#endif

__attribute__((constructor)) static void build_shifts(void) {
    uint32_t p = (uint32_t)1 << 30;  // x^1
    x2n[0] = p;
    for (int n = 1; n < 32; n++) x2n[n] = p = multmodp(p, p);
#if defined(__x86_64__)
    shift1 = x2nmodp(LANE, 3);
    shift2 = x2nmodp(2 * LANE, 3);
#endif
}

#if defined(__x86_64__)

__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const unsigned char *p, size_t n) {
    while (n && ((uintptr_t)p & 7)) {
        crc = __builtin_ia32_crc32qi(crc, *p++);
        n--;
    }
    // Three independent streams hide the instruction's latency (3 cycles, 1 per cycle issued);
    // lanes 1 and 2 start from 0 and are shifted into place: the register is linear.
    while (n >= 3 * LANE) {
        uint64_t c0 = crc, c1 = 0, c2 = 0;
        for (size_t i = 0; i < LANE; i += 8) {
            uint64_t w0, w1, w2;
            memcpy(&w0, p + i, 8);
            memcpy(&w1, p + LANE + i, 8);
            memcpy(&w2, p + 2 * LANE + i, 8);
            c0 = __builtin_ia32_crc32di(c0, w0);
            c1 = __builtin_ia32_crc32di(c1, w1);
            c2 = __builtin_ia32_crc32di(c2, w2);
        }
        crc = multmodp(shift2, (uint32_t)c0) ^ multmodp(shift1, (uint32_t)c1) ^ (uint32_t)c2;
        p += 3 * LANE;
        n -= 3 * LANE;
    }
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        n -= 8;
    }
    crc = (uint32_t)c;
    while (n--) crc = __builtin_ia32_crc32qi(crc, *p++);
    return crc;
}
#endif

uint32_t npdrop_crc32c_portable(uint32_t crc, const void *data, size_t count) {
    return ~crc32c_table(~crc, data, count);
}

uint32_t npdrop_crc32c(uint32_t crc, const void *data, size_t count) {
    const unsigned char *p = data;
    crc = ~crc;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) return ~crc32c_sse42(crc, p, count);
#endif
    return ~crc32c_table(crc, p, count);
}

uint32_t npdrop_crc32c_combine(uint32_t crc1, uint32_t crc2, size_t len2) {
    return multmodp(x2nmodp(len2, 3), crc1) ^ crc2;
}

/// The raw register (no pre- or post-inversion) after `n` bytes from a zero register: linear in
/// the bytes.
static uint32_t crc32c_raw(uint32_t crc, const unsigned char *p, size_t n) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) return crc32c_sse42(crc, p, n);
#endif
    return crc32c_table(crc, p, n);
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
