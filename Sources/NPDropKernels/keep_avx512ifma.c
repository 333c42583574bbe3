#include "pcg64_lanes.h"

// AVX-512 IFMA kernel: 64 lanes in 8 zmm registers. Lane k starts at the stepped state of draw k
// and every lane jumps 64 draws per step with the shared constants A = M^64 and
// C = inc * (M^63 + ... + 1). A state is three limbs of 52, 52 and 24 bits, so that
// `A * s + C mod 2^128` is nine 52-bit multiply-adds (`vpmadd52{lo,hi}uq`, C folded into the
// accumulators) and two carry shifts. The 64-bit halves are rebuilt only for the XSL-RR output,
// and the keep test is one unsigned compare `out >= threshold << 11`.

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

#define NPDROP_TARGET_AVX512IFMA __attribute__((target("avx512f,avx512ifma,avx512vl,avx512bw")))
#define LANES 64
#define REGS 8
#define MASK52 ((uint64_t)0xFFFFFFFFFFFFFULL)
#define MASK24 ((uint64_t)0xFFFFFFULL)

typedef struct {
    __m512i l0, l1, l2;
} limbs;

NPDROP_TARGET_AVX512IFMA
static inline limbs step(limbs s, __m512i a0, __m512i a1, __m512i a2, __m512i c0, __m512i c1, __m512i c2,
                         __m512i m52, __m512i m24) {
    __m512i t0 = _mm512_madd52lo_epu64(c0, a0, s.l0);
    __m512i t1 = _mm512_madd52hi_epu64(c1, a0, s.l0);
    t1 = _mm512_madd52lo_epu64(t1, a0, s.l1);
    t1 = _mm512_madd52lo_epu64(t1, a1, s.l0);
    __m512i t2 = _mm512_madd52hi_epu64(c2, a0, s.l1);
    t2 = _mm512_madd52hi_epu64(t2, a1, s.l0);
    t2 = _mm512_madd52lo_epu64(t2, a0, s.l2);
    t2 = _mm512_madd52lo_epu64(t2, a1, s.l1);
    t2 = _mm512_madd52lo_epu64(t2, a2, s.l0);
    t1 = _mm512_add_epi64(t1, _mm512_srli_epi64(t0, 52));
    t2 = _mm512_add_epi64(t2, _mm512_srli_epi64(t1, 52));
    limbs r = {_mm512_and_si512(t0, m52), _mm512_and_si512(t1, m52), _mm512_and_si512(t2, m24)};
    return r;
}

/// The keep mask of the eight lanes in `s`: `xsl_rr(s) >= bound`.
NPDROP_TARGET_AVX512IFMA
static inline __mmask8 keeps(limbs s, __m512i bound) {
    __m512i lo = _mm512_or_si512(s.l0, _mm512_slli_epi64(s.l1, 52));
    __m512i hi = _mm512_or_si512(_mm512_srli_epi64(s.l1, 12), _mm512_slli_epi64(s.l2, 40));
    __m512i x = _mm512_xor_si512(hi, lo);
    __m512i out = _mm512_rorv_epi64(x, _mm512_srli_epi64(s.l2, 18));
    return _mm512_cmpge_epu64_mask(out, bound);
}

NPDROP_TARGET_AVX512IFMA
npdrop_pcg64 npdrop_keep_avx512ifma(npdrop_pcg64 rng, uint64_t threshold, uint8_t *out, size_t count) {
    if (count == 0) return rng;
    if (threshold >= NPDROP_KEEP_NOTHING) return npdrop_keep_nothing(rng, out, count);
    const npdrop_u128 mult = NPDROP_PCG64_MULT;
    const npdrop_u128 inc = npdrop_inc(rng);
    npdrop_u128 jump_mult, jump_plus;
    npdrop_jump(inc, LANES, &jump_mult, &jump_plus);

    // Lane k (register k / 8, element k % 8) starts at the stepped state of draw k.
    uint64_t start[3][LANES] __attribute__((aligned(64)));
    npdrop_u128 s = npdrop_state(rng);
    for (int k = 0; k < LANES; k++) {
        s = s * mult + inc;
        start[0][k] = (uint64_t)s & MASK52;
        start[1][k] = (uint64_t)(s >> 52) & MASK52;
        start[2][k] = (uint64_t)(s >> 104);
    }
    limbs lane[REGS];
    for (int r = 0; r < REGS; r++) {
        lane[r].l0 = _mm512_load_si512(&start[0][8 * r]);
        lane[r].l1 = _mm512_load_si512(&start[1][8 * r]);
        lane[r].l2 = _mm512_load_si512(&start[2][8 * r]);
    }
    const __m512i m52 = _mm512_set1_epi64((long long)MASK52);
    const __m512i m24 = _mm512_set1_epi64((long long)MASK24);
    const __m512i a0 = _mm512_set1_epi64((long long)((uint64_t)jump_mult & MASK52));
    const __m512i a1 = _mm512_set1_epi64((long long)((uint64_t)(jump_mult >> 52) & MASK52));
    const __m512i a2 = _mm512_set1_epi64((long long)(uint64_t)(jump_mult >> 104));
    const __m512i c0 = _mm512_set1_epi64((long long)((uint64_t)jump_plus & MASK52));
    const __m512i c1 = _mm512_set1_epi64((long long)((uint64_t)(jump_plus >> 52) & MASK52));
    const __m512i c2 = _mm512_set1_epi64((long long)(uint64_t)(jump_plus >> 104));
    const __m512i bound = _mm512_set1_epi64((long long)(threshold << 11));
    const __m512i ones = _mm512_set1_epi8(1);

    size_t i = 0;
    // Whole blocks while more than one block remains; the last block (1 to 64 draws) below.
    for (; count - i > LANES; i += LANES) {
        uint64_t mask = 0;
        for (int r = 0; r < REGS; r++) {
            mask |= (uint64_t)keeps(lane[r], bound) << (8 * r);
            lane[r] = step(lane[r], a0, a1, a2, c0, c1, c2, m52, m24);
        }
        _mm512_storeu_si512((void *)(out + i), _mm512_maskz_mov_epi8((__mmask64)mask, ones));
    }
    size_t rest = count - i;
    uint64_t mask = 0;
    for (int r = 0; r < REGS; r++) {
        mask |= (uint64_t)keeps(lane[r], bound) << (8 * r);
    }
    __mmask64 store = rest == LANES ? ~(__mmask64)0 : (((__mmask64)1 << rest) - 1);
    _mm512_mask_storeu_epi8((void *)(out + i), store, _mm512_maskz_mov_epi8((__mmask64)mask, ones));

    // The stream ends at the stepped state of the last draw: lane rest - 1 of this block.
    for (int r = 0; r < REGS; r++) {
        _mm512_store_si512(&start[0][8 * r], lane[r].l0);
        _mm512_store_si512(&start[1][8 * r], lane[r].l1);
        _mm512_store_si512(&start[2][8 * r], lane[r].l2);
    }
    size_t last = rest - 1;
    npdrop_u128 end = (npdrop_u128)start[0][last] | ((npdrop_u128)start[1][last] << 52)
        | ((npdrop_u128)start[2][last] << 104);
    return npdrop_with_state(rng, end);
}

#else

npdrop_pcg64 npdrop_keep_avx512ifma(npdrop_pcg64 rng, uint64_t threshold, uint8_t *out, size_t count) {
    // Never selected off x86-64 (`npdrop_keep_kernel_supported` says 0); same bytes anyway.
    return npdrop_keep_scalar(rng, threshold, out, count);
}

#endif
