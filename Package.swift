// swift-tools-version:6.0
import PackageDescription

// Layers, from the bottom up (dependencies point down only):
//   NPDropPlatform the C library (Glibc/Musl/Darwin) re-exported, for every module that calls the system
//   NPYFormat      pure header/dtype rules over bytes, no I/O, no Foundation; where an error happened
//                  (ErrorLocation, FileError) and the one message escaping (MessageText)
//   NPYStream      file descriptors, chunked npy reading/writing, the one atomic output file and temp naming
//   NPZContainer   zip container over the system zlib (NPDropZlib), ISA-L (NPDropISAL) and
//                  libdeflate (NPDropLibdeflate, whole-member inflate)
//   NPDropKernels  C keep-flag kernels over the PCG64 stream (scalar, AVX2, AVX-512 IFMA)
//   NPDropCSupport C helpers: CRC-32C (through ISA-L), copy_file_range
//   DropoutEngine  NumPy-exact RNG, keys, noise shapes, kernels, per-array dropout (no file I/O)
//   DropoutFiles   a file in, its outputs out: the .npy job (positioned, all cores), the .npz job
//   BatchRunner    directory walk, plan, Dispatch workers, manifest, shards, verify
//   npdrop         the command line (swift-argument-parser)
let package = Package(
    name: "npdrop",
    products: [
        .executable(name: "npdrop", targets: ["npdrop"]),
        .library(
            name: "NPDropKit",
            targets: ["NPYFormat", "NPYStream", "NPZContainer", "DropoutEngine", "DropoutFiles", "BatchRunner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .systemLibrary(
            name: "NPDropZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // C helpers: CRC-32C (ISA-L's crc32_iscsi, the fastest path the CPU has) and copy_file_range(2).
        .target(name: "NPDropCSupport", linkerSettings: [.linkedLibrary("isal")]),
        // Intel ISA-L's igzip (deflate, inflate, CRC-32); Debian ships no pkg-config file for it.
        .systemLibrary(
            name: "NPDropISAL",
            providers: [.apt(["libisal-dev"])]
        ),
        // libdeflate's whole-buffer inflate, for deflated members small enough to be read whole.
        .systemLibrary(
            name: "NPDropLibdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        // The C library (Glibc, Musl or Darwin), re-exported: the one platform-import block.
        .target(name: "NPDropPlatform"),
        .target(name: "NPYFormat"),
        .target(name: "NPYStream", dependencies: ["NPDropPlatform", "NPYFormat", "NPDropCSupport"]),
        .target(
            name: "NPZContainer",
            dependencies: [
                "NPDropPlatform", "NPYFormat", "NPYStream", "NPDropZlib", "NPDropISAL", "NPDropLibdeflate",
            ]),
        // Compiled by clang; the vector kernels pick their instruction sets per function
        // (`__attribute__((target(...)))`), so no global -m flags are needed.
        .target(name: "NPDropKernels"),
        .target(name: "DropoutEngine", dependencies: ["NPDropPlatform", "NPYFormat", "NPYStream", "NPDropKernels"]),
        .target(
            name: "DropoutFiles",
            dependencies: [
                "NPDropPlatform", "NPYFormat", "NPYStream", "NPZContainer", "DropoutEngine", "NPDropCSupport",
            ]),
        .target(
            name: "BatchRunner",
            dependencies: [
                "NPDropPlatform", "NPYFormat", "NPYStream", "NPZContainer", "DropoutEngine", "DropoutFiles",
                "NPDropCSupport",
            ]),
        .executableTarget(
            name: "npdrop",
            dependencies: [
                "NPDropPlatform", "NPYFormat", "NPYStream", "NPZContainer", "DropoutEngine", "DropoutFiles",
                "BatchRunner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers shared by the test targets (live NumPy, SHA-256, scratch removal); never part of the product.
        .target(name: "NPDropTestSupport", path: "Tests/NPDropTestSupport"),
        .testTarget(name: "NPYFormatTests", dependencies: ["NPYFormat", "NPDropTestSupport"]),
        .testTarget(
            name: "NPYStreamTests", dependencies: ["NPYFormat", "NPYStream", "NPDropTestSupport", "NPDropCSupport"]),
        .testTarget(
            name: "NPZContainerTests", dependencies: ["NPYFormat", "NPYStream", "NPZContainer", "NPDropTestSupport"]),
        .testTarget(
            name: "DropoutEngineTests",
            dependencies: [
                "NPYFormat", "NPYStream", "NPZContainer", "DropoutEngine", "DropoutFiles", "NPDropTestSupport",
            ]),
        .testTarget(
            name: "BatchRunnerTests",
            dependencies: [
                "NPYFormat", "NPYStream", "NPZContainer", "DropoutEngine", "DropoutFiles", "BatchRunner",
                "NPDropTestSupport", "NPDropCSupport",
            ]),
        .testTarget(name: "CLITests", dependencies: ["npdrop", "NPDropTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
