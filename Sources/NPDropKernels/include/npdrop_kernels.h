#ifndef NPDROP_KERNELS_H
#define NPDROP_KERNELS_H

// Keep-flag kernels over NumPy's PCG64 stream (PCG XSL RR 128/64): byte i of `out` is 1 when
// draw i of the stream keeps its element, `(u >> 11) >= threshold` (NumPy's
// `Generator.random() >= rate` with `threshold = ceil(rate * 2^53)`), else 0. Every kernel
// writes exactly the same bytes and returns the same state; they differ only in speed and in the
// CPU features they need (ask `npdrop_keep_kernel_supported` before calling one).

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A PCG64 stream: the 128-bit LCG state and the odd increment, as high and low 64-bit words.
/// The next draw steps the state first, then outputs from the new state (as NumPy does).
typedef struct npdrop_pcg64 {
    uint64_t state_high;
    uint64_t state_low;
    uint64_t inc_high;
    uint64_t inc_low;
} npdrop_pcg64;

/// The kernels, by the instruction set they use.
typedef enum npdrop_keep_kernel {
    NPDROP_KEEP_SCALAR = 0,
    NPDROP_KEEP_AVX2 = 1,
    NPDROP_KEEP_AVX512IFMA = 2,
} npdrop_keep_kernel;

/// 1 when this CPU (and OS) can run `kernel`, else 0. The scalar kernel always runs.
int npdrop_keep_kernel_supported(npdrop_keep_kernel kernel);

/// Writes `count` keep flags of the stream `rng` to `out[0 ..< count]` (any alignment; no byte
/// outside that range is read or written) and returns the stream after `count` draws.
/// A threshold of 2^53 or more keeps nothing; 0 keeps everything.
npdrop_pcg64 npdrop_keep_scalar(npdrop_pcg64 rng, uint64_t threshold, uint8_t *out, size_t count);
/// Same as `npdrop_keep_scalar`; needs AVX2. 16 lanes (4 registers of 4).
npdrop_pcg64 npdrop_keep_avx2(npdrop_pcg64 rng, uint64_t threshold, uint8_t *out, size_t count);
/// Same as `npdrop_keep_scalar`; needs AVX-512 F/VL/BW and IFMA. 64 lanes (8 registers of 8).
npdrop_pcg64 npdrop_keep_avx512ifma(npdrop_pcg64 rng, uint64_t threshold, uint8_t *out, size_t count);

#ifdef __cplusplus
}
#endif

#endif
