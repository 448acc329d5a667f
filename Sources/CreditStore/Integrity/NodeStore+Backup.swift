import Foundation
import GRDB

/// What `backup` wrote.
public struct BackupSummary: Sendable, Hashable, Codable {
    public var path: String
    public var bytes: Int64
    public var records: Int
    public var changes: Int
}

extension NodeStore {
    /// Copies the store into a new file at `path` while the node runs: SQLite's online backup,
    /// one read transaction, so the copy is the store as of one commit. The copy is checked
    /// (`quick_check`, and that it is this node's store) before it takes its name, readable by its
    /// owner only (it holds ID numbers), and on disk when this returns; an existing file is never
    /// replaced, and a failed backup leaves nothing under `path`.
    public func backup(to path: String) throws -> BackupSummary {
        let url = URL(fileURLWithPath: path)
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(code: .backup, message: "\(path) exists already; a backup never replaces a file: name a new one")
        }
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
        func fail(_ why: String) -> StoreError {
            for suffix in ["", "-journal", "-wal", "-shm"] { unlink(partial + suffix) }
            return StoreError(code: .backup, message: "cannot write the backup \(path): \(why); nothing was written there")
        }
        let summary: BackupSummary
        do {
            // Created readable by its owner only, before a byte of the store is in it.
            let fd = open(partial, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw fail(String(cString: strerror(errno))) }
            close(fd)
            var configuration = Configuration()
            configuration.journalMode = .default
            let copy = try DatabaseQueue(path: partial, configuration: configuration)
            try pool.backup(to: copy)
            let (check, code, records, changes) = try copy.read { db in
                (
                    try String.fetchAll(db, sql: "PRAGMA quick_check"), try String.fetchOne(db, sql: "SELECT code FROM node WHERE id = 1"),
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM records") ?? 0, try Int.fetchOne(db, sql: "SELECT count(*) FROM changes") ?? 0
                )
            }
            try copy.close()
            guard check == ["ok"] else { throw fail("the copy fails SQLite's check (\(check.prefix(3).joined(separator: "; ")))") }
            guard code == node.digits else { throw fail("the copy names node \(code ?? "none"), not \(node.digits)") }
            let file = open(partial, O_RDONLY)
            guard file >= 0, fsync(file) == 0 else {
                if file >= 0 { close(file) }
                throw fail("it could not be flushed to disk: \(String(cString: strerror(errno)))")
            }
            close(file)
            guard rename(partial, path) == 0 else { throw fail(String(cString: strerror(errno))) }
            let dir = open(url.deletingLastPathComponent().path, O_RDONLY)
            if dir >= 0 {
                fsync(dir)
                close(dir)
            }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.int64Value ?? 0
            summary = BackupSummary(path: path, bytes: bytes, records: records, changes: changes)
        } catch let error as StoreError {
            throw error
        } catch {
            throw fail("\(error)")
        }
        return summary
    }
}
