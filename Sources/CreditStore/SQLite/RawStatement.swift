import GRDB
import GRDBSQLite

/// A prepared statement driven through the C API, for the ingest hot path where GRDB's
/// argument boxing would cost more than the insert itself. Used only inside one GRDB
/// transaction closure. The statement itself is the connection's, from GRDB's statement cache:
/// compiled once per connection and SQL text, not once per transaction — compiling (with the
/// triggers an insert into `records` fires, and GRDB's authoriser called for every column read)
/// cost more than the simulator's whole record traffic (PERFORMANCE.md, session 17).
final class RawStatement {
    private let db: OpaquePointer
    private let stmt: OpaquePointer
    /// Keeps the cached statement alive while this wraps it.
    private let owner: Statement
    let sql: String

    init(_ database: Database, _ sql: String) throws {
        guard let connection = database.sqliteConnection else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "database connection is closed")
        }
        let statement = try database.cachedStatement(sql: sql)
        self.db = connection
        self.stmt = statement.sqliteStatement
        self.owner = statement
        self.sql = sql
        // Whatever an earlier user left (an error between step and reset): start clean.
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    /// Back to the cache reset, so that it holds no read open and points at no bound bytes.
    deinit {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ text: String) {
        var t = text
        t.withUTF8 { p in
            guard let base = p.baseAddress else {
                _ = sqlite3_bind_text(stmt, index, "", 0, Self.transient)
                return
            }
            _ = sqlite3_bind_text(stmt, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(p.count), Self.transient)
        }
    }

    /// Binds bytes that stay valid and unchanged until the statement is reset (SQLITE_STATIC:
    /// SQLite reads them in place instead of copying).
    func bindStatic(_ index: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) {
        _ = sqlite3_bind_text(stmt, index, UnsafeRawPointer(bytes).assumingMemoryBound(to: CChar.self), Int32(count), nil)
    }

    func bind(_ index: Int32, _ text: String?) {
        if let text { bind(index, text) } else { sqlite3_bind_null(stmt, index) }
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(stmt, index, value) }

    /// Runs the statement to completion; returns true if it produced a row (left for `column…`).
    @discardableResult
    func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let message = String(cString: sqlite3_errmsg(db))
        sqlite3_reset(stmt)
        throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message, sql: sql)
    }

    func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }

    func lastRowID() -> Int64 { sqlite3_last_insert_rowid(db) }

    func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(stmt, column) else { return nil }
        let n = Int(sqlite3_column_bytes(stmt, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// Rows changed by the last statement on this connection.
    var changes: Int { Int(sqlite3_changes(db)) }
}
