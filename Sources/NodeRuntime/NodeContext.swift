import CreditDomain
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

    public init(configuration: NodeConfiguration, logger: Logger = Logger(label: "creditnet.node")) throws {
        self.configuration = configuration
        self.logger = logger
        catalogue = try configuration.catalogue.map { try Catalogue.load(from: URL(fileURLWithPath: $0)) } ?? Catalogue.bundled()
        calendar = try WorkingCalendar.load(overrides: configuration.calendars.map { URL(fileURLWithPath: $0) })
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        store = try NodeStore(path: configuration.databasePath, node: configuration.code, logger: logger)
    }
}
