#ifndef NPDROP_COPY_RANGE_H
#define NPDROP_COPY_RANGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// `copy_file_range(2)`: copies up to `count` bytes from `in_fd` at `*in_offset` to `out_fd`
/// at `*out_offset` inside the kernel (a reflink on file systems that share extents) and
/// advances both offsets. Returns the bytes copied (0 at end of input) or -1 with `errno` set;
/// `ENOSYS` where the system has no such call (callers then read and write).
ssize_t npdrop_copy_file_range(int in_fd, int64_t *in_offset, int out_fd, int64_t *out_offset, size_t count);

#endif
