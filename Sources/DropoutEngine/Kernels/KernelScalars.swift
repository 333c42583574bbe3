/// A real float type the kernels compute in, with access to its bits.
protocol KernelFloat: BinaryFloatingPoint, Sendable {
    associatedtype Bits: FixedWidthInteger & UnsignedInteger & Sendable
    init(bitPattern: Bits)
    var bitPattern: Bits { get }
}

extension Float: KernelFloat {}
extension Double: KernelFloat {}

/// How an element word read from memory becomes a host-order word, and back.
///
/// Kernels are generic over this so each byte order gets its own specialised loop.
protocol ElementByteOrder {
    static func toHost<W: FixedWidthInteger>(_ word: W) -> W
    static func toMemory<W: FixedWidthInteger>(_ word: W) -> W
}

/// Memory already holds host-order elements.
enum HostByteOrder: ElementByteOrder {
    @inline(__always) static func toHost<W: FixedWidthInteger>(_ word: W) -> W { word }
    @inline(__always) static func toMemory<W: FixedWidthInteger>(_ word: W) -> W { word }
}

/// Memory holds elements in the other byte order.
enum SwappedByteOrder: ElementByteOrder {
    @inline(__always) static func toHost<W: FixedWidthInteger>(_ word: W) -> W { word.byteSwapped }
    @inline(__always) static func toMemory<W: FixedWidthInteger>(_ word: W) -> W { word.byteSwapped }
}
