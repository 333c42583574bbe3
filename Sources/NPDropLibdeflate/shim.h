#ifndef NPDROP_LIBDEFLATE_SHIM_H
#define NPDROP_LIBDEFLATE_SHIM_H
// libdeflate: whole-buffer raw deflate decompression (Debian libdeflate-dev, no pkg-config file
// needed). npdrop only inflates with it; every deflate it writes is ISA-L's or zlib's.
#include <libdeflate.h>
#endif
