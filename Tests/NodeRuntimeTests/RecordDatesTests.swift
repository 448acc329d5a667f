import CreditDomain
import CreditStore
import Foundation
import SampleData
import SyncCore
import Testing

@testable import NodeRuntime

@Suite("Dates of received records")
struct RecordDatesTests {
    /// The receiving side reads subject, decision date, deadline, lateness and end of publicity
    /// from the body alone, and whether the version is in force (a third of the licences 无效, of
    /// the listings removed); the ingesting side's validator is the oracle.
    @Test func aReceivedVersionGetsTheDatesItsOriginComputed() throws {
        let catalogue = try Catalogue.bundled()
        let calendar = try WorkingCalendar.load()
        let kinds = Dictionary(uniqueKeysWithValues: try catalogue.resolvedKinds().map { ($0.slug, $0) })
        var reader = RecordDatesReader(kinds: kinds, calendar: calendar)
        let node = try DivisionCode("420102002201")
        let today = CivilDate(year: 2026, month: 11, day: 20)!
        // Noon in China on `today`, as the change's entry time.
        let entered = Int64(today.dayNumber) * 86_400_000 - Int64(ChinaTime.offsetSeconds) * 1000 + 12 * 3_600_000
        var checked = 0
        var late = 0
        var outOfForce = 0
        for kind in kinds.values.sorted(by: { $0.slug < $1.slug }) {
            var options = SampleGenerator.Options(seed: 3, node: node, asOf: today)
            options.faultShare = 0
            options.lateShare = 0.3
            var generator = SampleGenerator(options)
            var validator = RecordValidator(kind: kind, context: ValidationContext(node: node, today: today, calendar: calendar))
            for (i, row) in generator.rows(kind: kind, count: 40).enumerated() {
                var values = row.values
                if i % 3 == 0, let state = kind.index["ZT"] { values[state] = "2" }
                if i % 3 == 0, let state = kind.index["MDZT"], let removed = kind.index["YCRQ"], let reason = kind.index["YCYY"] {
                    (values[state], values[removed], values[reason]) = ("已移出", today.iso, "信用修复完成")
                }
                guard case .valid(let r) = validator.validate(values) else { continue }
                let change = Change(
                    origin: node.digits, seq: 1, hlc: HLCStamp(rawValue: 1), enteredAtMilliseconds: entered, op: "put", kind: kind.slug, key: r.key,
                    jurisdiction: r.jurisdiction.digits, body: r.fieldsJSON)
                let d = reader.dates(change)
                #expect(
                    d
                        == RecordDates(
                            decision: r.decisionDate, deadline: r.publicationDeadline, late: r.late, subject: r.subjectCode,
                            publicityUntil: r.publicityUntil, inForce: r.inForce), "\(kind.slug) \(r.key)")
                checked += 1
                if d.late { late += 1 }
                if !d.inForce { outOfForce += 1 }
            }
        }
        #expect(checked > 300 && late > 0 && outOfForce >= 2 * 13, "\(outOfForce)")
        // A status change and an unknown kind carry no dates.
        let status = Change(
            origin: node.digits, seq: 2, hlc: HLCStamp(rawValue: 2), enteredAtMilliseconds: entered, op: "status", kind: "penalty", key: "k",
            jurisdiction: node.digits, body: "{}")
        #expect(reader.dates(status) == RecordDates())
        var unknown = status
        unknown.op = "put"
        unknown.kind = "no-such-kind"
        #expect(reader.dates(unknown) == RecordDates())
    }
}
