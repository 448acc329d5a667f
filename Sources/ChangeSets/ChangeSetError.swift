/// Why a change set or bundle was refused; each failure has its own code. Nothing of a refused
/// input is applied.
public struct ChangeSetError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case badMagic = "bad-magic"
        case unknownVersion = "unknown-format-version"
        case truncated
        case oversized
        case trailingBytes = "trailing-bytes"
        case badHeader = "bad-header"
        case bodyHashMismatch = "body-hash-mismatch"
        case badBody = "bad-body"
        case merkleMismatch = "merkle-root-mismatch"
        case badLine = "bad-line"
        case countMismatch = "count-mismatch"
        case originMismatch = "origin-mismatch"
        case sequenceGap = "sequence-gap"
        case brokenChain = "broken-chain"
        case outsideJurisdiction = "outside-jurisdiction"
        case badCertificate = "bad-certificate"
        case unknownCA = "unknown-ca"
        case revoked = "revoked-certificate"
        case expired = "expired-certificate"
        case identityMismatch = "identity-mismatch"
        case badSignature = "bad-signature"
        case badProof = "bad-inclusion-proof"
        case notRelevant = "not-relevant"
        case badControl = "bad-control-document"
        case wrongAddressee = "wrong-addressee"
        case outsideSubtree = "outside-subtree"
        case jurisdictionMismatch = "jurisdiction-mismatch"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code.rawValue)]" }
}

/// Hard limits on every size and count read, so that a hostile input cannot exhaust memory.
public struct ChangeSetLimits: Sendable, Hashable {
    public var headerBytesMax = 4096
    public var bodyBytesMax = 64 << 20
    public var uncompressedBytesMax = 256 << 20
    public var changesMax = 200_000
    public var lineBytesMax = 1 << 20
    public var certificateBytesMax = 8192
    public var signatureBytesMax = 128
    public var changeSetsPerBundleMax = 10_000
    public var bundleBytesMax = 1 << 30

    public init() {}

    /// The most bytes one change set can take: its body, its header, and its trailer
    /// (certificate and signature) with room to spare.
    public var setBytesMax: Int { bodyBytesMax + headerBytesMax + 64 * 1024 }

    /// The most bytes one push can take: a child packs change sets into a bundle while they fit
    /// in `setBytesMax` together (and always at least one, which fits by itself), and the bundle
    /// adds its header and its sender's trailer. The sync listener reads no more than this.
    public var pushBytesMax: Int { setBytesMax + 64 * 1024 }
}
