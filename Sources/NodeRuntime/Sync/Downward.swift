import ChangeSets
import CreditDomain
import SyncCore
import CreditStore
import Foundation
import NodePKI

/// What a pull did.
public struct PullReport: Sendable, Codable {
    public var parent: String
    public var pages: Int
    public var applied: Int
    public var duplicates: Int
    public var bytes: Int
    public var controls: [String]
    public var cursor: Int64
    /// Sections refused on their own and set aside (`credit-node set-aside`); the rest applied.
    public var setAside: Int = 0
}

/// The control documents a node passes down and their digest, with the files' stamp they were
/// read under (`Downward.controlStamp`).
struct ControlKept: Sendable {
    var stamp: [String]
    var documents: [ControlDocument]
    var digest: String
}

/// The downward half of sync. At the parent: the page of changes that concern a child, with
/// inclusion proofs, as a signed down bundle. At the child: verifying such a bundle and applying
/// it, with the cursor, in one transaction.
public struct Downward: Sendable {
    public let node: NodeContext

    public init(node: NodeContext) { self.node = node }

    /// The control documents this node holds and passes down: the newest revocation list it has
    /// (its identity's or one received), and the signed catalogue, division directory and
    /// calendars in its control directory. Only documents whose CA signature verifies are passed
    /// on: a damaged file never blocks a child's pulls.
    public static func controlDocuments(_ node: NodeContext) -> [ControlDocument] { keptControl(node).documents }

    /// The digest a pull names the documents it holds by (`ControlDocument.digest`).
    public static func controlDigest(_ node: NodeContext) -> String { keptControl(node).digest }

    /// The documents and their digest as last read, read again only when a file they come from
    /// changed (`controlStamp`): every pull asks for them at both ends, and reading, verifying and
    /// hashing a province's division directory each time was about a millisecond a side.
    static func keptControl(_ node: NodeContext) -> ControlKept {
        let stamp = controlStamp(node.configuration)
        if let kept = node.controlKept.value.withLock({ $0?.stamp == stamp ? $0 : nil }) { return kept }
        let configuration = node.configuration
        var docs = ControlDocument.load(from: URL(fileURLWithPath: configuration.controlDirectory)).filter { $0.name != "revoked.json" }
        if let newest = try? Import.newestRevocationList(configuration) {
            docs.insert(ControlDocument(name: "revoked.json", content: newest.bytes, signature: []), at: 0)
        }
        let verified = (try? node.credentials.trust().ca).map { ca in docs.filter { (try? $0.verify(ca: ca)) != nil } } ?? []
        let kept = ControlKept(stamp: stamp, documents: verified, digest: ControlDocument.digest(verified))
        node.controlKept.value.withLock { $0 = kept }
        return kept
    }

    /// Every file the control documents are read from, with its size and modification time to
    /// the nanosecond, or marked absent: the control directory's documents and signatures, its
    /// calendars, and the identity's revocation list and CA certificate.
    static func controlStamp(_ configuration: NodeConfiguration) -> [String] {
        let control = URL(fileURLWithPath: configuration.controlDirectory)
        var paths = ["revoked.json", "catalogue.json", "catalogue.json.sig", NodeContext.divisionsFile, NodeContext.divisionsFile + ".sig"].map {
            control.appendingPathComponent($0).path
        }
        let calendars = control.appendingPathComponent("calendars")
        if let files = try? FileManager.default.contentsOfDirectory(atPath: calendars.path) {
            paths += files.sorted().map { calendars.appendingPathComponent($0).path }
        }
        if let identity = configuration.identity {
            paths += ["revoked.json", "ca.pem"].map { URL(fileURLWithPath: identity).appendingPathComponent($0).path }
        }
        return paths.map { path in
            var st = stat()
            guard stat(path, &st) == 0 else { return path + " -" }
            return "\(path) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        }
    }

    /// The signed down bundle for `child` after `cursor`. Only configured children may pull.
    public func page(for child: DivisionCode, after cursor: Int64, controlDigest: String?, limit: Int = 5000, now: Date = Date()) throws -> DownBundle
    {
        let configuration = node.configuration
        guard configuration.children.contains(child) else {
            throw ImportError(code: .notAChild, message: "\(child) is not a child of \(configuration.code); only its children pull from it")
        }
        let identity = try node.credentials.identity()
        // This node's own changes go down under its signature: seal them first.
        try Export(node: node).seal(identity: identity, now: now)
        let page = try node.sync.downwardPage(
            child: child, after: cursor, limit: limit,
            holdingUnacknowledgedOwn: DownStream.holdsUnacknowledgedOwn(hasParent: configuration.parent != nil))
        var sections: [DownBundle.Section] = []
        var sectionOf: [String: Int] = [:]
        for p in try Self.proofs(page) {
            if let s = sectionOf[p.set] {
                sections[s].entries.append(p.entry)
            } else {
                sectionOf[p.set] = sections.count
                sections.append(DownBundle.Section(signedHeader: p.signedHeader, entries: [p.entry]))
            }
        }
        let kept = Self.keptControl(node)
        let controls = controlDigest == kept.digest ? [] : kept.documents
        return try DownBundle.build(
            identity: identity, child: child.digits, after: cursor, next: page.next, more: page.more, sections: sections, controls: controls, now: now
        )
    }

    /// A change of a page with what proves its origin reported it: the origin's signed change-set
    /// header and the change's line, leaf index and inclusion proof under that header's root.
    public struct Proof: Sendable {
        public var item: DownwardPage.Item
        /// Names the change set (`w` + outbox id, `d` + down_sets id): equal for one set.
        public var set: String
        public var signedHeader: [UInt8]
        public var entry: DownBundle.Entry
    }

    /// The proofs of a page's changes: a set held whole gives its tree (built once per set), a
    /// change that came down gives the proof it came with.
    public static func proofs(_ page: DownwardPage) throws -> [Proof] {
        var trees: [Int64: (tree: MerkleTree, firstSeq: Int64, header: [UInt8])] = [:]
        var out: [Proof] = []
        for item in page.items {
            var line: [UInt8] = []
            item.change.appendCanonicalLine(to: &line)
            switch item.evidence {
            case .wholeSet(let id):
                if trees[id] == nil, let whole = page.wholeSets[id] {
                    let set = try ChangeSet.decode(whole.encoded)
                    var line: [UInt8] = []
                    let leaves = whole.changes.map { c in
                        line.removeAll(keepingCapacity: true)
                        c.appendCanonicalLine(to: &line)
                        return line.withUnsafeBytes { Merkle.leafDigest($0) }
                    }
                    trees[id] = (MerkleTree(digests: leaves), set.header.firstSeq, set.signedHeaderBytes)
                }
                guard let t = trees[id] else { continue }
                let index = Int(item.change.seq - t.firstSeq)
                out.append(
                    Proof(
                        item: item, set: "w\(id)", signedHeader: t.header,
                        entry: DownBundle.Entry(leafIndex: index, line: line, proof: t.tree.proof(index: index))))
            case .proof(let setID, let index, let proof):
                out.append(
                    Proof(
                        item: item, set: "d\(setID)", signedHeader: page.signedHeaders[setID] ?? [],
                        entry: DownBundle.Entry(
                            leafIndex: index, line: line, proof: stride(from: 0, to: proof.count, by: 32).map { Array(proof[$0..<$0 + 32]) })))
            }
        }
        return out
    }

    /// Whether a change from above concerns this node: its record lies in this node's area or
    /// its kind is network-wide; and it did not come from this node's own subtree.
    func isRelevant(_ c: Change) -> Bool {
        Routes.concerns(
            node.configuration.code, origin: c.origin, kind: c.kind, jurisdiction: c.jurisdiction,
            networkWideKinds: node.store.routes.networkWideKinds)
    }

    /// The down bundles for `child` from `cursor` on, `limit` changes each, until nothing more
    /// waits — for a child without a line (`credit-node export --down`). Control documents go
    /// in the first.
    public func pages(for child: DivisionCode, after cursor: Int64, limit: Int, now: Date = Date()) throws -> [DownBundle] {
        var out: [DownBundle] = []
        var after = cursor
        // Control documents go in the first page only: the later ones name them as held.
        let held = Self.controlDigest(node)
        while true {
            let page = try page(for: child, after: after, controlDigest: out.isEmpty ? nil : held, limit: limit, now: now)
            out.append(page)
            guard page.more, page.next > after else { return out }
            after = page.next
        }
    }

    /// Verifies a down bundle from the parent and applies it with its cursor; installs the
    /// control documents it carries. The page's signature is all or nothing; a section refused on
    /// its own (its origin revoked when it signed, a proof that fails) is set aside with its
    /// reason and the rest applied, so that one origin's problem does not stop every later pull.
    public func apply(_ bytes: [UInt8], now: Date = Date()) throws -> (
        bundle: DownBundle, applied: Int, duplicates: Int, controls: [String], setAside: Int
    ) {
        let configuration = node.configuration
        guard let parent = configuration.parent else {
            throw SyncError(code: .noParent, message: "this node has no parent in its configuration; nothing to pull")
        }
        let trust = try node.credentials.trust()
        let bundle = try DownBundle.decode(bytes)
        // A change about another area may belong to a record that moved (`Router`): it concerns
        // this node if the node holds the record, or the page brings a change of it about this
        // node's area. Judged once the page is read; a section with any other is set aside.
        var elsewhere: Set<String> = []
        var (verified, setAside) = try bundle.verifySettingAside(trust: trust, parent: parent.code.digits, child: configuration.code.digits, now: now)
        { c in
            if isRelevant(c) { return true }
            if let o = try? DivisionCode(c.origin), configuration.code.contains(o) { return false }
            elsewhere.insert(c.key)
            return true
        }
        if !elsewhere.isEmpty {
            elsewhere.subtract(verified.lazy.filter { self.isRelevant($0.change) }.map(\.change.key))
            let strays = elsewhere.subtracting(try node.store.heldKeys(among: Array(elsewhere)))
            bundle.setAside(&verified, &setAside) { c in
                strays.contains(c.key)
                    ? ChangeSetError(
                        .notRelevant,
                        "\(c.origin) seq \(c.seq) (\(c.kind), \(c.jurisdiction)) does not concern \(configuration.code): its record lies elsewhere and is not held here"
                    )
                    : nil
            }
        }
        // Pages follow one another: one that starts after where this node stands would skip the
        // changes in between (a file carried on removable media out of order).
        let cursor = try node.sync.downCursor(parent: parent.code)
        guard DownStream.follows(pageAfter: bundle.after, standing: cursor) else {
            throw ImportError(
                code: .downPageGap,
                message:
                    "this page of \(parent.code)'s changes starts after position \(bundle.after), but this node stands at \(cursor): import the earlier page first (or export again with --after \(cursor))"
            )
        }
        for section in setAside {
            let new = try node.sync.setAside(
                direction: "down", peer: parent.code.digits, origin: section.origin, firstSeq: section.firstSeq, lastSeq: section.lastSeq,
                hash: section.hash,
                code: section.error.code.rawValue, message: section.error.message, encoded: section.encoded, now: now)
            node.logger.warning(
                new
                    ? "section of a down page set aside: refused on its own, the rest of the page applied"
                    : "section of a down page set aside before, sent again",
                metadata: [
                    "from": "\(parent.code)", "origin": "\(section.origin)", "seq": "\(section.firstSeq)…\(section.lastSeq)",
                    "reason": "\(section.error.code.rawValue)",
                ])
        }
        var reader = RecordDatesReader(kinds: node.resolvedKinds, calendar: node.calendar)
        let changes = verified.map { v in
            DownwardChange(
                change: v.change, dates: reader.dates(v.change), setOrigin: v.header.origin, setFirstSeq: v.header.firstSeq,
                signedHeader: v.signedHeader, leafIndex: v.leafIndex, proof: v.proof.flatMap { $0 })
        }
        let (applied, duplicates) = try node.sync.applyDownward(parent: parent.code, changes, next: bundle.next, now: now)
        let installed = try install(bundle.controls)
        // New official schedules settle the deadlines that were provisional in their years.
        if installed.contains(where: { $0.hasPrefix("calendars/") }) { try node.reloadCalendar() }
        if installed.contains(NodeContext.divisionsFile) { node.reloadDivisions() }
        return (bundle, applied, duplicates, installed, setAside.count)
    }

    /// Checks that a control document loads as what its name says (a catalogue, a calendar, a
    /// division directory), so that nothing installed can stop a node from starting.
    public static func validate(name: String, content: [UInt8]) throws {
        guard name != "revoked.json" else {
            _ = try RevocationList.parse(content, source: name)
            return
        }
        guard name != NodeContext.divisionsFile else {
            _ = try DivisionDirectory.parse(content, file: name)
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("creditnet-control-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(URL(fileURLWithPath: name).lastPathComponent)
        try Data(content).write(to: file)
        if name == "catalogue.json" { _ = try Catalogue.load(from: file) } else { _ = try WorkingCalendar.load(overrides: dir) }
    }

    /// Writes verified control documents that differ from what this node holds (a revocation
    /// list only if it is not older than the one in force); returns their names.
    func install(_ documents: [ControlDocument]) throws -> [String] {
        let configuration = node.configuration
        let dir = URL(fileURLWithPath: configuration.controlDirectory)
        var installed: [String] = []
        for d in documents {
            let url = dir.appendingPathComponent(d.name)
            if FileManager.default.contents(atPath: url.path).map(Array.init) == d.content { continue }
            if d.name == "revoked.json" {
                let incoming = try RevocationList.parse(d.content, source: "revoked.json from the parent")
                if let current = try? Import.newestRevocationList(configuration)?.list, current.content.issuedAt > incoming.content.issuedAt {
                    continue
                }
            }
            do { try Self.validate(name: d.name, content: d.content) } catch {
                node.logger.warning("control document not installed: it does not load", metadata: ["name": "\(d.name)", "reason": "\(error)"])
                continue
            }
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !d.signature.isEmpty { try Export.writeDurably(Array(Data(d.signature).base64EncodedString().utf8), to: url.path + ".sig") }
            try Export.writeDurably(d.content, to: url.path)
            installed.append(d.name)
        }
        return installed
    }
}
