import Foundation
import Testing

@testable import CreditDomain

@Suite("Status changes, record states and publicity")
struct StatusTests {
    typealias Fact = (hlc: Int64, origin: String, action: StatusAction)

    @Test func stateFollowsTheRules() {
        #expect(RecordState.derive([Fact]()) == .active)
        #expect(RecordState.derive([(1, "a", .objectionOpened)] as [Fact]) == .objected)
        #expect(RecordState.derive([(1, "a", .objectionOpened), (2, "b", .objectionClosed)] as [Fact]) == .active)
        // Same HLC: the origin breaks the tie.
        #expect(RecordState.derive([(5, "b", .objectionOpened), (5, "a", .objectionClosed)] as [Fact]) == .objected)
        #expect(RecordState.derive([(1, "a", .objectionOpened), (2, "b", .repaired)] as [Fact]) == .repaired)
        #expect(RecordState.derive([(3, "a", .repaired), (1, "b", .withdrawn)] as [Fact]) == .withdrawn)
        #expect(RecordState.derive([(3, "a", .publicityEnded)] as [Fact]) == .expired)
    }

    @Test func stateDoesNotDependOnOrderOrRepeats() {
        let actions = StatusAction.allCases
        var seed: UInt64 = 11
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33) % n
        }
        for _ in 0..<300 {
            // An origin stamps each of its changes with a later HLC: no two share (hlc, origin).
            var stamped = Set<String>()
            let facts: [Fact] = (0..<next(6) + 1).map { _ in (Int64(next(4)), ["a", "b", "c"][next(3)], actions[next(actions.count)]) }
                .filter { stamped.insert("\($0.hlc) \($0.origin)").inserted }
            let expected = RecordState.derive(facts)
            var shuffled = facts + facts.prefix(next(facts.count + 1))
            for i in shuffled.indices.reversed() { shuffled.swapAt(i, next(i + 1)) }
            #expect(RecordState.derive(shuffled) == expected)
        }
    }

    @Test func actionsAllowedByState() {
        #expect(RecordState.active.allows(.objectionOpened))
        #expect(!RecordState.active.allows(.objectionClosed))
        #expect(RecordState.objected.allows(.objectionClosed))
        #expect(!RecordState.objected.allows(.objectionOpened))
        #expect(!RecordState.repaired.allows(.repaired))
        #expect(RecordState.repaired.allows(.withdrawn))
        #expect(!RecordState.withdrawn.allows(.withdrawn))
        // An expired record is still held and shared: it can be objected to, once at a time.
        #expect(RecordState.expired.allows(.objectionOpened, objectionOpen: false))
        #expect(!RecordState.expired.allows(.objectionOpened, objectionOpen: true))
        #expect(RecordState.expired.allows(.objectionClosed, objectionOpen: true))
        #expect(!RecordState.expired.allows(.objectionClosed, objectionOpen: false))
        #expect(!RecordState.expired.allows(.repaired))
        // 协查 is marked on an open objection only; it changes no state.
        #expect(RecordState.objected.allows(.objectionAssisted) && !RecordState.active.allows(.objectionAssisted))
        #expect(
            RecordState.expired.allows(.objectionAssisted, objectionOpen: true)
                && !RecordState.expired.allows(.objectionAssisted, objectionOpen: false))
        #expect(RecordState.derive([(1, "a", .objectionOpened), (2, "a", .objectionAssisted)] as [Fact]) == .objected)
        #expect(RecordState.derive([(1, "a", .objectionOpened), (2, "a", .objectionClosed), (3, "a", .objectionAssisted)] as [Fact]) == .active)
    }

    @Test func anAssistedMarkBelongsToTheObjectionItFollows() {
        #expect(!RecordState.objectionAssisted([(1, "a", .objectionOpened)] as [Fact]))
        #expect(RecordState.objectionAssisted([(2, "a", .objectionAssisted), (1, "a", .objectionOpened)] as [Fact]))
        // Closed and opened again: the earlier objection's mark does not carry over.
        #expect(
            !RecordState.objectionAssisted(
                [(1, "a", .objectionOpened), (2, "a", .objectionAssisted), (3, "a", .objectionClosed), (4, "b", .objectionOpened)] as [Fact]))
    }

    @Test func whetherAnObjectionIsOpenIsTheLastObjectionChange() {
        #expect(!RecordState.objectionOpen([] as [Fact]))
        #expect(RecordState.objectionOpen([(1, "a", .objectionOpened), (2, "a", .publicityEnded)] as [Fact]))
        #expect(!RecordState.objectionOpen([(3, "a", .objectionClosed), (1, "a", .objectionOpened)] as [Fact]))
    }

    @Test func aStatusChangeNeedsItsFields() throws {
        let today = CivilDate(year: 2026, month: 11, day: 21)!
        let ok = StatusChange(
            action: .repaired, date: today, reason: "已整改", unit: "江岸区发改局", unitCode: "91110000600037341L", notice: "江岸发改信修〔2026〕12号")
        #expect(ok.canonicalBody.contains(#""notice":"江岸发改信修〔2026〕12号""#))
        #expect(throws: Never.self) { try ok.validate(today: today) }
        #expect(StatusChange.parse(body: ok.canonicalBody) == ok)
        func code(_ s: StatusChange) -> StatusChangeError.Code? {
            do {
                try s.validate(today: today)
                return nil
            } catch { return error.code }
        }
        var s = ok
        s.reason = "  "
        #expect(code(s) == .missingField)
        // A repair carries its 信用修复告知书; nothing else does.
        s = ok
        s.notice = nil
        #expect(code(s) == .missingField)
        s = ok
        s.notice = " "
        #expect(code(s) == .missingField)
        s = ok
        s.action = .withdrawn
        #expect(code(s) == .missingField)
        s.notice = nil
        #expect(code(s) == nil)
        s = ok
        s.unit = ""
        #expect(code(s) == .missingField)
        s = ok
        s.unitCode = "91110000600037341X"
        #expect(code(s) == .missingField)
        s = ok
        s.date = today.adding(days: 1)
        #expect(code(s) == .badDate)
        s = ok
        s.outcome = "kept"
        #expect(code(s) == .missingField)
        s.notice = nil
        s.action = .objectionClosed
        #expect(code(s) == nil)
        s.outcome = "maybe"
        #expect(code(s) == .missingField)
        #expect(StatusChange.parse(body: "{\"action\":\"frozen\",\"date\":\"2026-11-21\"}") == nil)
    }

    @Test func publicityFollowsTheCatalogue() throws {
        let catalogue = try Catalogue.bundled()
        let penalty = try catalogue.kind(named: "penalty").kind
        let decided = CivilDate(year: 2026, month: 1, day: 31)!
        func until(_ kind: RecordKind, _ fields: [String: String]) -> String? { kind.publicityUntil(decision: decided) { fields[$0] }?.iso }
        #expect(until(penalty, ["CFLB": "警告"]) == "2026-04-29")
        #expect(until(penalty, ["CFLB": "罚款"]) == "2027-01-30")
        // Several categories: the longest applies.
        #expect(until(penalty, ["CFLB": "罚款;吊销许可证件"]) == "2029-01-30")
        // A 公示截止期 in the record wins.
        #expect(until(penalty, ["CFLB": "罚款", "GSJZQ": "2026-06-30"]) == "2026-06-30")
        let license = try catalogue.kind(named: "license").kind
        #expect(until(license, ["YXQZI": "2030-12-31"]) == "2030-12-31")
        #expect(license.isShownPublicly { ["ZT": "1"][$0] })
        #expect(!license.isShownPublicly { ["ZT": "2"][$0] })
        let commitment = try catalogue.kind(named: "commitment").kind
        #expect(until(commitment, [:]) == nil)
        #expect(CivilDate(year: 2024, month: 1, day: 31)!.adding(months: 1).iso == "2024-02-29")
    }

    @Test func aCatalogueNamingAnUnknownPublicityFieldIsRefused() throws {
        var catalogue = try Catalogue.bundled()
        let i = try #require(catalogue.kinds.firstIndex { $0.slug == "penalty" })
        catalogue.kinds[i].publicity?.untilFields = ["NOPE"]
        #expect(throws: CatalogueError.self) { _ = try catalogue.resolvedKinds() }
        catalogue.kinds[i].publicity?.untilFields = ["GSJZQ"]
        catalogue.kinds[i].listing = ListingFields(name: "WSH", since: "JDRQ", until: nil, measures: "NR", unit: "CFJG", effect: "praise")
        #expect(throws: CatalogueError.self) { _ = try catalogue.resolvedKinds() }
    }
}
