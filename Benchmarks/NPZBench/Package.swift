// swift-tools-version:6.0
import PackageDescription

// Throughput of the npz zip layer; its own package so the product builds without it.
//     cd Benchmarks/NPZBench && swift run -c release NPZBench [MiB]
let package = Package(
    name: "NPZBench",
    dependencies: [
        .package(name: "npdrop", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "NPZBench",
            dependencies: [.product(name: "NPDropKit", package: "npdrop")]
        )
    ],
    swiftLanguageModes: [.v6]
)
