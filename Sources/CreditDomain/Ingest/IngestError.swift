/// Why a whole input file was refused. Nothing of a refused file is written.
public struct IngestError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case unreadable = "file-unreadable"
        case empty = "file-empty"
        case undecodable = "file-undecodable"
        case noHeader = "no-usable-header"
        case duplicateColumn = "duplicate-column"
        case missingColumns = "missing-required-columns"
        case unknownFormat = "unknown-format"
        case tooLarge = "file-too-large"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
