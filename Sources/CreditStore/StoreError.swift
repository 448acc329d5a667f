/// Why the store refused an operation.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case wrongNode = "store-wrong-node", open = "store-open", corrupt = "store-corrupt", commitFailed = "store-commit-failed", badRule =
            "store-bad-rule", backup = "store-backup"
    }
    public var code: Code
    public var message: String
    public var description: String { message }
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }
}
