#ifndef NPDROP_PCG64_LANES_H
#define NPDROP_PCG64_LANES_H

// 128-bit PCG64 arithmetic shared by the kernels (private to the target).

#include <stdint.h>
#include <string.h>
#include "npdrop_kernels.h"

typedef unsigned __int128 npdrop_u128;

#define NPDROP_PCG64_MULT \
    ((((npdrop_u128)0x2360ED051FC65DA4ULL) << 64) | (npdrop_u128)0x4385DF649FCCF645ULL)

/// Thresholds at or above this keep nothing (`u >> 11` never reaches 2^53).
#define NPDROP_KEEP_NOTHING ((uint64_t)1 << 53)

static inline npdrop_u128 npdrop_state(npdrop_pcg64 rng) {
    return ((npdrop_u128)rng.state_high << 64) | rng.state_low;
}

static inline npdrop_u128 npdrop_inc(npdrop_pcg64 rng) {
    return ((npdrop_u128)rng.inc_high << 64) | rng.inc_low;
}

static inline npdrop_pcg64 npdrop_with_state(npdrop_pcg64 rng, npdrop_u128 state) {
    rng.state_high = (uint64_t)(state >> 64);
    rng.state_low = (uint64_t)state;
    return rng;
}

/// XSL-RR output of a (stepped) state.
static inline uint64_t npdrop_output(npdrop_u128 state) {
    uint64_t x = (uint64_t)(state >> 64) ^ (uint64_t)state;
    unsigned rot = (unsigned)(state >> 122);
    return (x >> rot) | (x << ((64 - rot) & 63));
}

/// The affine map `s -> *mult * s + *plus` equal to `delta` LCG steps with increment `inc`
/// (Brown's arbitrary-stride jump, as NumPy's `advance`).
static inline void npdrop_jump(npdrop_u128 inc, uint64_t delta, npdrop_u128 *mult, npdrop_u128 *plus) {
    npdrop_u128 acc_mult = 1, acc_plus = 0;
    npdrop_u128 cur_mult = NPDROP_PCG64_MULT, cur_plus = inc;
    while (delta > 0) {
        if (delta & 1) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1;
    }
    *mult = acc_mult;
    *plus = acc_plus;
}

/// `count` flags of threshold >= 2^53 (all 0) and the stream after `count` draws.
static inline npdrop_pcg64 npdrop_keep_nothing(npdrop_pcg64 rng, uint8_t *out, size_t count) {
    if (count == 0) return rng;
    memset(out, 0, count);
    npdrop_u128 mult, plus;
    npdrop_jump(npdrop_inc(rng), (uint64_t)count, &mult, &plus);
    return npdrop_with_state(rng, mult * npdrop_state(rng) + plus);
}

#endif
