#ifndef NPDROP_ZLIB_SHIM_H
#define NPDROP_ZLIB_SHIM_H
#include <zlib.h>

// deflateInit2 and inflateInit2 are macros, which Swift cannot import: wrap them.
static inline int npdrop_deflateInit2(z_streamp strm, int level, int method, int windowBits,
                                      int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}

static inline int npdrop_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
// z_off_t is a macro too (off_t or long), so crc32_combine's length has no Swift name: take int64.
static inline uLong npdrop_crc32_combine(uLong crc1, uLong crc2, long long len2) {
    return crc32_combine(crc1, crc2, (z_off_t)len2);
}
#endif
