import Crypto
import Foundation
import GRDB

/// What an attachment belongs to: a report of dishonest conduct (`complaints`) or a request from
/// the public about a record (`objection_requests`: an objection or a repair application).
public enum AttachmentOwner: String, Sendable, Hashable, Codable {
    case complaint
    case request
}

/// A file the public attached (migration v39), as kept: its place among its owner's files, its name
/// as the sender's file was named, its type (`image/jpeg`, `image/png`, `application/pdf`), size
/// and SHA-256 (hex).
public struct Attachment: Sendable, Hashable, Codable {
    public var position: Int
    public var name: String
    public var type: String
    public var size: Int
    public var sha256: String
}

extension NodeStore {
    /// A file as received, to keep with what it came with.
    public struct NewAttachment: Sendable {
        public var name: String
        public var type: String
        public var bytes: [UInt8]

        public init(name: String, type: String, bytes: [UInt8]) {
            self.name = name
            self.type = type
            self.bytes = bytes
        }
    }

    /// Writes `files` as `owner` `id`'s, numbered from 1, inside the caller's transaction (the one
    /// that keeps what they came with: both or neither).
    static func insertAttachments(_ db: Database, of owner: AttachmentOwner, id: Int64, _ files: [NewAttachment]) throws {
        for (i, file) in files.enumerated() {
            try db.execute(
                sql: "INSERT INTO attachments (owner, owner_id, position, name, type, size, sha256, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    owner.rawValue, id, i + 1, file.name, file.type, file.bytes.count,
                    SHA256.hash(data: file.bytes).map { String(format: "%02x", $0) }.joined(), Data(file.bytes),
                ])
        }
    }

    /// `owner` `id`'s files, in order, without their bytes.
    public func attachments(of owner: AttachmentOwner, _ id: Int64) throws -> [Attachment] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT position, name, type, size, sha256 FROM attachments WHERE owner = ? AND owner_id = ? ORDER BY position",
                arguments: [owner.rawValue, id]
            ).map { Attachment(position: $0[0], name: $0[1], type: $0[2], size: $0[3], sha256: $0[4]) }
        }
    }

    /// File `position` of `owner` `id`, with its bytes; nil when there is none.
    public func attachment(of owner: AttachmentOwner, _ id: Int64, position: Int) throws -> (file: Attachment, bytes: [UInt8])? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT position, name, type, size, sha256, bytes FROM attachments WHERE owner = ? AND owner_id = ? AND position = ?",
                arguments: [owner.rawValue, id, position]
            ).map { row in
                let bytes: Data = row[5]
                return (Attachment(position: row[0], name: row[1], type: row[2], size: row[3], sha256: row[4]), Array(bytes))
            }
        }
    }

    /// How many files `owner` `id` holds.
    public func attachmentCount(of owner: AttachmentOwner, _ id: Int64) throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM attachments WHERE owner = ? AND owner_id = ?", arguments: [owner.rawValue, id]) ?? 0
        }
    }
}
