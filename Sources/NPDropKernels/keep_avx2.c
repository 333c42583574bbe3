#include "pcg64_lanes.h"

// AVX2 kernel: 16 lanes in 4 ymm registers, each lane jumping 16 draws per step with
// A = M^16 and C = inc * (M^15 + ... + 1). States are kept as 64-bit halves. AVX2 has no 64-bit
// multiply, rotate or unsigned compare: the product words are built from 32-bit multiplies
// (`vpmuludq`), the rotate is two variable shifts, and the keep test is the signed compare
// `(out >> 11) > threshold - 1` (both sides below 2^53, so the sign never matters).

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

#define NPDROP_TARGET_AVX2 __attribute__((target("avx2")))
#define LANES 16
#define REGS 4

typedef struct {
    __m256i high, low;
} halves;

/// `A * s + C mod 2^128` on four lanes. `a0`/`a1` are the 32-bit halves of A's low word,
/// `b0`/`b1` of its high word; `c0`/`c1` the 32-bit halves of C's low word, `ch` its high word.
NPDROP_TARGET_AVX2
static inline halves step(halves s, __m256i a0, __m256i a1, __m256i b0, __m256i b1, __m256i c0, __m256i c1,
                          __m256i ch, __m256i m32) {
    __m256i l1 = _mm256_srli_epi64(s.low, 32);
    __m256i h1 = _mm256_srli_epi64(s.high, 32);
    // Full 64 x 64 -> 128 product of the low words (vpmuludq reads the low 32 bits of each lane).
    __m256i p00 = _mm256_mul_epu32(a0, s.low);
    __m256i p01 = _mm256_mul_epu32(a0, l1);
    __m256i p10 = _mm256_mul_epu32(a1, s.low);
    __m256i p11 = _mm256_mul_epu32(a1, l1);
    __m256i t = _mm256_add_epi64(_mm256_and_si256(p00, m32), c0);
    __m256i mid = _mm256_add_epi64(_mm256_srli_epi64(p00, 32), _mm256_and_si256(p01, m32));
    mid = _mm256_add_epi64(mid, _mm256_and_si256(p10, m32));
    mid = _mm256_add_epi64(mid, _mm256_add_epi64(c1, _mm256_srli_epi64(t, 32)));
    __m256i low = _mm256_or_si256(_mm256_and_si256(t, m32), _mm256_slli_epi64(mid, 32));
    // Low words of A.low * s.high and A.high * s.low.
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(a0, s.high), _mm256_mul_epu32(b0, s.low));
    __m256i crossMid = _mm256_add_epi64(_mm256_mul_epu32(a0, h1), _mm256_mul_epu32(a1, s.high));
    crossMid = _mm256_add_epi64(crossMid, _mm256_add_epi64(_mm256_mul_epu32(b0, l1), _mm256_mul_epu32(b1, s.low)));
    __m256i high = _mm256_add_epi64(p11, _mm256_add_epi64(_mm256_srli_epi64(p01, 32), _mm256_srli_epi64(p10, 32)));
    high = _mm256_add_epi64(high, _mm256_add_epi64(_mm256_srli_epi64(mid, 32), ch));
    high = _mm256_add_epi64(high, _mm256_add_epi64(cross, _mm256_slli_epi64(crossMid, 32)));
    halves r = {high, low};
    return r;
}

/// Four keep bits (lane k at bit k) of the lanes in `s`: `(xsl_rr(s) >> 11) > below`.
NPDROP_TARGET_AVX2
static inline unsigned keeps(halves s, __m256i below, __m256i sixtyFour) {
    __m256i x = _mm256_xor_si256(s.high, s.low);
    __m256i rot = _mm256_srli_epi64(s.high, 58);
    // A left shift by 64 (rot = 0) gives 0 in AVX2, so rot = 0 returns x.
    __m256i out = _mm256_or_si256(_mm256_srlv_epi64(x, rot), _mm256_sllv_epi64(x, _mm256_sub_epi64(sixtyFour, rot)));
    __m256i keep = _mm256_cmpgt_epi64(_mm256_srli_epi64(out, 11), below);
    return (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(keep));
}

/// Byte j of entry b is bit j of b: eight keep bits to eight flag bytes (a constant table).
#define BYTES(b) ((uint64_t)((b) & 1) | (uint64_t)(((b) >> 1) & 1) << 8 | (uint64_t)(((b) >> 2) & 1) << 16 \
    | (uint64_t)(((b) >> 3) & 1) << 24 | (uint64_t)(((b) >> 4) & 1) << 32 | (uint64_t)(((b) >> 5) & 1) << 40 \
    | (uint64_t)(((b) >> 6) & 1) << 48 | (uint64_t)(((b) >> 7) & 1) << 56)
#define BYTES4(b) BYTES(b), BYTES((b) + 1), BYTES((b) + 2), BYTES((b) + 3)
#define BYTES16(b) BYTES4(b), BYTES4((b) + 4), BYTES4((b) + 8), BYTES4((b) + 12)
#define BYTES64(b) BYTES16(b), BYTES16((b) + 16), BYTES16((b) + 32), BYTES16((b) + 48)
static const uint64_t bytesOfBits[256] = {BYTES64(0), BYTES64(64), BYTES64(128), BYTES64(192)};

NPDROP_TARGET_AVX2
npdrop_pcg64 npdrop_keep_avx2(npdrop_pcg64 rng, uint64_t threshold, uint8_t *out, size_t count) {
    if (count == 0) return rng;
    if (threshold >= NPDROP_KEEP_NOTHING) return npdrop_keep_nothing(rng, out, count);
    const npdrop_u128 mult = NPDROP_PCG64_MULT;
    const npdrop_u128 inc = npdrop_inc(rng);
    npdrop_u128 jump_mult, jump_plus;
    npdrop_jump(inc, LANES, &jump_mult, &jump_plus);

    // Lane k (register k / 4, element k % 4) starts at the stepped state of draw k.
    uint64_t start[2][LANES] __attribute__((aligned(32)));
    npdrop_u128 s = npdrop_state(rng);
    for (int k = 0; k < LANES; k++) {
        s = s * mult + inc;
        start[0][k] = (uint64_t)(s >> 64);
        start[1][k] = (uint64_t)s;
    }
    halves lane[REGS];
    for (int r = 0; r < REGS; r++) {
        lane[r].high = _mm256_load_si256((const __m256i *)&start[0][4 * r]);
        lane[r].low = _mm256_load_si256((const __m256i *)&start[1][4 * r]);
    }
    const uint64_t al = (uint64_t)jump_mult, ah = (uint64_t)(jump_mult >> 64);
    const uint64_t cl = (uint64_t)jump_plus, chi = (uint64_t)(jump_plus >> 64);
    const __m256i m32 = _mm256_set1_epi64x(0xFFFFFFFFLL);
    const __m256i a0 = _mm256_set1_epi64x((long long)(al & 0xFFFFFFFFu));
    const __m256i a1 = _mm256_set1_epi64x((long long)(al >> 32));
    const __m256i b0 = _mm256_set1_epi64x((long long)(ah & 0xFFFFFFFFu));
    const __m256i b1 = _mm256_set1_epi64x((long long)(ah >> 32));
    const __m256i c0 = _mm256_set1_epi64x((long long)(cl & 0xFFFFFFFFu));
    const __m256i c1 = _mm256_set1_epi64x((long long)(cl >> 32));
    const __m256i ch = _mm256_set1_epi64x((long long)chi);
    const __m256i below = _mm256_set1_epi64x((long long)threshold - 1);
    const __m256i sixtyFour = _mm256_set1_epi64x(64);

    size_t i = 0;
    unsigned bits;
    // Whole blocks while more than one block remains; the last block (1 to 16 draws) below.
    for (; count - i > LANES; i += LANES) {
        bits = 0;
        for (int r = 0; r < REGS; r++) {
            bits |= keeps(lane[r], below, sixtyFour) << (4 * r);
            lane[r] = step(lane[r], a0, a1, b0, b1, c0, c1, ch, m32);
        }
        uint64_t flags[2] = {bytesOfBits[bits & 0xFF], bytesOfBits[bits >> 8]};
        memcpy(out + i, flags, sizeof flags);
    }
    size_t rest = count - i;
    bits = 0;
    for (int r = 0; r < REGS; r++) {
        bits |= keeps(lane[r], below, sixtyFour) << (4 * r);
    }
    uint64_t flags[2] = {bytesOfBits[bits & 0xFF], bytesOfBits[bits >> 8]};
    memcpy(out + i, flags, rest);

    // The stream ends at the stepped state of the last draw: lane rest - 1 of this block.
    for (int r = 0; r < REGS; r++) {
        _mm256_store_si256((__m256i *)&start[0][4 * r], lane[r].high);
        _mm256_store_si256((__m256i *)&start[1][4 * r], lane[r].low);
    }
    size_t last = rest - 1;
    return npdrop_with_state(rng, ((npdrop_u128)start[0][last] << 64) | start[1][last]);
}

#else

npdrop_pcg64 npdrop_keep_avx2(npdrop_pcg64 rng, uint64_t threshold, uint8_t *out, size_t count) {
    // Never selected off x86-64 (`npdrop_keep_kernel_supported` says 0); same bytes anyway.
    return npdrop_keep_scalar(rng, threshold, out, count);
}

#endif
