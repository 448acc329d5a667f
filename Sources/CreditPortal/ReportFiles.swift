import Foundation

/// How the offices' reports are written as files (`bulletin`, `commitments`, `integrity`,
/// `feedback` with `--json`): indented, keys sorted, slashes as they are — one document a person
/// can read and a script can compare from one run to the next.
enum ReportFiles {
    static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
