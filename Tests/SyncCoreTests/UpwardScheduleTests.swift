import Testing

@testable import SyncCore

@Suite("Upward schedule")
struct UpwardScheduleTests {
    func s(_ seconds: Int64) -> Duration { .seconds(seconds) }

    var config: UpwardSchedule.Configuration {
        var c = UpwardSchedule.Configuration()
        c.interval = .seconds(300)
        c.backlogThreshold = 1000
        c.window = .seconds(72 * 3600)
        c.backoffBase = .seconds(10)
        c.backoffMax = .seconds(3600)
        c.retryFloor = .seconds(5)
        return c
    }

    @Test func nothingPendingMeansIdle() {
        #expect(UpwardSchedule(configuration: config).next(now: s(100), pending: 0, oldestPendingAt: nil) == .idle)
    }

    @Test func aHeartbeatPushesWithNothingPendingAndBacksOffAfterFailures() {
        var c = config
        c.heartbeat = .seconds(600)
        var schedule = UpwardSchedule(configuration: c)
        // Never pushed: at once, so the parent hears of the node when it starts.
        #expect(schedule.next(now: s(100), pending: 0, oldestPendingAt: nil) == .push)
        schedule.record(attemptAt: s(100), succeeded: true)
        #expect(schedule.next(now: s(200), pending: 0, oldestPendingAt: nil) == .wait(until: s(700)))
        #expect(schedule.next(now: s(700), pending: 0, oldestPendingAt: nil) == .push)
        // A failed heartbeat is retried after the backoff, not hammered.
        schedule.record(attemptAt: s(700), succeeded: false)
        schedule.record(attemptAt: s(710), succeeded: false)
        #expect(schedule.next(now: s(711), pending: 0, oldestPendingAt: nil) == .wait(until: s(730)))
    }

    @Test func pushesOnTheIntervalAndAtOnceOverTheThreshold() {
        var schedule = UpwardSchedule(configuration: config)
        #expect(schedule.next(now: s(100), pending: 10, oldestPendingAt: s(100)) == .wait(until: s(400)))
        #expect(schedule.next(now: s(400), pending: 10, oldestPendingAt: s(100)) == .push)
        #expect(schedule.next(now: s(101), pending: 1000, oldestPendingAt: s(100)) == .push)
        schedule.record(attemptAt: s(400), succeeded: true)
        #expect(schedule.next(now: s(450), pending: 3, oldestPendingAt: s(420)) == .wait(until: s(700)))
    }

    @Test func backsOffExponentiallyUpToTheMaximum() {
        var schedule = UpwardSchedule(configuration: config)
        var waits: [Duration] = []
        var now = s(1000)
        for _ in 0..<12 {
            schedule.record(attemptAt: now, succeeded: false)
            guard case .wait(let until) = schedule.next(now: now, pending: 5, oldestPendingAt: s(1000)) else {
                Issue.record("expected a wait after a failure")
                return
            }
            waits.append(until - now)
            now = until
        }
        #expect(Array(waits.prefix(5)) == [s(10), s(20), s(40), s(80), s(160)])
        #expect(waits.last == s(3600))
        // A success resets the backoff.
        schedule.record(attemptAt: now, succeeded: true)
        #expect(schedule.failures == 0)
    }

    @Test func neverPlansPastTheWindowOfTheOldestChange() {
        var c = config
        c.window = .seconds(600)
        var schedule = UpwardSchedule(configuration: c)
        for _ in 0..<10 { schedule.record(attemptAt: s(500), succeeded: false) }  // a long backoff is due
        // The oldest change arrived at 0: its window ends at 600, before the backoff would.
        #expect(schedule.next(now: s(501), pending: 1, oldestPendingAt: s(0)) == .wait(until: s(600)))
        // Past the deadline, retry at the floor, not in a burst.
        #expect(schedule.next(now: s(700), pending: 1, oldestPendingAt: s(0)) == .push)
        schedule.record(attemptAt: s(700), succeeded: false)
        #expect(schedule.next(now: s(701), pending: 1, oldestPendingAt: s(0)) == .wait(until: s(705)))
    }
}
