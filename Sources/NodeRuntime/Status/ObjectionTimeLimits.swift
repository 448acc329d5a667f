import CreditDomain
import CreditStore
import Foundation

/// An objection open at this node with its time limit (DOMAIN.md §4): once the objection is
/// accepted and the record marked 异议处理中, the unit that owns the record decides within the
/// catalogue's `objectionWorkingDays.decide` working days of the day it was opened, or
/// `assisted` where another unit must help verify (协查) — then keeps, corrects or withdraws the
/// record and the mark is cleared everywhere. What `/ops/work` lists, its card on `/ops/` counts,
/// and the public's request page states.
public struct OpenObjection: Sendable, Encodable {
    public enum Standing: String, Sendable, Encodable, CaseIterable {
        /// Within its time limit (or no limit is set).
        case within
        /// Today is the last day of its time limit.
        case lastDay = "last-day"
        /// Past its time limit.
        case overdue
    }

    /// The record's row: the pages' handle on it (its key may hold a person's ID number).
    public var rowID: Int64
    public var key: String
    public var kind: String
    /// The day the objection was opened (its status change's date).
    public var openedOn: CivilDate?
    public var limits: ObjectionDueDates?
    /// Marked for assisted verification (协查, `objection-assisted`): its limit is the longer one.
    public var assisted: Bool
    /// The record's publicity ended while the objection was open (公示期满): still decided.
    public var publicityEnded: Bool
    public var standing: Standing

    /// The last day for the decision: the assisted limit once marked 协查, the decision's otherwise.
    public var dueBy: CivilDate? { limits?.due(assisted: assisted) }

    /// Past its time limit (red on the pages, counted on `/ops/`).
    public var pastLimit: Bool { standing == .overdue }
}

extension OpenObjection.Standing {
    /// Where a matter with its last day `dueBy` stands `today` (an objection, a report of
    /// dishonest conduct).
    public init(dueBy: CivilDate, today: CivilDate) {
        self = today < dueBy ? .within : today == dueBy ? .lastDay : .overdue
    }
}

/// The last day for deciding an objection opened on a day, by the working-day calendar.
public struct ObjectionDueDates: Sendable, Hashable, Encodable {
    public var decide: CivilDate
    public var assisted: CivilDate
    /// Counted through a year without an official schedule (`Deadline.provisional`).
    public var provisional: Bool

    /// Nil when the catalogue sets no limit, or a day counted lies beyond every calendar.
    public init?(openedOn: CivilDate, limit: Catalogue.ObjectionTimeLimit?, calendar: WorkingCalendar) {
        guard let limit,
            let decide = try? calendar.deadline(workingDays: limit.decide, after: openedOn),
            let assisted = try? calendar.deadline(workingDays: limit.assisted, after: openedOn)
        else { return nil }
        self.decide = decide.date
        self.assisted = assisted.date
        provisional = decide.provisional || assisted.provisional
    }

    /// The last day: `assisted` when another unit helps verify (协查), `decide` otherwise.
    public func due(assisted helped: Bool) -> CivilDate { helped ? assisted : decide }

    public func standing(today: CivilDate, assisted helped: Bool) -> OpenObjection.Standing {
        OpenObjection.Standing(dueBy: due(assisted: helped), today: today)
    }
}

extension NodeContext {
    /// The objections open here, oldest first, each with its time limit and where it stands
    /// today; at most `limit`, all when nil.
    public func openObjections(today: CivilDate, limit: Int? = nil) throws -> [OpenObjection] {
        let rule = catalogue.objectionWorkingDays
        let calendar = self.calendar
        return try store.openObjections(limit: limit).map { o in
            let limits = o.openedOn.flatMap { ObjectionDueDates(openedOn: $0, limit: rule, calendar: calendar) }
            return OpenObjection(
                rowID: o.rowID, key: o.key, kind: o.kind, openedOn: o.openedOn, limits: limits, assisted: o.assisted,
                publicityEnded: o.publicityEnded,
                standing: limits?.standing(today: today, assisted: o.assisted) ?? .within)
        }
    }

    /// Where record `key`'s objection stands — open with its time limit, closed with its
    /// decision, or none. Without `opening`, the record's latest objection; with it (the
    /// `origin:seq` of an objection's opening, as a request from the public keeps it), that
    /// objection: closed by the first closing after it, even if another has been opened since.
    public func objectionProgress(key: String, opening: String? = nil) throws -> ObjectionProgress {
        ObjectionProgress(history: try store.statusHistory(key: key), opening: opening) {
            ObjectionDueDates(openedOn: $0, limit: catalogue.objectionWorkingDays, calendar: calendar)
        }
    }
}

/// A record's objection: open (with its time limit, when the catalogue sets one, and the
/// 协查 mark when another unit helps verify), closed (the closing decision), or none ever opened.
public enum ObjectionProgress: Sendable {
    case open(on: CivilDate, ObjectionDueDates?, assisted: StatusChange?)
    case closed(StatusChange)
    case none

    /// From a record's status history (oldest first by HLC and origin): the objection opened by
    /// `opening` (`origin:seq`), or the latest one when nil or not found.
    init(history: [StatusEntry], opening: String?, due: (CivilDate) -> ObjectionDueDates?) {
        let objection = history.filter { [.objectionOpened, .objectionAssisted, .objectionClosed].contains($0.status.action) }
        let start =
            opening.flatMap { o in objection.firstIndex { $0.status.action == .objectionOpened && "\($0.origin):\($0.seq)" == o } }
            ?? objection.lastIndex { $0.status.action == .objectionOpened }
        guard let start else {
            self = objection.last { $0.status.action == .objectionClosed }.map { .closed($0.status) } ?? .none
            return
        }
        let after = objection[(start + 1)...]
        if let closing = after.first(where: { $0.status.action == .objectionClosed }) {
            self = .closed(closing.status)
            return
        }
        let opened = objection[start].status.date
        self = .open(on: opened, due(opened), assisted: after.first { $0.status.action == .objectionAssisted }?.status)
    }

    /// The last day for the decision of an open objection (the assisted limit once marked 协查).
    public var dueBy: CivilDate? {
        guard case .open(_, let due, let assisted) = self else { return nil }
        return due?.due(assisted: assisted != nil)
    }

    /// The assisted limit an open objection would take, while no 协查 is marked.
    public var dueAssisted: CivilDate? {
        guard case .open(_, let due, nil) = self else { return nil }
        return due?.assisted
    }

    /// An open objection marked 协查.
    public var assisted: Bool {
        guard case .open(_, _, .some) = self else { return false }
        return true
    }
}
