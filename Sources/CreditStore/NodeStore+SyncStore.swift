import SyncCore

/// The SQLite implementation of the sync core's storage: every operation one transaction of the
/// node's database (Outbox/ and Downward/ hold them).
extension NodeStore: SyncStore {}
