#include "npdrop_kernels.h"

// Which kernels this CPU runs (`__builtin_cpu_supports` also checks that the OS saves the
// registers).

int npdrop_keep_kernel_supported(npdrop_keep_kernel kernel) {
    switch (kernel) {
    case NPDROP_KEEP_SCALAR:
        return 1;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    case NPDROP_KEEP_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") ? 1 : 0;
    case NPDROP_KEEP_AVX512IFMA:
        __builtin_cpu_init();
        return (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma")
                && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw")) ? 1 : 0;
#endif
    default:
        return 0;
    }
}
