import CreditDomain
import SyncCore

@testable import CreditStore

/// A change set as these tests hand it to a store: its identity and bytes, its changes and
/// their dates (what the runtime reads from the bytes).
struct TestSet {
    var received: ReceivedSet
    var changes: [Change]
    var dates: [RecordDates]

    var firstSeq: Int64 { received.firstSeq }
}

extension NodeStore {
    /// Takes the sets through the real intake (`Intake.take`), then applies every queued set;
    /// `header` reads a held set back from its bytes.
    @discardableResult
    func acceptAndApply(_ sets: [TestSet], forward: Bool, header: (([UInt8]) throws -> ReceivedSet)? = nil) throws -> [Acceptance] {
        let outcomes = try accept(sets.map(\.received), forward: forward) { bytes in
            if let header { return try header(bytes) }
            return sets.first { $0.received.encoded == bytes }!.received
        }
        try applyAllQueued(slice: ApplyPolicy.sliceWithParent) { entry, _ in
            let s = sets.first { $0.received.key == entry.key }!
            return (s.changes, s.dates)
        }
        return outcomes
    }
}
