import Testing

@testable import SyncCore

@Suite("Health records: what is kept and how a node stands")
struct HealthRulesTests {
    func health(issuedAt: Int64, oldestPendingAt: Int64 = 0, window: Int64 = 300) -> NodeHealth {
        NodeHealth(
            code: "420102002201", name: "", parent: "420102002000", children: [], issuedAt: issuedAt, windowSeconds: window, backlog: 0,
            oldestPendingAt: oldestPendingAt, records: 0, quarantined: 0, software: "t", catalogue: "t")
    }

    @Test func aLaterRecordReplacesAnOlderOneNeverTheReverse() {
        #expect(HealthRules.keeps(incoming: 5, kept: nil))
        #expect(HealthRules.keeps(incoming: 6, kept: 5))
        #expect(!HealthRules.keeps(incoming: 5, kept: 5))
        #expect(!HealthRules.keeps(incoming: 4, kept: 5))
    }

    /// Window 300 s: at risk from 200 s, breached after 300 s — of silence, or of waiting.
    @Test func silenceCountsAsWaitingAgainstTheWindow() {
        let h = health(issuedAt: 1_000_000)
        #expect(HealthRules.standing(of: h, now: 1_000_000 + 199_999) == .met)
        #expect(HealthRules.standing(of: h, now: 1_000_000 + 200_000) == .atRisk)
        #expect(HealthRules.standing(of: h, now: 1_000_000 + 300_001) == .breached)
        #expect(HealthRules.heard(h, now: 1_000_000 + 300_000))
        #expect(!HealthRules.heard(h, now: 1_000_000 + 300_001))
        // A change pending since before the record counts from when it reached the node.
        let pending = health(issuedAt: 1_000_000, oldestPendingAt: 1_000_000 - 250_000)
        #expect(HealthRules.standing(of: pending, now: 1_000_000) == .atRisk)
        #expect(HealthRules.standing(of: nil, now: 0) == .breached)
        #expect(!HealthRules.heard(nil, now: 0))
    }
}
