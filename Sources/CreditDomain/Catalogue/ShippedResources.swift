import Foundation

/// Finds the data files shipped with credit-node (catalogue, calendars) without `Bundle.module`,
/// whose accessor stops the process when the files are missing. Looks in `$CREDITNET_RESOURCES`,
/// then in `CreditNet_CreditDomain.resources` next to the running executable.
public enum ShippedResources {
    public static let bundleName = "CreditNet_CreditDomain.resources"

    /// The directories searched, in order.
    public static var candidates: [URL] {
        var out: [URL] = []
        if let env = ProcessInfo.processInfo.environment["CREDITNET_RESOURCES"], !env.isEmpty {
            out.append(URL(fileURLWithPath: env))
        }
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            out.append(exe.deletingLastPathComponent().appendingPathComponent(bundleName))
        }
        let beside = Bundle.main.bundleURL.appendingPathComponent(bundleName)
        if !out.contains(where: { $0.standardizedFileURL.path == beside.standardizedFileURL.path }) { out.append(beside) }
        return out
    }

    /// The path of a shipped file, or nil with the places searched.
    public static func url(_ relativePath: String) -> Result<URL, ResourceMissing> {
        for dir in candidates {
            let url = dir.appendingPathComponent(relativePath)
            if FileManager.default.fileExists(atPath: url.path) { return .success(url) }
        }
        return .failure(ResourceMissing(path: relativePath, searched: candidates.map(\.path)))
    }

    public struct ResourceMissing: Error, CustomStringConvertible {
        public var path: String
        public var searched: [String]
        public var description: String {
            "the shipped file \(path) is missing; install the \(ShippedResources.bundleName) directory next to credit-node or set CREDITNET_RESOURCES (searched: \(searched.joined(separator: ", ")))"
        }
    }
}
