import CreditDomain
import Testing

@testable import SyncCore

@Suite("Windows and the at-risk rule")
struct WindowTests {
    @Test func theHopIntoTheProvinceHas48HoursEveryOther72() {
        #expect(Window.hours(intoParentOf: .province) == 48)
        for tier in [Tier.city, .county, .township] { #expect(Window.hours(intoParentOf: tier) == 72) }
        #expect(Window.hours(intoParentOf: nil) == 72)
    }

    @Test func aChangeIsAtRiskFromTwoThirdsOfItsWindowAndBreachedPastIt() {
        let window: Int64 = 72 * 3_600_000
        #expect(Window.atRiskAfter(window) == 48 * 3_600_000)
        #expect(Window.standing(waited: 0, window: window) == .met)
        #expect(Window.standing(waited: 48 * 3_600_000 - 1, window: window) == .met)
        #expect(Window.standing(waited: 48 * 3_600_000, window: window) == .atRisk)
        #expect(Window.standing(waited: window, window: window) == .atRisk)
        #expect(Window.standing(waited: window + 1, window: window) == .breached)
    }
}
