// swift-tools-version:6.0
import PackageDescription

// ns per draw of each keep-flag kernel (and the Swift reference); its own package so the
// product builds without it.
//     cd Benchmarks/RNGBench && swift run -c release RNGBench [MiB] [rounds]
let package = Package(
    name: "RNGBench",
    dependencies: [
        .package(name: "npdrop", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "RNGBench",
            dependencies: [.product(name: "NPDropKit", package: "npdrop")]
        )
    ],
    swiftLanguageModes: [.v6]
)
