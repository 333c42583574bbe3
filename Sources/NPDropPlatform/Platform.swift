// The one place that picks the C library: every module that calls the system (open, pread,
// fsync, rename, signal, sysconf, libm) imports NPDropPlatform instead of repeating this block.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#endif
