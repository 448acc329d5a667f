import CreditDomain
import CreditStore
import Foundation
import SampleData
import TestSupport
import Testing

@testable import NodeRuntime

@Suite("Joint-punishment check: legal representatives and list conflicts")
struct CreditCheckTests {
    /// A company on the black list whose legal representative is `representative`, and — when
    /// `alsoRed` — on the red list too.
    static func node(representative: String, alsoRed: Bool) throws -> (NodeFixture, company: String) {
        let f = try NodeFixture()
        let (black, blackRows) = try f.sample(kind: "blacklist", rows: 1, faults: 0)
        var row = blackRows[0]
        func set(_ code: String, _ value: String) { row.values[black.index[code]!] = value }
        set("XDR_LB", "法人及非法人组织")
        set("XDR_ZJLX", "")
        set("XDR_ZJHM", "")
        set("FRDB", "李四")
        set("FR_ZJLX", "01")
        set("FR_ZJHM", representative)
        set("MDZT", "有效")
        set("YCRQ", "")
        set("YCYY", "")
        set("YXQZ", "2029-12-31")
        let company = row.values[black.index["XDR_SHXYM"]!]
        #expect(try f.ingest(try f.dir.write("sx.csv", Array(SampleGenerator.csv(kind: black, rows: [row], header: .codes).utf8)), kind: "blacklist").accepted == 1)
        if alsoRed {
            let (red, redRows) = try f.sample(kind: "redlist", rows: 1, seed: 9, faults: 0)
            var r = redRows[0]
            for code in ["XDR_MC", "XDR_LB", "XDR_SHXYM", "XDR_ZJLX", "XDR_ZJHM", "FRDB", "FR_ZJLX", "FR_ZJHM"] { r.values[red.index[code]!] = row.values[black.index[code]!] }
            r.values[red.index["YXQZ"]!] = "2029-12-31"
            #expect(try f.ingest(try f.dir.write("hmd.csv", Array(SampleGenerator.csv(kind: red, rows: [r], header: .codes).utf8)), kind: "redlist").accepted == 1)
        }
        return (f, company)
    }

    static let representative = "11010519491231002X"
    static let someoneElse = "440524188001010014"

    @Test func aListedEntitysLegalRepresentativeIsRestricted() throws {
        let (f, company) = try Self.node(representative: Self.representative, alsoRed: false)
        let check = CreditCheck(node: f.context)
        let person = try check.check(Self.representative, today: f.asOf)
        #expect(person.restricted)
        #expect(person.listings.count == 1 && person.listings[0].role == "legal-representative" && person.listings[0].entityCode == company)
        #expect(person.subject == Masking.mask(Self.representative))
        // The refused cases: another person is not restricted; the company is, as itself, with no conflict.
        #expect(try !check.check(Self.someoneElse, today: f.asOf).restricted)
        let entity = try check.check(company, today: f.asOf)
        #expect(entity.restricted && !entity.conflict && entity.listings.map(\.role) == ["subject"])
    }

    @Test func onTheRedAndTheBlackListAtOnceIsAConflict() throws {
        let (f, company) = try Self.node(representative: Self.representative, alsoRed: true)
        let result = try CreditCheck(node: f.context).check(company, today: f.asOf)
        #expect(result.restricted && result.conflict)
        #expect(Set(result.listings.map(\.effect)) == ["sanction", "reward"])
        // The representative inherits the restriction, not the conflict: the reward is the company's.
        let person = try CreditCheck(node: f.context).check(Self.representative, today: f.asOf)
        #expect(person.restricted && !person.conflict)
    }
}
