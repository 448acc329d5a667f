import Foundation

/// Finds the data files shipped with credit-node (catalogue, calendars) without `Bundle.module`,
/// whose accessor stops the process when the files are missing. Looks in `$CREDITNET_RESOURCES`,
/// then in `CreditNet_CreditDomain.resources` next to the running executable.
public enum ShippedResources {
    public static let bundleName = "CreditNet_CreditDomain.resources"

    /// The directories searched for `bundle`'s files, in order (`$CREDITNET_RESOURCES` names
    /// the domain's directory; other bundles are looked for beside it).
    public static func candidates(bundle: String = ShippedResources.bundleName) -> [URL] {
        var out: [URL] = []
        if let env = ProcessInfo.processInfo.environment["CREDITNET_RESOURCES"], !env.isEmpty {
            let dir = URL(fileURLWithPath: env)
            out.append(bundle == Self.bundleName ? dir : dir.deletingLastPathComponent().appendingPathComponent(bundle))
        }
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            out.append(exe.deletingLastPathComponent().appendingPathComponent(bundle))
        }
        let beside = Bundle.main.bundleURL.appendingPathComponent(bundle)
        if !out.contains(where: { $0.standardizedFileURL.path == beside.standardizedFileURL.path }) { out.append(beside) }
        return out
    }

    /// The path of a shipped file, or nil with the places searched.
    public static func url(_ relativePath: String, bundle: String = bundleName) -> Result<URL, ResourceMissing> {
        let dirs = candidates(bundle: bundle)
        for dir in dirs {
            let url = dir.appendingPathComponent(relativePath)
            if FileManager.default.fileExists(atPath: url.path) { return .success(url) }
        }
        return .failure(ResourceMissing(path: relativePath, searched: dirs.map(\.path)))
    }

    public struct ResourceMissing: Error, CustomStringConvertible {
        public var path: String
        public var searched: [String]
        public var description: String {
            "the shipped file \(path) is missing; install the resource directories next to credit-node or set CREDITNET_RESOURCES (searched: \(searched.joined(separator: ", ")))"
        }
    }
}
