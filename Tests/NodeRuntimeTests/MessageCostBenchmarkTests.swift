import Testing

@testable import NodeRuntime

/// `credit-node bench messages`: every message it times is a real one that verifies (the
/// benchmark throws otherwise), and the page it times carries the changes asked for.
@Suite("Message cost benchmark")
struct MessageCostBenchmarkTests {
    @Test func aSmallRunTimesMessagesThatVerify() throws {
        var bench = MessageCostBenchmark()
        bench.iterations = 5
        bench.rounds = 1
        bench.changesPerPage = 1
        let one = try bench.run()
        bench.changesPerPage = 8
        let eight = try bench.run()
        #expect(one.p256SignMicroseconds > 0 && one.p256VerifyMicroseconds > 0)
        #expect(one.downPageMicroseconds > one.downPageBuildMicroseconds)
        #expect(one.pushMicroseconds > 0 && one.pushBytes > 0 && one.heartbeatMicroseconds > 0)
        // Seven more changes, each a canonical line (hundreds of bytes) and its proof.
        #expect(eight.downPageBytes > one.downPageBytes + 7 * 300)
        #expect(eight.changesPerPage == 8)
    }
}
