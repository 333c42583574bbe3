#ifndef NPDROP_ISAL_SHIM_H
#define NPDROP_ISAL_SHIM_H
#include <isa-l/igzip_lib.h>
#include <isa-l/crc.h>
#include <isa-l.h>

// The level buffer size and version are expression macros, which Swift cannot import: wrap them.

/// Bytes of the level-1 work buffer npdrop gives isal_deflate (ISAL_DEF_LVL1_DEFAULT). Part of the
/// output format: another size gives other bytes.
static inline unsigned int npdrop_isal_level1_buffer_size(void) { return ISAL_DEF_LVL1_DEFAULT; }

/// The ISA-L version of the header npdrop was built against, as major * 0x10000 + minor * 0x100 + patch.
static inline unsigned int npdrop_isal_version(void) { return ISAL_VERSION; }

/// Whether a deflate stream has written all it was given: the state after a flush or the end.
static inline int npdrop_isal_deflate_is_flushed(const struct isal_zstream *stream) {
    return stream->internal_state.state == ZSTATE_NEW_HDR || stream->internal_state.state == ZSTATE_TMP_NEW_HDR;
}
static inline int npdrop_isal_deflate_has_ended(const struct isal_zstream *stream) {
    return stream->internal_state.state == ZSTATE_END;
}
static inline int npdrop_isal_inflate_has_ended(const struct inflate_state *state) {
    return state->block_state == ISAL_BLOCK_FINISH;
}
#endif
