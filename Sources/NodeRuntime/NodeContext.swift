import CreditDomain
import SyncCore
import CreditStore
import Foundation
import Logging

/// A node opened from its configuration: catalogue, calendar and store, ready for commands.
public struct NodeContext: Sendable {
    public let configuration: NodeConfiguration
    public let catalogue: Catalogue
    public let calendar: WorkingCalendar
    public let store: NodeStore
    public let logger: Logger
    /// Signalled when change sets from a child were accepted (wakes the push loop).
    public let arrivals = ArrivalSignal()
    /// Applies change sets accepted from children (`Applier`).
    public let applier = Applier()

    public init(configuration: NodeConfiguration, logger: Logger = Logger(label: "creditnet.node")) throws {
        self.configuration = configuration
        self.logger = logger
        // The configured catalogue wins; else one received as control data; else the shipped one.
        let control = URL(fileURLWithPath: configuration.controlDirectory)
        let received = control.appendingPathComponent("catalogue.json")
        if let path = configuration.catalogue {
            catalogue = try Catalogue.load(from: URL(fileURLWithPath: path))
        } else if FileManager.default.fileExists(atPath: received.path) {
            catalogue = try Catalogue.load(from: received)
        } else {
            catalogue = try Catalogue.bundled()
        }
        let receivedCalendars = control.appendingPathComponent("calendars")
        let calendarDirectory =
            configuration.calendars ?? (FileManager.default.fileExists(atPath: receivedCalendars.path) ? receivedCalendars.path : nil)
        calendar = try WorkingCalendar.load(overrides: calendarDirectory.map { URL(fileURLWithPath: $0) })
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let routes = Routes(children: configuration.children, networkWideKinds: Set(catalogue.kinds.filter(\.networkWide).map(\.slug)))
        store = try NodeStore(path: configuration.databasePath, node: configuration.code, routes: routes, logger: logger)
    }
}
