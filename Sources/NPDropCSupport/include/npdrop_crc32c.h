#ifndef NPDROP_CRC32C_H
#define NPDROP_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Extends `crc` (0 for no bytes yet) by `count` bytes at `data`: CRC-32C (Castagnoli,
/// reflected polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF), the checksum of
/// iSCSI and ext4. Uses the SSE 4.2 `crc32` instruction when the CPU has it, a
/// slicing-by-8 table otherwise; both give the same value.
uint32_t npdrop_crc32c(uint32_t crc, const void *data, size_t count);

/// The same value from the table alone (for tests of the instruction path).
uint32_t npdrop_crc32c_portable(uint32_t crc, const void *data, size_t count);

#endif
