import CreditDomain
import Foundation
import GRDB

/// A report of dishonest conduct (失信举报) made by a member of the public on the portal
/// (`complaints`, migration v34): kept at this node only, never synced — it may name its reporter.
public struct Complaint: Sendable, Hashable, Codable {
    /// Where a report stands.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Received, not yet answered by the office.
        case pending
        /// Accepted and handed to the unit that deals with it (`unit`).
        case accepted
        /// Not accepted, with the reason the reporter reads (`decision`).
        case refused
        /// The unit's finding entered with the reply the reporter reads (`decision`).
        case closed
    }

    /// What the unit found.
    public enum Finding: String, Sendable, Hashable, Codable, CaseIterable {
        case substantiated, partly, unfounded

        /// 属实, 部分属实, 不属实.
        public var name: String {
            switch self {
            case .substantiated: "属实"
            case .partly: "部分属实"
            case .unfounded: "不属实"
            }
        }
    }

    public var id: Int64
    /// Milliseconds since 1970 (UTC).
    public var at: Int64
    /// The follow-up code (`ObjectionRequestCode`'s alphabet), as stored.
    public var code: String
    public var subjectName: String
    /// The subject's unified social credit code, when the reporter gave it.
    public var subjectCode: String?
    public var category: String
    /// The division (of this node's area) where it happened, when given.
    public var region: String?
    /// The day it happened (`yyyy-MM-dd`), when given.
    public var occurred: String?
    public var content: String
    /// The reporter's name and contact; nil for an anonymous report.
    public var reporter: String?
    public var contact: String?
    public var state: State
    /// The unit the office handed it to.
    public var unit: String?
    public var acceptedAt: Int64?
    public var decidedAt: Int64?
    /// A refusal's reason, or the reply closing it.
    public var decision: String?
    public var finding: Finding?
    /// The record the unit entered about it (a penalty), when it names one.
    public var recordKey: String?

    /// Nobody to call back: neither name nor contact given.
    public var anonymous: Bool { reporter == nil && contact == nil }
}

extension NodeStore {
    /// What a report holds as received; the store adds its number, time and state.
    public struct NewComplaint: Sendable {
        public var code: String
        public var subjectName: String
        public var subjectCode: String?
        public var category: String
        public var region: String?
        public var occurred: String?
        public var content: String
        public var reporter: String?
        public var contact: String?
        /// The files attached (举报材料), in the order given.
        public var evidence: [NewAttachment]

        public init(
            code: String, subjectName: String, subjectCode: String?, category: String, region: String?, occurred: String?, content: String,
            reporter: String?, contact: String?, evidence: [NewAttachment] = []
        ) {
            self.evidence = evidence
            self.code = code
            self.subjectName = subjectName
            self.subjectCode = subjectCode
            self.category = category
            self.region = region
            self.occurred = occurred
            self.content = content
            self.reporter = reporter
            self.contact = contact
        }
    }

    /// Keeps a report and its files in one transaction; returns its number.
    public func addComplaint(_ c: NewComplaint, now: Date = Date()) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO complaints (at, code, subject_name, subject_code, category, region, occurred, content, reporter, contact)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    ChinaTime.milliseconds(now), c.code, c.subjectName, c.subjectCode, c.category, c.region, c.occurred, c.content, c.reporter,
                    c.contact,
                ])
            let id = db.lastInsertedRowID
            try Self.insertAttachments(db, of: .complaint, id: id, c.evidence)
            return id
        }
    }

    /// Reports still to answer or to close: pending, then accepted, oldest first; at most `limit`.
    public func openComplaints(limit: Int = .max) throws -> [Complaint] {
        try read { db in
            // Each state read in the order of its index, stopped at the limit.
            var out: [Complaint] = []
            for state in [Complaint.State.pending, .accepted] where out.count < limit {
                out += try Row.fetchAll(
                    db,
                    sql: "SELECT \(Self.complaintColumns) FROM complaints INDEXED BY complaints_by_state WHERE state = ? ORDER BY at LIMIT ?",
                    arguments: [state.rawValue, limit - out.count]
                ).map(Self.complaint)
            }
            return out
        }
    }

    /// The latest `limit` reports answered (refused or closed), the latest answer first.
    public func answeredComplaints(limit: Int) throws -> [Complaint] {
        try read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT \(Self.complaintColumns) FROM complaints INDEXED BY complaints_answered WHERE decided_at IS NOT NULL ORDER BY decided_at DESC LIMIT ?",
                arguments: [limit]
            ).map(Self.complaint)
        }
    }

    /// The reports still to answer or to close counted by state and by the China day they came
    /// (`CivilDate.dayNumber`): what counting them against their limit needs, without their text.
    public func openComplaintDays() throws -> [(state: Complaint.State, day: Int, count: Int)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT state, (at + ?) / 86400000 AS day, count(*) FROM complaints INDEXED BY complaints_by_state
                    WHERE state IN ('pending', 'accepted') GROUP BY state, day
                    """, arguments: [Int64(ChinaTime.offsetSeconds) * 1000]
            ).map { (Complaint.State(rawValue: $0[0]) ?? .pending, $0[1], $0[2]) }
        }
    }

    public func complaint(id: Int64) throws -> Complaint? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.complaintColumns) FROM complaints WHERE id = ?", arguments: [id]).map(Self.complaint)
        }
    }

    /// The report followed with `code` (as stored: `ObjectionRequestCode.normalized`).
    public func complaint(code: String) throws -> Complaint? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.complaintColumns) FROM complaints WHERE code = ?", arguments: [code]).map(Self.complaint)
        }
    }

    /// Reports received from `since` on (milliseconds since 1970), by state and by category.
    public func complaintCounts(since: Int64) throws -> (byState: [Complaint.State: Int], byCategory: [String: Int]) {
        try read { db in
            var states: [Complaint.State: Int] = [:]
            var categories: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT state, category, count(*) FROM complaints INDEXED BY complaints_by_state WHERE at >= ? GROUP BY state, category",
                arguments: [since])
            {
                let n: Int = row[2]
                if let state = Complaint.State(rawValue: row[0]) { states[state, default: 0] += n }
                categories[row[1], default: 0] += n
            }
            return (states, categories)
        }
    }

    /// Accepts a pending report, handed to `unit`; false when it is not pending.
    public func acceptComplaint(id: Int64, unit: String, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE complaints SET state = 'accepted', unit = ?, accepted_at = ? WHERE id = ? AND state = 'pending'",
                arguments: [unit, ChinaTime.milliseconds(now), id])
            return db.changesCount > 0
        }
    }

    /// Refuses a pending report with the reason its reporter reads; false when it is not pending.
    public func refuseComplaint(id: Int64, reason: String, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE complaints SET state = 'refused', decision = ?, decided_at = ? WHERE id = ? AND state = 'pending'",
                arguments: [reason, ChinaTime.milliseconds(now), id])
            return db.changesCount > 0
        }
    }

    /// Closes an accepted report with the unit's finding, the reply and the record it names;
    /// false when it is not accepted (pending, refused or closed before).
    public func closeComplaint(id: Int64, finding: Complaint.Finding, reply: String, recordKey: String?, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE complaints SET state = 'closed', finding = ?, decision = ?, record_key = ?, decided_at = ?
                    WHERE id = ? AND state = 'accepted'
                    """,
                arguments: [finding.rawValue, reply, recordKey, ChinaTime.milliseconds(now), id])
            return db.changesCount > 0
        }
    }

    static let complaintColumns =
        "id, at, code, subject_name, subject_code, category, region, occurred, content, reporter, contact, state, unit, accepted_at, decided_at, decision, finding, record_key"

    static func complaint(_ r: Row) -> Complaint {
        Complaint(
            id: r[0], at: r[1], code: r[2], subjectName: r[3], subjectCode: r[4], category: r[5], region: r[6], occurred: r[7], content: r[8],
            reporter: r[9], contact: r[10], state: Complaint.State(rawValue: r[11]) ?? .pending, unit: r[12], acceptedAt: r[13], decidedAt: r[14],
            decision: r[15], finding: (r[16] as String?).flatMap(Complaint.Finding.init(rawValue:)), recordKey: r[17])
    }
}
