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
    public enum Standing: String, Sendable, Encodable {
        /// Within the decision's time limit (or no limit is set).
        case within
        /// Past the decision's limit, within the one for an assisted verification.
        case pastDecide = "past-decide"
        /// Past both.
        case overdue
    }

    /// The record's row: the pages' handle on it (its key may hold a person's ID number).
    public var rowID: Int64
    public var key: String
    public var kind: String
    /// The day the objection was opened (its status change's date).
    public var openedOn: CivilDate?
    public var limits: ObjectionDueDates?
    public var standing: Standing

    /// Past the decision's time limit (amber or red on the pages).
    public var pastLimit: Bool { standing != .within }
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

    public func standing(today: CivilDate) -> OpenObjection.Standing {
        today <= decide ? .within : today <= assisted ? .pastDecide : .overdue
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
                rowID: o.rowID, key: o.key, kind: o.kind, openedOn: o.openedOn, limits: limits, standing: limits?.standing(today: today) ?? .within)
        }
    }

    /// Where record `key`'s objection stands — open with its time limit, closed with its
    /// decision, or none — by the last opening or closing among its status changes.
    public func objectionProgress(key: String) throws -> ObjectionProgress {
        let last = try store.statusHistory(key: key).last { $0.status.action == .objectionOpened || $0.status.action == .objectionClosed }
        guard let last else { return .none }
        if last.status.action == .objectionClosed { return .closed(last.status) }
        return .open(on: last.status.date, ObjectionDueDates(openedOn: last.status.date, limit: catalogue.objectionWorkingDays, calendar: calendar))
    }
}

/// A record's objection: open (with its time limit, when the catalogue sets one), closed (the
/// closing decision), or none ever opened.
public enum ObjectionProgress: Sendable {
    case open(on: CivilDate, ObjectionDueDates?)
    case closed(StatusChange)
    case none
}
