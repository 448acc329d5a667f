import CreditDomain
import Foundation
import Testing

@testable import CreditPortal
@testable import CreditStore
@testable import NodeRuntime
@testable import SampleData

/// 信用修复提醒: the penalties and listings still shown whose subjects may now apply for repair.
@Suite("信用修复提醒: the records whose minimum publicity period is over", .serialized)
struct RepairOutreachTests {
    /// What the ledger should hold, from every record the store keeps, by the kind's own rule
    /// (`RecordKind.earliestRepair(of:)`, the record page's): the keys repairable on `today` and
    /// within 30 days, and those still shown.
    static func oracle(_ f: PortalFixture, today: CivilDate) throws -> (inForce: Int, due: [String], soon: Int) {
        var (inForce, due, soon) = (0, [String](), 0)
        for (key, kind, state) in try f.node.store.allRecords() where state == "active" || state == "objected" {
            guard let resolved = f.node.resolvedKinds[kind], let rule = resolved.kind.publicity,
                rule.repairDefaultMinimumMonths != nil || rule.repairMinimumMonthsByValue != nil,
                let record = try f.node.store.record(key: key), (record.publicityUntil ?? "9999") >= today.iso,
                resolved.kind.isShownPublicly(value: { record.fields[resolved.kind.fullCode($0)].flatMap { $0.isEmpty ? nil : $0 } }),
                let (from, _) = resolved.kind.earliestRepair(of: record)
            else { continue }
            inForce += 1
            if from <= today { due.append(record.fields[resolved.kind.fullCode("WSH")] ?? "") } else if from <= today.adding(days: 30) { soon += 1 }
        }
        return (inForce, due.sorted(), soon)
    }

    @Test func theRecordsRepairableNowAreListedByAuthorityTheLongestFirst() throws {
        let f = try PortalFixture()
        let today = ChinaTime.date(PortalFixture.now)
        let ledger = try #require(try RepairOutreach.compute(f.node, today: today))
        let expected = try Self.oracle(f, today: today)
        #expect(ledger.total.inForce == expected.inForce && ledger.total.due == expected.due.count && ledger.total.soon == expected.soon)
        #expect(ledger.due.map(\.documentNumber).sorted() == expected.due && expected.due.count > 0 && expected.due.count < expected.inForce)
        #expect(ledger.kinds.map(\.name) == ["行政处罚", "严重失信主体名单"] && ledger.kinds.map(\.inForce).reduce(0, +) == expected.inForce)
        #expect(
            ledger.authorities.map(\.due).reduce(0, +) == ledger.total.due
                && ledger.authorities.map(\.due) == ledger.authorities.map(\.due).sorted(by: >))
        let waits = ledger.due.map(\.daysSince)
        #expect(waits == waits.sorted(by: >) && waits.allSatisfy { $0 >= 0 })
        // The fixture's person under objection: masked and marked, when repairable.
        #expect(ledger.due.allSatisfy { (try? ResidentID($0.subjectCode)) == nil })
        let person = try #require(try f.node.store.record(key: f.person.key))
        if try #require(f.node.resolvedKinds["penalty"]).kind.earliestRepair(of: person).map({ $0.date <= today }) == true {
            #expect(ledger.due.contains { $0.objected && $0.subjectCode == Masking.mask(f.person.code) })
        }
        // A record withdrawn is no longer to be repaired; the day before its period ends, a record is not yet due.
        let first = try #require(ledger.due.first)
        let key = try #require(
            try f.node.store.allRecords().first { (try? f.node.store.record(key: $0.key))?.fields["CF_WSH"] == first.documentNumber }?.key)
        _ = try StatusDesk(node: f.node).enter(
            key: key, StatusChange(action: .withdrawn, date: today, reason: "复议撤销", unit: first.authority), now: PortalFixture.now)
        let after = try #require(try RepairOutreach.compute(f.node, today: today))
        #expect(after.total.inForce == ledger.total.inForce - 1 && after.total.due == ledger.total.due - 1)
        #expect(!after.due.contains { $0.documentNumber == first.documentNumber })
        let last = try #require(ledger.due.last)
        let dayBefore = try #require(CivilDate.parse(last.repairableFrom)).adding(days: -1)
        let earlier = try #require(try RepairOutreach.compute(f.node, today: dayBefore))
        #expect(!earlier.due.contains { $0.documentNumber == last.documentNumber })
    }

    @Test func thePageItsCSVAndTheCommandsText() async throws {
        let f = try PortalFixture()
        let ledger = try #require(try RepairOutreach.compute(f.node, today: ChinaTime.date(PortalFixture.now)))
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)/ops/repair"
            let page = try await fetch(base)
            #expect(page.status == 200 && page.body.contains("信用修复提醒") && page.body.contains("可申请修复的记录"))
            #expect(page.body.contains(try #require(ledger.due.first?.documentNumber)) && !page.body.contains(f.person.code))
            let csv = try await fetch(base + "?format=csv")
            let lines = csv.body.split(separator: "\r\n")
            #expect(
                csv.status == 200 && lines.count == 1 + ledger.total.due
                    && lines[0].hasSuffix("主体名称,主体代码,类别,决定文书号,决定机关,决定日期,处罚类别或名单,最短公示期（月）,可申请修复日期,已可申请天数,异议处理中"))
            #expect(!csv.body.contains(f.person.code))
        }
        let text = try #require(try RepairDocument(node: f.node, now: PortalFixture.now)).text
        #expect(text.contains("大智街道 信用修复提醒（2026-11-25）") && text.contains("可申请修复 \(ledger.total.due)") && text.contains("按决定机关"))
        // A catalogue without a minimum period anywhere: nothing computed, the page says so.
        var catalogue = f.node.catalogue
        for i in catalogue.kinds.indices {
            catalogue.kinds[i].publicity?.repairDefaultMinimumMonths = nil
            catalogue.kinds[i].publicity?.repairMinimumMonthsByValue = nil
        }
        let path = f.dir.url.appendingPathComponent("catalogue-no-repair.json")
        try JSONEncoder().encode(catalogue).write(to: path)
        var config = f.node.configuration
        config.catalogue = path.path
        config.dataDirectory = f.dir.path("no-repair")
        let without = try NodeContext(configuration: config, clock: { PortalFixture.now })
        #expect(try RepairOutreach.compute(without, today: ChinaTime.date(PortalFixture.now)) == nil)
        #expect(try OperationsPages(node: without).repair(reader: "测试", now: PortalFixture.now).ledger == nil)
    }
}
