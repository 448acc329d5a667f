import CreditDomain
import SyncCore
import CreditStore
import Foundation
import Logging
import Synchronization

/// A node opened from its configuration: catalogue, calendar and store, ready for commands.
public struct NodeContext: Sendable {
    public let configuration: NodeConfiguration
    public let catalogue: Catalogue
    /// The catalogue's kinds with their blocks expanded, by slug: resolved once, when the node
    /// opens (resolving every kind again per bundle or file was 5 % of a simulated network).
    public let resolvedKinds: [String: ResolvedKind]
    /// The working-day calendar in force: shipped, configured and received schedules; replaced
    /// when new ones arrive as control data (`reloadCalendar`).
    public var calendar: WorkingCalendar { calendarHolder.value.withLock { $0 } }
    private let calendarHolder: Held<WorkingCalendar>
    /// The division directory (行政区划名录) in force, received as control data or placed in the
    /// control directory: nil until one arrives (`reloadDivisions`, `areaName`).
    public var divisions: DivisionDirectory? { divisionsHolder.value.withLock { $0.directory } }
    /// How many times the division directory was loaded again: the portal's page caches key on
    /// it, so that the pages naming areas are rendered again as soon as a new directory arrives
    /// (the store, whose newest change they otherwise key on, has not changed).
    public var divisionsGeneration: Int { divisionsHolder.value.withLock { $0.generation } }
    private let divisionsHolder: Held<(directory: DivisionDirectory?, generation: Int)>
    public let store: NodeStore
    /// The store as the sync core's storage: what every sync path reads and writes through.
    public var sync: any SyncStore { store }
    public let logger: Logger
    /// Signalled when change sets from a child were accepted (wakes the push loop).
    public let arrivals = ArrivalSignal()
    /// Applies change sets accepted from children (`Applier`).
    public let applier = Applier()
    /// The decision-number gaps as last computed for the four rates (`QualityFigures.gaps`).
    let qualityFigures = KeptFigure<[String: [DecisionGap]]>()
    /// The list entries in force and how many are answered, as last counted (`ListResponses.totals`).
    let listTotals = KeptFigure<ListResponses.Figures>()
    /// The 重点领域预警 as last computed (`KeyAreaWarnings.latest`).
    let keyAreaFigures = KeptFigure<KeyAreaWarnings?>()
    /// This month's 信用动态 ledger as last counted (`CreditNews.latestLedger`).
    let newsLedger = KeptFigure<CreditNews.Ledger>()
    /// When each area last published an article, as last read (`CreditNews.latestDates`).
    let newsDates = KeptFigure<[String: String]>()
    /// The control documents passed down, with their digest, as last read (`Downward.keptControl`).
    let controlKept = Held<ControlKept?>(nil)
    /// The health records last read for `/ops/network` and `/metrics` (`NetworkPicture`).
    let networkPicture = NetworkPicture.Kept()
    /// The node's identity and trust, loaded once (`NodeCredentials`).
    public let credentials: NodeCredentials
    /// The time as this node reads it, for everything its listeners and loops do: the wall clock
    /// in `serve`, a chosen one in tests (the simulator passes its own time to each call).
    public let clock: @Sendable () -> Date

    /// Opens the node: its catalogue, calendar and store; `credentials` default to the
    /// configuration's identity directory, `storeOptions` to a durable store.
    public init(
        configuration: NodeConfiguration, credentials: NodeCredentials? = nil, storeOptions: StoreOptions = StoreOptions(),
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "creditnet.node")
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.credentials = credentials ?? NodeCredentials(configuration: configuration)
        // The configured catalogue wins; else one received as control data; else the shipped one.
        let control = URL(fileURLWithPath: configuration.controlDirectory)
        let received = control.appendingPathComponent("catalogue.json")
        let kinds: [ResolvedKind]
        if let path = configuration.catalogue {
            catalogue = try Catalogue.load(from: URL(fileURLWithPath: path))
            kinds = try catalogue.resolvedKinds()
        } else if FileManager.default.fileExists(atPath: received.path) {
            catalogue = try Catalogue.load(from: received)
            kinds = try catalogue.resolvedKinds()
        } else {
            catalogue = try Catalogue.bundled()
            kinds = try Catalogue.bundledResolvedKinds()
        }
        resolvedKinds = Dictionary(uniqueKeysWithValues: kinds.map { ($0.slug, $0) })
        calendarHolder = Held(try Self.loadCalendar(configuration))
        divisionsHolder = Held((Self.loadDivisions(configuration, logger: logger), 0))
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let routes = Routes(children: configuration.children, networkWideKinds: Set(catalogue.kinds.filter(\.networkWide).map(\.slug)))
        store = try NodeStore(path: configuration.databasePath, node: configuration.code, routes: routes, options: storeOptions, logger: logger)
        // Official schedules may have arrived since deadlines were computed provisionally.
        if try store.hasProvisionalDeadlines() { try settleProvisionalDeadlines() }
        // Which licences and listings the public sees, by the rules of this catalogue.
        let rules = kinds.compactMap { k in
            PublicRecord.shownByField(of: k).map { InForceRule(kind: k.slug, field: $0, values: k.kind.publicity?.shownWhileValues ?? []) }
        }
        if let changed = try store.applyInForceRules(rules), changed > 0 {
            logger.notice(
                "records in force computed again under the catalogue's publicity rules",
                metadata: ["changed": "\(changed)", "kinds": "\(rules.map(\.kind))"])
        }
        // The commitments the office follows up (信用承诺履约), counted by the catalogue's rule.
        if let counted = try store.applyCommitmentRule(kinds.lazy.compactMap(CommitmentRule.init).first), counted > 0 {
            logger.notice("commitments counted again under the catalogue's fulfilment rule", metadata: ["commitments": "\(counted)"])
        }
    }

    /// The shipped schedules, plus the configured directory or else the schedules received as
    /// control data (a year there replaces the shipped one).
    static func loadCalendar(_ configuration: NodeConfiguration) throws -> WorkingCalendar {
        let received = URL(fileURLWithPath: configuration.controlDirectory).appendingPathComponent("calendars")
        let directory = configuration.calendars ?? (FileManager.default.fileExists(atPath: received.path) ? received.path : nil)
        return try WorkingCalendar.load(overrides: directory.map { URL(fileURLWithPath: $0) })
    }

    /// The control document naming the network's divisions.
    public static let divisionsFile = "divisions.json"

    /// The division directory in the control directory, if there is one that loads. One that
    /// does not is logged and left out: names are for reading, and a node without them shows
    /// the codes (a received directory was checked before it was written).
    static func loadDivisions(_ configuration: NodeConfiguration, logger: Logger) -> DivisionDirectory? {
        let file = URL(fileURLWithPath: configuration.controlDirectory).appendingPathComponent(divisionsFile)
        guard let bytes = FileManager.default.contents(atPath: file.path) else { return nil }
        do { return try DivisionDirectory.parse(Array(bytes), file: file.path) } catch {
            logger.warning("division directory not loaded: pages show division codes without names", metadata: ["reason": "\(error)"])
            return nil
        }
    }

    /// Loads the division directory again (a new one arrived as control data).
    public func reloadDivisions() {
        let fresh = Self.loadDivisions(configuration, logger: logger)
        divisionsHolder.value.withLock { $0 = (fresh, $0.generation + 1) }
    }

    /// An area's name as a person reads it: from the division directory, written as an address
    /// (湖北省仙桃市沙嘴街道沙嘴一村); without one, the name the node knows — its own, or a node
    /// of its subtree's as its health record gives it; nil when it knows none.
    public func areaName(_ code: DivisionCode) throws -> String? {
        if let full = divisions?.fullName(of: code) { return full }
        return try divisionName(code)
    }

    /// An area's own name (沙嘴一村), as a table's cell writes it above the code: the division
    /// directory's, else this node's own (`name:`), else a node of its subtree's as its health
    /// record gives it; nil when the node knows none.
    public func divisionName(_ code: DivisionCode) throws -> String? {
        if let name = divisions?.name(of: code) { return name }
        if code == configuration.code, let own = configuration.name, !own.isEmpty { return own }
        return try store.nodeNames([code.digits])[code.digits]
    }

    /// An area as a page writes it: its name and code (湖北省仙桃市沙嘴街道沙嘴一村（429004001201）),
    /// nil when the node knows no name for it (`areaName`).
    public func areaLabel(_ code: DivisionCode) throws -> String? { try areaName(code).map { "\($0)（\(code.digits)）" } }

    /// Where `record` lies now when a correction moved it out of this node's area, as a page
    /// writes it (`areaLabel`, else the code); nil for a record of the area or a network-wide kind.
    public func movedAwayLabel(_ record: StoredRecord) throws -> String? {
        guard let kind = resolvedKinds[record.kind], let area = PublicRecord.movedAway(record, kind: kind, from: configuration.code) else {
            return nil
        }
        return try areaLabel(area) ?? area.digits
    }

    /// Loads the calendars again — new schedules arrived as control data — and settles the
    /// provisional deadlines they make official.
    @discardableResult
    public func reloadCalendar() throws -> SettledDeadlines {
        let fresh = try Self.loadCalendar(configuration)
        calendarHolder.value.withLock { $0 = fresh }
        return try settleProvisionalDeadlines()
    }

    /// Recomputes, from the calendar in force, the publication deadlines and late flags marked
    /// provisional whose years are all official now (`NodeStore.settleProvisionalDeadlines`), and
    /// logs how the late count changed.
    @discardableResult
    public func settleProvisionalDeadlines() throws -> SettledDeadlines {
        let calendar = self.calendar
        let days = resolvedKinds.mapValues(\.kind.publicationWorkingDays)
        let report = try store.settleProvisionalDeadlines { kind, decision in
            guard let n = days[kind] ?? nil else { return nil }
            return try? calendar.deadline(workingDays: n, after: decision)
        }
        if report.settled > 0 {
            logger.notice(
                "provisional publication deadlines settled by the official working-day calendar",
                metadata: [
                    "settled": "\(report.settled)", "years": "\(report.years.map(String.init).joined(separator: ","))",
                    "lateBefore": "\(report.lateBefore)", "lateAfter": "\(report.lateAfter)", "stillProvisional": "\(report.stillProvisional)",
                ])
        }
        return report
    }
}

extension NodeContext {
    /// The kind a name, slug or alias means, resolved.
    public func kind(named name: String) throws -> ResolvedKind {
        let kind = try catalogue.unresolvedKind(named: name)
        guard let resolved = resolvedKinds[kind.slug] else { return try catalogue.kind(named: name) }
        return resolved
    }
}

/// The calendar in force, shared by every copy of a `NodeContext`.
/// A value the node replaces while it runs (the calendar, the division directory, the control
/// documents as last read).
final class Held<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
}
