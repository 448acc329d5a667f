import CreditDomain
import SyncCore
import Testing

@Suite struct RoutesTests {
    let township = try! DivisionCode("420102002000")
    let v1 = try! DivisionCode("420102002201")
    let v2 = try! DivisionCode("420102002202")

    @Test func aRecordGoesToTheChildWhoseAreaHoldsItUnlessItCameFromThere() {
        let routes = Routes(children: [v1, v2], networkWideKinds: ["black-list"])
        #expect(routes.areas(jurisdiction: v2.digits, kind: "penalty", origin: "420000000000") == [v2.digits])
        #expect(routes.areas(jurisdiction: v1.digits, kind: "penalty", origin: v1.digits) == [])
        #expect(routes.areas(jurisdiction: "420103000000", kind: "penalty", origin: "420000000000") == [])
        #expect(routes.areas(jurisdiction: v1.digits, kind: "black-list", origin: v1.digits) == [Routes.everyChild])
        #expect(Routes(children: [], networkWideKinds: ["black-list"]).areas(jurisdiction: v1.digits, kind: "black-list", origin: "420000000000") == [])
    }

    @Test func theChildAcceptsWhatConcernsItAndRefusesWhatCameFromItsOwnSubtree() {
        let wide: Set<String> = ["black-list"]
        #expect(Routes.concerns(v1, origin: "420000000000", kind: "penalty", jurisdiction: v1.digits, networkWideKinds: wide))
        #expect(Routes.concerns(v1, origin: "420000000000", kind: "black-list", jurisdiction: "420500000000", networkWideKinds: wide))
        #expect(!Routes.concerns(v1, origin: "420000000000", kind: "penalty", jurisdiction: v2.digits, networkWideKinds: wide))
        #expect(!Routes.concerns(v1, origin: v1.digits, kind: "black-list", jurisdiction: v1.digits, networkWideKinds: wide))
    }

    @Test func onlyAConfiguredChildSendsAndOnlyItsOwnSubtree() {
        #expect(UpwardAcceptance.check(sender: township, children: [township], origins: [township, v1]) == nil)
        #expect(UpwardAcceptance.check(sender: v1, children: [township], origins: [v1]) == .notAChild(sender: v1))
        let other = try! DivisionCode("420103000000")
        #expect(UpwardAcceptance.check(sender: township, children: [township], origins: [v1, other]) == .outsideSubtree(sender: township, origin: other))
    }

    @Test func theLastWriterWinsByClockThenOrigin() {
        #expect(LastWriter.supersedes(hlc: 10, origin: "a", over: 9, "b"))
        #expect(LastWriter.supersedes(hlc: 10, origin: "b", over: 10, "a"))
        #expect(!LastWriter.supersedes(hlc: 10, origin: "a", over: 10, "a"))
        #expect(!LastWriter.supersedes(hlc: 9, origin: "z", over: 10, "a"))
    }
}
