// swift-tools-version:6.0
import PackageDescription

// Parallel (pigz-style) vs single-stream deflate of one large npz member; its own package so the
// product builds without it. Driven by run.py, which also times np.savez_compressed:
//     cd Benchmarks/ParallelDeflateBench && swift build -c release && python3 run.py
let package = Package(
    name: "ParallelDeflateBench",
    dependencies: [
        .package(name: "npdrop", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "ParallelDeflateBench",
            dependencies: [.product(name: "NPDropKit", package: "npdrop")]
        )
    ],
    swiftLanguageModes: [.v6]
)
