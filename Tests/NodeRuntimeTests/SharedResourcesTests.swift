import CreditDomain
import Foundation
import TestSupport
import Testing

@testable import NodeRuntime

/// What every node of a process shares: the shipped catalogue's resolved kinds and the shipped
/// calendar, read once. A node given its own catalogue or calendars reads those instead.
@Suite("Shipped catalogue and calendar, once per process")
struct SharedResourcesTests {
    @Test func nodesWithTheShippedCatalogueShareItsKinds() throws {
        let dir = try TemporaryDirectory()
        let shipped = try Catalogue.bundled().resolvedKinds().map(\.slug).sorted()
        let a = try NodeContext(configuration: NodeConfiguration(code: try DivisionCode("420102002201"), dataDirectory: dir.path("a")))
        let b = try NodeContext(configuration: NodeConfiguration(code: try DivisionCode("420102002202"), dataDirectory: dir.path("b")))
        #expect(a.resolvedKinds.keys.sorted() == shipped)
        #expect(b.resolvedKinds.keys.sorted() == shipped)
        #expect(try Catalogue.bundledResolvedKinds().map(\.slug).sorted() == shipped)
        #expect(a.calendar.years.keys.sorted() == (try WorkingCalendar.load()).years.keys.sorted())
    }

    @Test func aConfiguredCatalogueIsNotTheSharedOne() throws {
        let dir = try TemporaryDirectory()
        // The shipped kinds are resolved and kept first; then a node with a catalogue of its own.
        _ = try NodeContext(configuration: NodeConfiguration(code: try DivisionCode("420102002201"), dataDirectory: dir.path("a")))
        var own = try Catalogue.bundled()
        own.kinds.removeAll { $0.slug == "penalty" }
        own.keyAreas = nil  // it counts penalties: a catalogue without them has no key areas
        let path = dir.path("own-catalogue.json")
        try JSONEncoder().encode(own).write(to: URL(fileURLWithPath: path))
        var config = NodeConfiguration(code: try DivisionCode("420102002202"), dataDirectory: dir.path("b"))
        config.catalogue = path
        let node = try NodeContext(configuration: config)
        #expect(node.resolvedKinds["penalty"] == nil)
        #expect(node.resolvedKinds.count == own.kinds.count)
        #expect(try Catalogue.bundledResolvedKinds().contains { $0.slug == "penalty" })
    }

    @Test func configuredCalendarsAreReadForTheirNode() throws {
        let dir = try TemporaryDirectory()
        let calendars = dir.path("calendars")
        try FileManager.default.createDirectory(atPath: calendars, withIntermediateDirectories: true)
        // A year the shipped schedules do not have.
        try Array(#"{"year": 2031, "source": "测试通知", "daysOff": [], "workingWeekends": []}"#.utf8).write(to: calendars + "/2031.json")
        var config = NodeConfiguration(code: try DivisionCode("420102002201"), dataDirectory: dir.path("a"))
        config.calendars = calendars
        let node = try NodeContext(configuration: config)
        #expect(node.calendar.years[2031] != nil)
        #expect(try WorkingCalendar.load().years[2031] == nil)
    }
}

extension [UInt8] {
    fileprivate func write(to path: String) throws { try Data(self).write(to: URL(fileURLWithPath: path)) }
}
