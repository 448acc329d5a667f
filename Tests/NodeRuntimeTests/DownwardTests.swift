import ChangeSets
import CreditDomain
import CreditStore
import Foundation
import NodePKI
import SampleData
import TestSupport
import Testing

@testable import NodeRuntime

/// Province → city → county → township → two villages, each a real node with its own store and
/// certificate. `running` starts the four parents' sync listeners (mutual TLS on loopback) and
/// points every child at its parent.
struct FiveTiers: Sendable {
    static let codes = (
        province: "420000000000", city: "420100000000", county: "420102000000", township: "420102002000", village1: "420102002201",
        village2: "420102002202"
    )
    let dir: TemporaryDirectory
    let ca: NetworkCA
    let base: [String: NodeConfiguration]

    init(pageChanges: Int = 5000) throws {
        let dir = try TemporaryDirectory()
        let ca = try NetworkCA.create()
        self.dir = dir
        self.ca = ca
        let c = Self.codes
        var base: [String: NodeConfiguration] = [:]
        for (code, parent, children) in [
            (c.province, nil, [c.city]), (c.city, c.province, [c.county]), (c.county, c.city, [c.township]),
            (c.township, c.county, [c.village1, c.village2]),
            (c.village1, c.township, []), (c.village2, c.township, []),
        ] as [(String, String?, [String])] {
            let certDir = dir.url.appendingPathComponent("certs/\(code)")
            try FileManager.default.createDirectory(at: certDir, withIntermediateDirectories: true)
            try ca.issue(code: try DivisionCode(code)).write(to: certDir, ca: ca.certificate)
            var config = NodeConfiguration(code: try DivisionCode(code), dataDirectory: dir.path("nodes/\(code)"))
            config.identity = certDir.path
            config.children = try children.map { try DivisionCode($0) }
            config.pullPageChanges = pageChanges
            if let parent { config.parent = .init(url: "https://127.0.0.1:1", code: try DivisionCode(parent)) }
            base[code] = config
        }
        self.base = base
    }

    /// Every node, its parent at the given port.
    func context(_ code: String, parentPort: Int? = nil) throws -> NodeContext {
        var config = base[code]!
        if let parentPort { config.parent?.url = "https://127.0.0.1:\(parentPort)" }
        return try NodeContext(configuration: config)
    }

    /// What `node` has not sent goes up to its parent, and the receipt comes back, as files
    /// would carry them: a node gives its children its own changes once its parent holds them.
    func sentUp(_ node: NodeContext) throws {
        guard let above = node.configuration.parent?.code.digits else { return }
        let (_, bytes) = try Export(node: node).pendingBundle()
        let (_, receipt) = try Import(node: try context(above)).applyBundle(bytes, source: "test")
        _ = try Import(node: node).importReceipt(receipt, file: "receipt")
    }

    struct Live: Sendable {
        let province: NodeContext
        let city: NodeContext
        let county: NodeContext
        let township: NodeContext
        let village1: NodeContext
        let village2: NodeContext

        var all: [NodeContext] { [province, city, county, township, village1, village2] }

        /// Every node pushes to its parent, bottom up; each parent has applied what it accepted
        /// before the next push.
        func upward() async throws {
            for (n, parent) in [(village1, township), (village2, township), (township, county), (county, city), (city, province)] {
                _ = try await SyncClient(node: n).push()
                try await applied(parent)
            }
        }

        /// Every node pulls from its parent, top down (`skip`: nodes that stay offline).
        func downward(skip: Set<String> = []) async throws {
            for n in [city, county, township, village1, village2] where !skip.contains(n.configuration.code.digits) {
                _ = try await SyncClient(node: n).pull()
            }
        }
    }

    func running(_ body: @Sendable (Live) async throws -> Void) async throws {
        let c = Self.codes
        let province = try context(c.province)
        try await withSyncServer(province) { p in
            let city = try context(c.city, parentPort: p)
            try await withSyncServer(city) { p in
                let county = try context(c.county, parentPort: p)
                try await withSyncServer(county) { p in
                    let township = try context(c.township, parentPort: p)
                    try await withSyncServer(township) { p in
                        try await body(
                            Live(
                                province: province, city: city, county: county, township: township, village1: try context(c.village1, parentPort: p),
                                village2: try context(c.village2, parentPort: p)))
                    }
                }
            }
        }
    }

    /// Generated records of `kind` ingested at `node`, about subjects in `jurisdiction`.
    func ingest(_ node: NodeContext, kind slug: String, rows: Int, seed: UInt64, jurisdiction: String? = nil) throws {
        let kind = try node.catalogue.kind(named: slug)
        var options = SampleGenerator.Options(seed: seed, node: node.configuration.code, asOf: CivilDate(year: 2026, month: 11, day: 20)!)
        options.faultShare = 0
        options.lateShare = 0
        if let jurisdiction { options.jurisdictions = [try DivisionCode(jurisdiction)] }
        var generator = SampleGenerator(options)
        let path = try dir.write(
            "in-\(node.configuration.code)-\(slug)-\(seed).csv",
            Array(SampleGenerator.csv(kind: kind, rows: generator.rows(kind: kind, count: rows), header: .codes).utf8))
        let report = try FileIngestion(node: node).ingest(file: path, kind: slug, now: morning(CivilDate(year: 2026, month: 11, day: 20)!))
        #expect(report.accepted == rows)
    }
}

extension NodeStore {
    /// Record keys and states, for comparing nodes.
    func states(kind: String? = nil) throws -> [String: String] {
        var out: [String: String] = [:]
        for (key, k, state) in try allRecords() where kind == nil || k == kind { out[key] = state }
        return out
    }
}

func decision(_ reason: String, unit: String = "武汉市江岸区市场监督管理局") -> (StatusAction, String?) -> StatusChange {
    { action, outcome in
        StatusChange(
            action: action, date: ChinaTime.date(Date()), reason: reason, unit: unit, outcome: outcome,
            notice: action == .repaired ? "信修告〔2026〕1号" : nil)
    }
}

@Suite("Downward pull and status changes across five tiers", .serialized)
struct DownwardTests {
    @Test func provinceDecisionsReachExactlyTheirVillageAndListsReachEveryNode() async throws {
        let net = try FiveTiers()
        let c = FiveTiers.codes
        try await net.running { live in
            // A penalty decided at the province about companies in village 1.
            try net.ingest(live.province, kind: "penalty", rows: 20, seed: 1, jurisdiction: c.village1)
            // Village 1's own records stay below; village 2 lists four subjects as seriously dishonest.
            try net.ingest(live.village1, kind: "penalty", rows: 5, seed: 2)
            try net.ingest(live.village2, kind: "blacklist", rows: 4, seed: 3)
            try await live.upward()
            try await live.downward()

            let provincePenalties = try live.province.store.states(kind: "penalty")
            #expect(provincePenalties.count == 25)
            // Exactly that village's chain holds the province's penalties; the other village does not.
            for n in [live.city, live.county, live.township, live.village1] { #expect(try n.store.states(kind: "penalty") == provincePenalties) }
            #expect(try live.village2.store.states(kind: "penalty").isEmpty)
            // The black list is everywhere, and every node answers a check the same way.
            let lists = try live.village2.store.states(kind: "blacklist")
            #expect(lists.count == 4)
            for n in live.all { #expect(try n.store.states(kind: "blacklist") == lists) }
            let subjects = try live.village2.store.allSubjects(kind: "blacklist")
            for s in subjects {
                let expected = try CreditCheck(node: live.village2).check(s).listings.map(\.recordKey)
                for n in live.all { #expect(try CreditCheck(node: n).check(s).listings.map(\.recordKey) == expected) }
            }
            // A village holds the other village's listing but cannot decide on it: outside its area.
            let listing = try #require(lists.keys.first)
            do {
                _ = try StatusDesk(node: live.village1).enter(key: listing, decision("异议")(.objectionOpened, nil))
                Issue.record("a village entered a status change about a record outside its area")
            } catch let e as StatusChangeError { #expect(e.code == .outsideArea) }
            #expect(try live.village1.store.states(kind: "blacklist")[listing] == "active")
            // Nothing that came down goes back up: outboxes hold only the subtree's own change sets.
            for n in [live.village1, live.township, live.county, live.city] {
                for entry in try n.store.pendingOutbox() { #expect(n.configuration.code.contains(try DivisionCode(entry.origin))) }
            }
            // Pulling again brings nothing new.
            let again = try await SyncClient(node: live.village1).pull()
            #expect(again.applied == 0)
        }
    }

    @Test func objectionsAndRepairsShowTheSameStateAtEveryTier() async throws {
        let net = try FiveTiers()
        let c = FiveTiers.codes
        try await net.running { live in
            try net.ingest(live.province, kind: "penalty", rows: 6, seed: 1, jurisdiction: c.village1)
            try await live.upward()
            try await live.downward()
            let keys = try live.village1.store.states(kind: "penalty").keys.sorted()
            #expect(keys.count == 6)

            // An objection accepted at the village shows at the province and everywhere.
            _ = try StatusDesk(node: live.village1).enter(key: keys[0], decision("企业提出异议：处罚对象有误")(.objectionOpened, nil))
            try await live.upward()
            #expect(try live.province.store.states()[keys[0]] == "objected")
            try await live.downward()
            for n in [live.city, live.county, live.township, live.village1] { #expect(try n.store.states()[keys[0]] == "objected") }
            // The village finds another unit must help verify (协查): every tier reads the longer limit.
            _ = try StatusDesk(node: live.village1).enter(key: keys[0], decision("需税务部门协助核实")(.objectionAssisted, nil))
            try await live.upward()
            try await live.downward()
            for n in [live.province, live.city, live.county, live.township, live.village1] {
                let open = try n.openObjections(today: ChinaTime.date(Date())).first { $0.key == keys[0] }
                #expect(try open?.assisted == true && n.store.states()[keys[0]] == "objected")
            }

            // A repair decided at the county stops publicity at every tier.
            let subject = try #require(try live.village1.store.subject(of: keys[1]))
            let shownBefore = try SubjectQuery(context: live.village1).profile(subject: subject, publicView: true).records.count
            // A year after the decisions: past every kind's minimum publicity period (《信用修复管理办法》).
            let later = CivilDate(year: 2027, month: 11, day: 20)!
            _ = try StatusDesk(node: live.county).enter(
                key: keys[1], StatusChange(action: .repaired, date: later, reason: "已履行处罚决定，信用修复", unit: "武汉市江岸区发展和改革局", notice: "江岸发改信修〔2027〕3号"),
                now: morning(later))
            try await live.upward()
            try await live.downward()
            for n in [live.province, live.city, live.county, live.township, live.village1] {
                #expect(try n.store.states()[keys[1]] == "repaired")
                let view = try SubjectQuery(context: n).profile(subject: subject, publicView: true)
                #expect(!view.records.contains { $0["recordKey"]?.string == keys[1] })
                // Government sharing keeps it, with its state.
                let full = try SubjectQuery(context: n).profile(subject: subject, publicView: false)
                #expect(full.records.first { $0["recordKey"]?.string == keys[1] }?["state"]?.string == "repaired")
            }
            #expect(try SubjectQuery(context: live.village1).profile(subject: subject, publicView: true).records.count == shownBefore - 1)

            // The objection closes at the village with the record kept: active again everywhere.
            _ = try StatusDesk(node: live.village1).enter(key: keys[0], decision("经核实，处罚无误")(.objectionClosed, "kept"))
            try await live.upward()
            try await live.downward()
            for n in [live.province, live.city, live.county, live.township, live.village1] { #expect(try n.store.states()[keys[0]] == "active") }

            // Refused: a second repair, a record the village does not hold, an unknown record.
            try net.ingest(live.village2, kind: "penalty", rows: 1, seed: 9)
            try await live.upward()
            let foreign = try #require(try live.village2.store.states(kind: "penalty").keys.first)
            do {
                _ = try StatusDesk(node: live.township).enter(key: keys[1], decision("again")(.repaired, nil))
                Issue.record("a repaired record was repaired again")
            } catch let e as StatusChangeError { #expect(e.code == .notApplicable) }
            do {
                _ = try StatusDesk(node: live.village1).enter(key: foreign, decision("x")(.objectionOpened, nil))
                Issue.record("a village entered a status change on a record it does not hold")
            } catch let e as StatusChangeError { #expect(e.code == .unknownRecord) }
            do {
                _ = try StatusDesk(node: live.township).enter(key: "penalty|none|none", decision("x")(.withdrawn, nil))
                Issue.record("an unknown record was withdrawn")
            } catch let e as StatusChangeError { #expect(e.code == .unknownRecord) }
        }
    }

    @Test func aRevokedNodesPullIsRefusedOnceTheListHasComeDown() async throws {
        let net = try FiveTiers()
        try await net.running { live in
            try await live.downward()
            // The operator revokes village 2 and gives the list to the province; it travels down as control data.
            let cert = try NodeIdentity.load(from: URL(fileURLWithPath: try #require(net.base[FiveTiers.codes.village2]?.identity))).certificate
            _ = try net.ca.revoke(cert, reason: "device lost", in: URL(fileURLWithPath: try #require(net.base[FiveTiers.codes.province]?.identity)))
            // And publishes next year's working-day calendar, signed by the CA.
            let next =
                #"{"year": 2027, "source": "test schedule", "daysOff": [{ "from": "2027-01-01", "to": "2027-01-03", "name": "元旦" }], "workingWeekends": []}"#
            let signed = try net.ca.signControl(name: "calendars/2027.json", content: Array(next.utf8))
            let provinceControl = URL(fileURLWithPath: live.province.configuration.controlDirectory)
            try FileManager.default.createDirectory(at: provinceControl.appendingPathComponent("calendars"), withIntermediateDirectories: true)
            try Data(signed.content).write(to: provinceControl.appendingPathComponent("calendars/2027.json"))
            try Data(Data(signed.signature).base64EncodedString().utf8).write(to: provinceControl.appendingPathComponent("calendars/2027.json.sig"))
            for n in [live.city, live.county, live.township] {
                let report = try await SyncClient(node: n).pull()
                #expect(report.controls == ["revoked.json", "calendars/2027.json"])
            }
            #expect(try await SyncClient(node: live.village1).pull().controls == ["revoked.json", "calendars/2027.json"])
            // Nothing new: nothing sent again.
            #expect(try await SyncClient(node: live.village1).pull().controls.isEmpty)
            // At its next start the village works with the 2027 calendar.
            #expect(try net.context(FiveTiers.codes.village1).calendar.years.keys.contains(2027))
            // A document the CA did not sign is never passed down.
            try Data("tampered".utf8).write(to: provinceControl.appendingPathComponent("calendars/2027.json"))
            #expect(try await SyncClient(node: live.city).pull().controls.isEmpty)
            do {
                _ = try await SyncClient(node: live.village2).pull()
                Issue.record("a revoked village pulled")
            } catch let e as SyncError {
                #expect(e.code == .refused && e.message.contains("revoked"))
            }
        }
    }

    /// The division directory (行政区划名录) signed by the CA goes down as control data: every node
    /// installs it and, at once, names areas it knows nothing of otherwise — the village its
    /// sibling. One that does not load is never installed, even signed.
    @Test func theDivisionDirectoryComesDownAndNamesEveryArea() async throws {
        let net = try FiveTiers()
        let c = FiveTiers.codes
        try await net.running { live in
            try await live.downward()
            let sibling = try DivisionCode(c.village2)
            #expect(try live.village1.areaName(sibling) == nil)
            let names = [
                c.province: "湖北省", c.city: "武汉市", c.county: "江岸区", c.township: "大智街道", c.village1: "大智一村", c.village2: "大智二村",
            ]
            let directory = DivisionDirectory(
                source: "test", names: Dictionary(uniqueKeysWithValues: try names.map { (try DivisionCode($0.key), $0.value) }))
            let provinceControl = URL(fileURLWithPath: live.province.configuration.controlDirectory)
            func place(_ content: [UInt8]) throws {
                try net.ca.signControl(name: NodeContext.divisionsFile, content: content).write(into: provinceControl)
            }
            try place(directory.encoded())
            live.province.reloadDivisions()
            for n in [live.city, live.county, live.township, live.village1] {
                #expect(try await SyncClient(node: n).pull().controls == [NodeContext.divisionsFile])
            }
            #expect(try live.village1.areaName(sibling) == "湖北省武汉市江岸区大智街道大智二村")
            #expect(try live.village1.childNames().isEmpty)
            #expect(try live.township.childNames() == [c.village1: "大智一村", c.village2: "大智二村"])
            // Signed, but naming a six-digit code: refused by every node that checks it, so not installed.
            try place(Array(#"{"divisions": {"420102": "江岸区"}}"#.utf8))
            #expect(try await SyncClient(node: live.city).pull().controls.isEmpty)
            #expect(try live.city.areaName(try DivisionCode(c.county)) == "湖北省武汉市江岸区")
            #expect(throws: DivisionDirectoryError.self) {
                try Downward.validate(name: NodeContext.divisionsFile, content: Array(#"{"divisions": {}}"#.utf8))
            }
        }
    }

    /// Every pull asks for the control documents at both ends: they are read, verified and hashed
    /// again only when a file they come from changed — its size or its modification time.
    @Test func controlDocumentsAreReadAgainOnlyWhenTheirFilesChange() throws {
        let net = try FiveTiers()
        let province = try net.context(FiveTiers.codes.province)
        let before = Downward.controlDigest(province)
        let control = URL(fileURLWithPath: province.configuration.controlDirectory)
        let file = control.appendingPathComponent(NodeContext.divisionsFile)
        func place(_ name: String) throws {
            let content = DivisionDirectory(source: "t", names: [try DivisionCode(FiveTiers.codes.province): name]).encoded()
            try net.ca.signControl(name: NodeContext.divisionsFile, content: content).write(into: control)
        }
        // A new file: read at the next ask.
        try place("湖北省")
        let placed = Downward.controlDigest(province)
        #expect(placed != before && Downward.controlDocuments(province).map(\.name).contains(NodeContext.divisionsFile))
        // The same size and modification time (to the nanosecond) with other bytes: what was read stays.
        var st = stat()
        #expect(stat(file.path, &st) == 0)
        var times = [st.st_atim, st.st_mtim]
        try Data(Array(try Data(contentsOf: file)).map { $0 == UInt8(ascii: "t") ? UInt8(ascii: "u") : $0 }).write(to: file)
        #expect(utimensat(AT_FDCWD, file.path, &times, 0) == 0)
        #expect(Downward.controlDigest(province) == placed)
        // Another modification time: read again — and those bytes no longer match their signature.
        times[1].tv_sec -= 1
        #expect(utimensat(AT_FDCWD, file.path, &times, 0) == 0)
        #expect(Downward.controlDigest(province) == before)
        // A signature rewritten (another size): read again.
        try place("湖北")
        #expect(Downward.controlDigest(province) != before && Downward.controlDigest(province) != placed)
    }

    @Test func aChildOfflineDuringManyChangesCatchesUpPageByPage() async throws {
        let net = try FiveTiers(pageChanges: 40)
        let c = FiveTiers.codes
        try await net.running { live in
            try await live.downward()
            // Village 1 is offline while the province decides 300 penalties about it and withdraws some.
            try net.ingest(live.province, kind: "penalty", rows: 300, seed: 4, jurisdiction: c.village1)
            let keys = try live.province.store.states(kind: "penalty").keys.sorted()
            for k in keys.prefix(25) { _ = try StatusDesk(node: live.province).enter(key: k, decision("处罚决定已撤销")(.withdrawn, nil)) }
            try await live.downward(skip: [c.village1])
            let report = try await SyncClient(node: live.village1).pull()
            #expect(report.applied == 325 && report.pages >= 9)
            #expect(try live.village1.store.states(kind: "penalty") == (try live.province.store.states(kind: "penalty")))
            // The cursor survives a restart: a new context on the same store pulls nothing again.
            let reopened = try net.context(c.village1, parentPort: nil)
            #expect(try reopened.store.downCursor(parent: try DivisionCode(c.township)) == report.cursor)
        }
    }

    /// The pull loop's rounds at instants the test chooses: no waiting for a schedule to fire.
    @Test func serveLoopPullsOnItsOwnSchedule() async throws {
        let net = try FiveTiers()
        try await net.running { live in
            try net.ingest(live.township, kind: "redlist", rows: 3, seed: 5)
            _ = try await SyncClient(node: live.township).push()
            let village = live.village1
            let loop = PullLoop(node: village)
            var maintained: Date?
            let t = Date()
            #expect(try village.store.states(kind: "redlist").isEmpty)
            // A round pulls what waits and applies it before it returns; maintenance runs first.
            await loop.step(&maintained, now: t)
            #expect(try village.store.states(kind: "redlist").count == 3)
            #expect(maintained == t)
            // Within the hour the next round pulls again but does not run maintenance; after it, it does.
            await loop.step(&maintained, now: t.addingTimeInterval(60))
            #expect(maintained == t)
            await loop.step(&maintained, now: t.addingTimeInterval(3601))
            #expect(maintained == t.addingTimeInterval(3601))
            #expect(try village.store.states(kind: "redlist").count == 3)
        }
    }

    /// A section that fails on its own (a change altered after its origin signed it) is set
    /// aside with its reason and the rest of the page applied: the village's pulls move on. A
    /// page whose parent's signature fails is still refused whole.
    @Test func aBadSectionIsSetAsideAndTheRestOfThePageApplies() throws {
        let net = try FiveTiers()
        let c = FiveTiers.codes
        let township = try net.context(c.township)
        let village = try net.context(c.village1)
        let v1 = try DivisionCode(c.village1)
        try net.ingest(township, kind: "penalty", rows: 3, seed: 31, jurisdiction: c.village1)
        try net.sentUp(township)
        try net.ingest(township, kind: "penalty", rows: 4, seed: 32, jurisdiction: c.village1)
        try net.sentUp(township)
        let page = try Downward(node: township).page(for: v1, after: 0, controlDigest: nil)
        try #require(page.sections.count == 2)
        var sections = page.sections
        // A decision date moved a year back: still a canonical change, no longer what was signed.
        let text = String(decoding: sections[0].entries[0].line, as: UTF8.self)
        let moved = text.replacingOccurrences(of: "2026-", with: "2025-")
        try #require(moved != text)
        sections[0].entries[0].line = Array(moved.utf8)
        let identity = try Export.identity(of: township.configuration)
        let altered = try DownBundle.build(
            identity: identity, child: c.village1, after: page.after, next: page.next, more: page.more, sections: sections, controls: page.controls)
        // The parent's signature damaged in transit: nothing applied, nothing set aside.
        var broken = altered.encoded
        broken[broken.count - 10] ^= 0x01
        #expect(throws: ChangeSetError.self) { try Downward(node: village).apply(broken) }
        #expect(try village.store.setAsideEntries().isEmpty)
        // The altered section is set aside; the other's four records arrive and the cursor moves on.
        let result = try Downward(node: village).apply(altered.encoded)
        #expect(result.applied == 4 && result.setAside == 1)
        #expect(try village.store.downCursor(parent: try DivisionCode(c.township)) == page.next)
        let entries = try village.store.setAsideEntries()
        #expect(entries.count == 1)
        #expect(entries.first?.direction == "down" && entries.first?.peer == c.township && entries.first?.origin == c.township)
        #expect(entries.first?.code == "bad-inclusion-proof")
        #expect(entries.first?.firstSeq == 1 && entries.first?.lastSeq == 3)
        #expect(try village.store.states(kind: "penalty").count == 4)
        // Imported again (a file carried twice), it is set aside once.
        _ = try Downward(node: village).apply(altered.encoded)
        #expect(try village.store.setAsideEntries().count == 1)
    }

    @Test func onlyConfiguredChildrenMayPull() throws {
        let net = try FiveTiers()
        let county = try net.context(FiveTiers.codes.county)
        do {
            _ = try Downward(node: county).page(for: try DivisionCode(FiveTiers.codes.village1), after: 0, controlDigest: nil)
            Issue.record("a grandchild pulled from the county directly")
        } catch let e as ImportError { #expect(e.code == .notAChild) }
        let page = try Downward(node: county).page(for: try DivisionCode(FiveTiers.codes.township), after: 0, controlDigest: nil)
        #expect(page.child == FiveTiers.codes.township && page.sections.isEmpty)
        #expect(SyncServer.httpError(ImportError(code: .notAChild, message: "x")).status == .forbidden)
    }
}
