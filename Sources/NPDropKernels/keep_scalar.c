#include "pcg64_lanes.h"

// Portable kernel: four interleaved lanes, each jumping four draws per step, so consecutive
// 128-bit multiplies do not wait on each other.

npdrop_pcg64 npdrop_keep_scalar(npdrop_pcg64 rng, uint64_t threshold, uint8_t *out, size_t count) {
    if (threshold >= NPDROP_KEEP_NOTHING) return npdrop_keep_nothing(rng, out, count);
    const npdrop_u128 mult = NPDROP_PCG64_MULT;
    const npdrop_u128 inc = npdrop_inc(rng);
    npdrop_u128 s = npdrop_state(rng);
    size_t i = 0;
    if (count >= 16) {
        npdrop_u128 mult4, plus4;
        npdrop_jump(inc, 4, &mult4, &plus4);
        // Lane k holds the stepped state of draw i + k.
        npdrop_u128 s0 = s * mult + inc;
        npdrop_u128 s1 = s0 * mult + inc;
        npdrop_u128 s2 = s1 * mult + inc;
        npdrop_u128 s3 = s2 * mult + inc;
        for (; i + 4 <= count; i += 4) {
            out[i] = (npdrop_output(s0) >> 11) >= threshold;
            out[i + 1] = (npdrop_output(s1) >> 11) >= threshold;
            out[i + 2] = (npdrop_output(s2) >> 11) >= threshold;
            out[i + 3] = (npdrop_output(s3) >> 11) >= threshold;
            s = s3;
            s0 = s0 * mult4 + plus4;
            s1 = s1 * mult4 + plus4;
            s2 = s2 * mult4 + plus4;
            s3 = s3 * mult4 + plus4;
        }
    }
    for (; i < count; i++) {
        s = s * mult + inc;
        out[i] = (npdrop_output(s) >> 11) >= threshold;
    }
    return npdrop_with_state(rng, s);
}
