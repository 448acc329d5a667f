import CreditDomain
import Foundation
import SyncCore
import Yams

/// Why a configuration was refused; names the file and the offending key.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case missingFile = "config-missing", invalid = "config-invalid", exists = "config-exists" }
    public var code: Code
    public var message: String
    public var description: String { message }
}

/// One node's configuration (`DIR/node.yaml`), written by `credit-node init`.
public struct NodeConfiguration: Sendable, Hashable {
    public struct Parent: Sendable, Hashable {
        /// `https://host:port` of the parent's sync listener.
        public var url: String
        /// The parent's 12-digit code; its certificate must name it.
        public var code: DivisionCode

        public init(url: String, code: DivisionCode) {
            self.url = url
            self.code = code
        }
    }

    public var code: DivisionCode
    public var name: String?
    /// Directory holding the store and node files.
    public var dataDirectory: String
    /// The SQLite file, relative to the data directory unless absolute.
    public var database: String = "node.sqlite"
    /// `host:port` of the sync listener (used by `serve`).
    public var listen: String?
    public var parent: Parent?
    /// A catalogue file replacing the shipped one.
    public var catalogue: String?
    /// A directory of `YYYY.json` working-day calendars added to the shipped ones.
    public var calendars: String?
    /// The node's certificate directory (`node.pem`, `node.key`, `ca.pem`, optionally `revoked.json`).
    public var identity: String?
    /// The children this node accepts uploads from; each must lie inside its code.
    public var children: [DivisionCode] = []
    /// Hours within which a change must reach the parent (default `Window.hours`).
    public var windowHours: Int?
    /// The window in seconds, for tests and drills that must see a node go at risk within
    /// minutes (60 to 2,592,000); wins over `windowHours`.
    public var windowSeconds: Int?
    /// Seconds between pushes when nothing is pending, each carrying this node's signed health
    /// record (and its subtree's) upward (default: `pushIntervalSeconds`, else 300).
    public var heartbeatSeconds: Int?
    /// `host:port` of the listener for department systems (`POST /v1/records`); when the host is
    /// not a loopback address, clients must present a certificate from the network CA.
    public var recordsListen: String?
    /// `host:port` of the public credit portal (信用X site: 公示, search, subject pages, reports);
    /// read-only, no client certificate. Plain HTTP unless `portalTLS`.
    public var portal: String?
    /// Serve the portal over HTTPS with the node's certificate (default false: a front proxy or
    /// a government intranet terminates TLS).
    public var portalTLS: Bool = false
    /// Seconds between scheduled pushes (default 300).
    public var pushIntervalSeconds: Int?
    /// Seconds between pulls from the parent (default 60).
    public var pullIntervalSeconds: Int?
    /// Changes per page this node serves to a pulling child (default 5,000).
    public var pullPageChanges: Int?
    /// Pending changes that trigger a push at once (default 10,000).
    public var backlogThreshold: Int?
    /// First retry delay after a failed push, doubling up to `backoffMaxSeconds` (defaults 5 and 3,600).
    public var backoffBaseSeconds: Int?
    public var backoffMaxSeconds: Int?
    /// Seconds a connection may stay silent — in its TLS handshake or between requests — before a
    /// listener closes it (default 60).
    public var idleTimeoutSeconds: Int?
    /// Open connections a listener accepts at once; more are closed at once with a log line
    /// (default 1,024).
    public var connectionsMax: Int?
    /// The largest request body a listener reads (default: for the sync listener the most a push
    /// carries, `ChangeSetLimits.pushBytesMax`; 64 MiB for the records listener's files).
    public var uploadBytesMax: Int?

    public var effectiveIdleTimeoutSeconds: Int { idleTimeoutSeconds ?? 60 }
    public var effectiveConnectionsMax: Int { connectionsMax ?? 1024 }

    /// The upward window of this hop.
    public var effectiveWindowHours: Int { windowHours ?? Window.hours(intoParentOf: parent?.code.tier) }

    /// The upward window of this hop in seconds: `windowSeconds`, else the hours.
    public var effectiveWindowSeconds: Int { windowSeconds ?? effectiveWindowHours * 3600 }

    /// Seconds between pushes with nothing pending (the health record's heartbeat).
    public var effectiveHeartbeatSeconds: Int { heartbeatSeconds ?? pushIntervalSeconds ?? 300 }

    public init(code: DivisionCode, dataDirectory: String) {
        self.code = code
        self.dataDirectory = dataDirectory
    }

    public var tier: Tier { code.tier }

    /// Control data received from the parent (revocation list, catalogue, calendars), each
    /// installed only after its CA signature verified.
    public var controlDirectory: String { URL(fileURLWithPath: dataDirectory).appendingPathComponent("control").path }

    public var databasePath: String {
        database.hasPrefix("/") ? database : URL(fileURLWithPath: dataDirectory).appendingPathComponent(database).path
    }

    /// The YAML text of this configuration.
    public func yaml() -> String {
        var lines = [
            "# CreditNet node configuration, written by `credit-node init`.",
            "# The node's identity is its 12-digit division code; its tier follows from it.",
            "code: \"\(code.digits)\"",
            "tier: \(tier.name)",
        ]
        if let name { lines.append("name: \(Self.quote(name))") }
        lines.append("data: \(Self.quote(dataDirectory))")
        lines.append("database: \(Self.quote(database))")
        if let listen { lines.append("listen: \(Self.quote(listen))") }
        if let parent {
            lines.append("parent:")
            lines.append("  url: \(Self.quote(parent.url))")
            lines.append("  code: \"\(parent.code.digits)\"")
        }
        if let catalogue { lines.append("catalogue: \(Self.quote(catalogue))") }
        if let calendars { lines.append("calendars: \(Self.quote(calendars))") }
        if let identity { lines.append("identity: \(Self.quote(identity))") }
        if !children.isEmpty { lines.append("children: [" + children.map { "\"\($0.digits)\"" }.joined(separator: ", ") + "]") }
        if let windowHours { lines.append("windowHours: \(windowHours)") }
        if let windowSeconds { lines.append("windowSeconds: \(windowSeconds)") }
        if let heartbeatSeconds { lines.append("heartbeatSeconds: \(heartbeatSeconds)") }
        if let recordsListen { lines.append("recordsListen: \(Self.quote(recordsListen))") }
        if let portal { lines.append("portal: \(Self.quote(portal))") }
        if portalTLS { lines.append("portalTLS: true") }
        if let pushIntervalSeconds { lines.append("pushIntervalSeconds: \(pushIntervalSeconds)") }
        if let pullIntervalSeconds { lines.append("pullIntervalSeconds: \(pullIntervalSeconds)") }
        if let pullPageChanges { lines.append("pullPageChanges: \(pullPageChanges)") }
        if let backlogThreshold { lines.append("backlogThreshold: \(backlogThreshold)") }
        if let backoffBaseSeconds { lines.append("backoffBaseSeconds: \(backoffBaseSeconds)") }
        if let backoffMaxSeconds { lines.append("backoffMaxSeconds: \(backoffMaxSeconds)") }
        if let idleTimeoutSeconds { lines.append("idleTimeoutSeconds: \(idleTimeoutSeconds)") }
        if let connectionsMax { lines.append("connectionsMax: \(connectionsMax)") }
        if let uploadBytesMax { lines.append("uploadBytesMax: \(uploadBytesMax)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Checks the values that do not depend on files: listen address, parent.
    public func validate(source: String) throws(ConfigurationError) {
        func fail(_ key: String, _ why: String) -> ConfigurationError {
            ConfigurationError(code: .invalid, message: "\(source): key '\(key)': \(why)")
        }
        for (key, value) in [("listen", listen), ("recordsListen", recordsListen), ("portal", portal)] {
            if let value, let problem = HostPort.problem(value) { throw fail(key, problem) }
        }
        for child in children where !(child.tier > code.tier && code.contains(child)) {
            throw fail(
                "children",
                "\(child) (\(child.tier)) cannot be a child of \(code) (\(code.tier)): a child is of a lower tier and lies inside its parent")
        }
        if let parent {
            guard HostPort.ofURL(parent.url) != nil else {
                throw fail(
                    "parent.url",
                    "'\(parent.url)' must be https://host:port, an IPv6 address in brackets (https://[::1]:7400): sync runs over mutual TLS")
            }
            guard parent.code.tier < code.tier, parent.code.contains(code) else {
                throw fail(
                    "parent.code",
                    "\(parent.code) (\(parent.code.tier)) cannot be the parent of \(code) (\(code.tier)): a parent is of a higher tier and contains its child"
                )
            }
        }
    }

    /// Reads and checks a configuration file.
    public static func load(path: String) throws(ConfigurationError) -> NodeConfiguration {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError(
                code: .missingFile, message: "configuration file \(path) does not exist; create one with `credit-node init --code CODE --data DIR`")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError(code: .missingFile, message: "cannot read configuration file \(path): \(error.localizedDescription)")
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw ConfigurationError(code: .invalid, message: "\(path) is not valid YAML: \(error)\(HostPort.yamlHint(text))")
        }
        guard let map = node?.mapping else { throw ConfigurationError(code: .invalid, message: "\(path) must be a YAML mapping of keys to values") }
        func fail(_ key: String, _ why: String) -> ConfigurationError { ConfigurationError(code: .invalid, message: "\(path): key '\(key)': \(why)") }
        // A value given as something else than text is refused, not ignored: an IPv6 address in
        // brackets left unquoted reads as a YAML list.
        func string(_ m: Node.Mapping, _ key: String) throws(ConfigurationError) -> String? {
            guard let value = m[key] else { return nil }
            guard let text = value.scalar?.string else {
                throw fail(key, "must be text, not a YAML list or mapping; quote an IPv6 address in brackets: \(key): \"[::1]:7400\"")
            }
            return text
        }
        let known: Set<String> = [
            "code", "tier", "name", "data", "database", "listen", "parent", "catalogue", "calendars", "identity", "children", "windowHours",
            "windowSeconds", "heartbeatSeconds", "recordsListen", "portal", "portalTLS", "pushIntervalSeconds", "pullIntervalSeconds",
            "pullPageChanges", "backlogThreshold", "backoffBaseSeconds", "backoffMaxSeconds", "idleTimeoutSeconds", "connectionsMax",
            "uploadBytesMax",
        ]
        for k in map.keys {
            if let s = k.string, !known.contains(s) { throw fail(s, "unknown key; known keys are \(known.sorted().joined(separator: ", "))") }
        }
        guard let codeText = try string(map, "code") else { throw fail("code", "missing; the node's 12-digit division code") }
        let code: DivisionCode
        do { code = try DivisionCode(codeText) } catch { throw fail("code", "'\(codeText)' is not a division code: \(error.message)") }
        if let tier = try string(map, "tier"), tier != code.tier.name {
            throw fail("tier", "'\(tier)' does not match the code \(code), which is a \(code.tier.name) code")
        }
        guard let data = try string(map, "data") else { throw fail("data", "missing; the node's data directory") }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        var config = NodeConfiguration(
            code: code, dataDirectory: data.hasPrefix("/") ? data : base.appendingPathComponent(data).standardizedFileURL.path)
        config.name = try string(map, "name")
        if let db = try string(map, "database") { config.database = db }
        config.listen = try string(map, "listen")
        config.recordsListen = try string(map, "recordsListen")
        config.portal = try string(map, "portal")
        if let t = map["portalTLS"] {
            guard let b = t.bool else { throw fail("portalTLS", "'\(t.string ?? "?")' is not true or false") }
            config.portalTLS = b
        }
        if let p = map["parent"] {
            guard let pm = p.mapping, let url = pm["url"]?.string, let pc = pm["code"]?.string else {
                throw fail("parent", "must hold 'url' (https://host:port) and 'code' (the parent's 12-digit code)")
            }
            do { config.parent = Parent(url: url, code: try DivisionCode(pc)) } catch {
                throw fail("parent.code", "'\(pc)' is not a division code: \(error.message)")
            }
        }
        config.catalogue = try string(map, "catalogue").map { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).path }
        config.calendars = try string(map, "calendars").map { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).path }
        config.identity = try string(map, "identity").map { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).standardizedFileURL.path }
        if let w = map["windowHours"] {
            guard let hours = w.int, (1...720).contains(hours) else {
                throw fail("windowHours", "'\(w.string ?? "?")' is not a number of hours from 1 to 720")
            }
            config.windowHours = hours
        }
        for (key, range, path) in [
            ("pushIntervalSeconds", 1...86_400, \NodeConfiguration.pushIntervalSeconds), ("pullIntervalSeconds", 1...86_400, \.pullIntervalSeconds),
            ("pullPageChanges", 1...100_000, \.pullPageChanges), ("windowSeconds", 60...2_592_000, \.windowSeconds),
            ("heartbeatSeconds", 1...86_400, \.heartbeatSeconds),
            ("backlogThreshold", 1...10_000_000, \.backlogThreshold),
            ("backoffBaseSeconds", 1...3600, \.backoffBaseSeconds), ("backoffMaxSeconds", 1...86_400, \.backoffMaxSeconds),
            ("idleTimeoutSeconds", 1...3600, \.idleTimeoutSeconds), ("connectionsMax", 1...1_000_000, \.connectionsMax),
            ("uploadBytesMax", 1024...(1 << 30), \.uploadBytesMax),
        ] {
            guard let v = map[key] else { continue }
            guard let n = v.int, range.contains(n) else {
                throw fail(key, "'\(v.string ?? "?")' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            config[keyPath: path] = n
        }
        if let list = map["children"] {
            guard let items = list.sequence else { throw fail("children", "must be a list of 12-digit codes") }
            for item in items {
                guard let text = item.string, let child = try? DivisionCode(text) else {
                    throw fail("children", "'\(item.string ?? "?")' is not a division code")
                }
                config.children.append(child)
            }
        }
        try config.validate(source: path)
        return config
    }

    /// Writes `node.yaml` into the data directory (creating it); refuses to overwrite unless `force`.
    @discardableResult
    public func write(force: Bool = false) throws(ConfigurationError) -> String {
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent("node.yaml").path
        if !force && FileManager.default.fileExists(atPath: path) {
            throw ConfigurationError(code: .exists, message: "\(path) exists already; pass --force to replace it")
        }
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            try Data(yaml().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ConfigurationError(code: .invalid, message: "cannot write \(path): \(error.localizedDescription)")
        }
        return path
    }
}
