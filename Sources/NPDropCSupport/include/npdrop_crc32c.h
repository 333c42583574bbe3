#ifndef NPDROP_CRC32C_H
#define NPDROP_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Extends `crc` (0 for no bytes yet) by `count` bytes at `data`: CRC-32C (Castagnoli,
/// reflected polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF), the checksum of
/// iSCSI and ext4. Computed by ISA-L's `crc32_iscsi` (AVX-512 carry-less multiply, the SSE 4.2
/// `crc32` instruction or a table, as the CPU allows); every path gives the same value.
uint32_t npdrop_crc32c(uint32_t crc, const void *data, size_t count);

/// The same value from npdrop's own slicing-by-8 table (the reference for tests of ISA-L's paths).
uint32_t npdrop_crc32c_portable(uint32_t crc, const void *data, size_t count);

/// The CRC-32C of A followed by B, from `crc1` = CRC-32C of A, `crc2` = CRC-32C of B and `len2`
/// = bytes in B (as zlib's `crc32_combine`): pieces checksummed apart (segments written by
/// different workers, reads in any order) joined in file order. O(log len2).
uint32_t npdrop_crc32c_combine(uint32_t crc1, uint32_t crc2, size_t len2);

/// The CRC-32C of a byte string whose checksum was `crc` after `count` of its bytes, equal to
/// `old`, are replaced by `replacement`, with `after` bytes of the string following them (the
/// checksum is affine in the bytes: only the difference is checksummed and shifted into place).
/// For a positioned write over bytes already checksummed (a zip local header patched in place).
uint32_t npdrop_crc32c_replace(uint32_t crc, const void *old, const void *replacement, size_t count, size_t after);

#endif
