#define _GNU_SOURCE
#include "npdrop_copy_range.h"

#include <errno.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

ssize_t npdrop_copy_file_range(int in_fd, int64_t *in_offset, int out_fd, int64_t *out_offset, size_t count) {
#if defined(__linux__) && defined(SYS_copy_file_range)
    loff_t in = *in_offset, out = *out_offset;
    ssize_t n = syscall(SYS_copy_file_range, in_fd, &in, out_fd, &out, count, 0u);
    if (n > 0) {
        *in_offset = in;
        *out_offset = out;
    }
    return n;
#else
    (void)in_fd; (void)in_offset; (void)out_fd; (void)out_offset; (void)count;
    errno = ENOSYS;
    return -1;
#endif
}
