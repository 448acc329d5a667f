/// A listener's or a parent's address as a configuration writes it: `host:port`, the host a name
/// or an IPv4 address, or an IPv6 address in brackets as in a URL (RFC 3986: `[::1]:7400`,
/// `[2001:db8::7]:443`) — government networks run IPv6 (政府网站支持 IPv6) as well as IPv4.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// The name or address, without brackets: what a socket binds or connects to.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Whether the host is an IPv6 address (written in brackets).
    public var isIPv6: Bool { host.contains(":") }

    /// `host:port`, an IPv6 address in brackets: what a configuration and a URL hold.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The same host at another port.
    public func at(port: Int) -> HostPort { HostPort(host: host, port: port) }

    /// What is wrong with `text` as an address, in words that say how to write it; nil when it is one.
    public static func problem(_ text: String) -> String? {
        switch parse(text) {
        case .success: return nil
        case .failure(let refusal): return refusal.reason
        }
    }

    /// Why a text is not an address.
    public struct Refusal: Error, Sendable {
        public var reason: String
    }

    /// Reads `host:port` or `[IPv6]:port`, the port from 1 to 65535.
    public static func parse(_ text: String) -> Result<HostPort, Refusal> {
        func refuse(_ why: String) -> Result<HostPort, Refusal> { .failure(Refusal(reason: "'\(text)' \(why)")) }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return refuse("opens an IPv6 address with [ and never closes it: write [::1]:7400") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return refuse("has no :port after the IPv6 address in brackets: write [\(host)]:7400") }
            portText = rest.dropFirst()
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return refuse(
                    "holds no IPv6 address in its brackets (hex digits and colons, e.g. [::1]); a name or an IPv4 address goes without brackets")
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return refuse("is not host:port (e.g. 127.0.0.1:7400, or [::1]:7400 for IPv6)") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else {
                return refuse("looks like an IPv6 address without brackets: write it as [\(host)]:\(portText)")
            }
            guard !host.isEmpty, !host.contains(where: { $0 == "/" || $0 == " " || $0 == "[" || $0 == "]" || $0 == "@" }) else {
                return refuse("is not host:port (e.g. 127.0.0.1:7400, or [::1]:7400 for IPv6)")
            }
        }
        guard let port = Int(portText), (1...65535).contains(port) else { return refuse("has no port from 1 to 65535 after the last colon") }
        return .success(HostPort(host: String(host), port: port))
    }

    /// What to add to a YAML parser's error about `text`: that an IPv6 address in brackets must
    /// be quoted, when the text holds one unquoted (`listen: [::1]:7400` opens a YAML list); else "".
    public static func yamlHint(_ text: String) -> String {
        text.contains(/:[ \t]*\[[0-9A-Fa-f:.]*\]:[0-9]/) ? "\nAn IPv6 address in brackets must be quoted in YAML: listen: \"[::1]:7400\"" : ""
    }

    /// The address of an `https://host:port[/…]` URL, when it has one.
    public static func ofURL(_ url: String) -> HostPort? {
        guard url.hasPrefix("https://") else { return nil }
        let authority = url.dropFirst("https://".count).prefix { $0 != "/" }
        return try? parse(String(authority)).get()
    }
}
