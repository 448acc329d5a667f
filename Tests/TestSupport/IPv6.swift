#if canImport(Glibc)
    import Glibc
#endif

/// Whether this machine can listen on the IPv6 loopback address (`::1`): tests of IPv6
/// listeners run where it can (a container started without IPv6 has none).
public let ipv6LoopbackAvailable: Bool = {
    let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return onIPv6Loopback(port: 0) { bind(fd, $0, $1) } == 0
}()

/// Calls `body` (a `bind` or a `connect`) with the address `[::1]:port` and its length.
public func onIPv6Loopback(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
    var sa = sockaddr_in6()
    sa.sin6_family = sa_family_t(AF_INET6)
    sa.sin6_addr = in6addr_loopback
    sa.sin6_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &sa) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
    }
}
