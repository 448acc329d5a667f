import AsyncHTTPClient
import CreditDomain
import CreditStore
import Foundation
import Hummingbird
import NIOCore
import HummingbirdTesting
import SyncCore
import Testing

@testable import CreditPortal
@testable import NodeRuntime

/// A record a correction moved out of the node's area (PROTOCOL.md "A record that moved"): the
/// node keeps the corrected version, its page says where the record lies now, and objections and
/// repair go to that area's office.
@Suite("A record corrected to another area, on the portal")
struct MovedRecordTests {
    /// A village of another township of the county: outside the fixture township's area.
    static let elsewhere = "420102003201"

    /// The correction of `key` naming `elsewhere`, as it comes down from the county.
    static func moveAway(_ key: String, at node: NodeContext) throws {
        let stored = try #require(try node.store.record(key: key))
        let kind = try #require(node.resolvedKinds[stored.kind])
        let field = kind.kind.fullCode(try #require(kind.kind.jurisdiction))
        let body = stored.fieldsJSON.replacingOccurrences(
            of: "\"\(field)\":\"\(stored.jurisdiction)\"", with: "\"\(field)\":\"\(Self.elsewhere)\"")
        try #require(body != stored.fieldsJSON)
        let change = Change(
            origin: "420102000000", seq: 1, hlc: HLCStamp(rawValue: 1 << 60), enteredAtMilliseconds: ChinaTime.milliseconds(PortalFixture.now),
            op: "put", kind: stored.kind, key: key, jurisdiction: Self.elsewhere, body: body)
        var reader = RecordDatesReader(kinds: node.resolvedKinds, calendar: node.calendar)
        let down = DownwardChange(
            change: change, dates: reader.dates(change), setOrigin: change.origin, setFirstSeq: 1, signedHeader: [1], leafIndex: 0, proof: [])
        #expect(try node.store.applyDownward(parent: try DivisionCode("420102000000"), [down], next: 1).applied == 1)
    }

    @Test func itsPageSaysWhereItLiesNowAndItsObjectionsGoThere() async throws {
        let f = try PortalFixture()
        let app = Application(router: f.portal.router())
        let penalties = try f.node.store.allRecords().filter { $0.kind == "penalty" && $0.state == "active" }.map(\.key).sorted()
        let (key, other) = (try #require(penalties.first), try #require(penalties.last))
        let before = try await f.get("/records/" + PortalPages.escapePath(key))
        #expect(before.body.contains("action=\"/objections\"") && !before.body.contains("已更正为"))

        try Self.moveAway(key, at: f.node)
        let page = try await f.get("/records/" + PortalPages.escapePath(key))
        #expect(page.status == .ok && page.body.contains("所属行政区划已更正为") && page.body.contains(Self.elsewhere))
        #expect(!page.body.contains("action=\"/objections\"") && !page.body.contains("action=\"/repairs\""))
        let json = try await f.json("/records/" + PortalPages.escapePath(key))
        #expect((json["movedTo"] as? [String: Any])?["code"] as? String == Self.elsewhere)
        // Another record of the township keeps its forms and takes objections as before.
        let (cookie, token) = try await PortalObjectionTests.form(app, key: other)
        #expect(try await f.json("/records/" + PortalPages.escapePath(other))["movedTo"] == nil)
        let fields = { (k: String) in [("key", k), ("csrf", token), ("name", "张三"), ("contact", "13800000000"), ("reason", "记录有误")] }
        let (refused, message) = try await PortalObjectionTests.post(app, cookie: cookie, fields: fields(key))
        #expect(refused == .conflict && message.contains("已更正为 \(Self.elsewhere)"), "\(message)")
        #expect(try await PortalObjectionTests.post(app, cookie: cookie, fields: fields(other)).0 == .ok)
        #expect(try f.node.store.objectionRequests().map(\.recordKey) == [other])
        #expect(throws: ObjectionRequestError.self) {
            try ObjectionDesk(node: f.node).submit(key: key, name: "张三", contact: "13800000000", reason: "记录有误", now: PortalFixture.now)
        }
    }

    /// With the network's division directory (行政区划名录, control data), the page names the
    /// areas in words: the record's 所属行政区划 and the area it moved to, which this township
    /// knows nothing of otherwise (not its subtree: no health record names it).
    @Test func theDirectoryNamesTheAreasOnItsPage() async throws {
        let f = try PortalFixture()
        let key = try #require(try f.node.store.allRecords().filter { $0.kind == "penalty" && $0.state == "active" }.map(\.key).min())
        let link = "/records/" + PortalPages.escapePath(key)
        let village = try #require(try f.node.store.record(key: key)).jurisdiction
        let area = { (json: [String: Any]) in
            ((json["record"] as? [String: Any])?["fields"] as? [[String: Any]])?.first { $0["label"] as? String == "所属行政区划" }?["text"] as? String
        }
        // Without a directory: the codes, and the township's own name where it is the area.
        #expect(try f.node.areaName(try DivisionCode(PortalFixture.township)) == "大智街道")
        #expect(try f.node.areaName(try DivisionCode(Self.elsewhere)) == nil)
        let plain = try await f.json(link)
        #expect(area(plain) == village)
        try Self.moveAway(key, at: f.node)
        #expect(try await f.get(link).body.contains("已更正为 <strong>\(Self.elsewhere)</strong>"))
        // Pages the portal keeps (a listing's region filter, a report's rows) are kept from before
        // the directory comes: they must be rendered again when it comes, with no change to the store.
        let keys = try f.node.store.allRecords().filter { $0.kind == "penalty" && $0.state == "active" && $0.key != key }.map(\.key)
        let stored = try keys.compactMap { try f.node.store.record(key: $0) }
        let other = try #require(stored.first { $0.subjectCode?.count == 18 })
        let reportLink = "/reports/" + PortalPages.escapePath(try #require(other.subjectCode))
        let listingBefore = try await f.get("/publicity/penalty")
        let reportBefore = try await f.get(reportLink)
        #expect(!listingBefore.body.contains(">大智一村<") && !reportBefore.body.contains("湖北省武汉市江岸区大智街道"))

        let names = [
            "420000000000": "湖北省", "420100000000": "武汉市", "420102000000": "江岸区", "420102002000": "大智街道",
            "420102003000": "一元街道", "420102003201": "一元一村", "420102002201": "大智一村", "420102002202": "大智二村",
        ]
        let directory = DivisionDirectory(
            source: "test", names: Dictionary(uniqueKeysWithValues: try names.map { (try DivisionCode($0.key), $0.value) }))
        let control = URL(fileURLWithPath: f.node.configuration.controlDirectory)
        try FileManager.default.createDirectory(at: control, withIntermediateDirectories: true)
        try Data(directory.encoded()).write(to: control.appendingPathComponent(NodeContext.divisionsFile))
        f.node.reloadDivisions()
        let page = try await f.get(link)
        #expect(page.body.contains("已更正为 <strong>湖北省武汉市江岸区一元街道一元一村（\(Self.elsewhere)）</strong>"))
        let named = try await f.json(link)
        #expect(area(named) == "湖北省武汉市江岸区一元街道一元一村（\(Self.elsewhere)）")
        #expect((named["movedTo"] as? [String: Any])?["areaName"] as? String == "湖北省武汉市江岸区一元街道一元一村")
        // A request about it is refused naming the area in words too.
        #expect {
            try ObjectionDesk(node: f.node).submit(key: key, name: "张三", contact: "13800000000", reason: "记录有误", now: PortalFixture.now)
        } throws: { error in
            (error as? ObjectionRequestError)?.message.contains("已更正为 湖北省武汉市江岸区一元街道一元一村（\(Self.elsewhere)），不在本地区") == true
        }
        // So does a credit report's page, whose signed JSON keeps the codes.
        let villageName = "湖北省武汉市江岸区大智街道\(names[other.jurisdiction] ?? "?")（\(other.jurisdiction)）"
        #expect(try await f.get(reportLink).body.contains(villageName))
        let signed = try await f.get(reportLink + "?format=json")
        #expect(signed.status == .ok && signed.body.contains(other.jurisdiction) && !signed.body.contains(villageName))
        // The 双公示 listing's region filter names the villages by the directory too.
        let listing = try await f.get("/publicity/penalty")
        #expect(listing.body.contains(">大智一村<") && listing.body.contains(">大智二村<"))
        // A directory that does not load is left out, and the codes come back.
        try Data(#"{"divisions": {"420102": "江岸区"}}"#.utf8).write(to: control.appendingPathComponent(NodeContext.divisionsFile))
        f.node.reloadDivisions()
        let unnamed = try await f.json(link)
        #expect(f.node.divisions == nil && area(unnamed) == Self.elsewhere)
    }

    /// A request from the public that came before the correction moved its record away: the
    /// office can no longer accept it here (the status desk refuses), so its work queue offers
    /// only the refusal, the reason written to send the person to the area that holds the record.
    @Test func aRequestWhoseRecordMovedAfterItCameIsRefusedSendingThePersonThere() async throws {
        let f = try PortalFixture()
        let penalties = try f.node.store.allRecords().filter { $0.kind == "penalty" && $0.state == "active" }.map(\.key).sorted()
        let (key, other) = (try #require(penalties.first), try #require(penalties.last))
        let desk = ObjectionDesk(node: f.node)
        let submitted = try desk.submit(key: key, name: "张三", contact: "13800000000", reason: "记录有误", now: PortalFixture.now)
        let moved = submitted.id
        let stays = try desk.submit(key: other, name: "李四", contact: "13900000000", reason: "记录有误", now: PortalFixture.now).id
        let statusLink = "/objections/status?code=" + submitted.code
        let movedTo = { (json: [String: Any]) in (json["request"] as? [String: Any])?["movedTo"] as? String }
        let before = try await f.json(statusLink)
        #expect(movedTo(before) == nil)
        try Self.moveAway(key, at: f.node)
        // The person reads at once, with their code, where to ask instead.
        let waiting = try await f.json(statusLink)
        #expect(movedTo(waiting) == Self.elsewhere)
        #expect(try await f.get(statusLink).body.contains("这条记录的所属行政区划已更正为 <strong>\(Self.elsewhere)</strong>，不在本地区"))
        let work = try OperationsPages(node: f.node).work(reader: "测试", now: PortalFixture.now, csrf: "t")
        let reason = "这条信息的所属行政区划已更正为\(Self.elsewhere)，不在本地区办理，请向该地区的信用网站提出。"
        #expect(work.requests.first { $0.id == moved }.map { ($0.movedTo, $0.refusal) } ?? (nil, "") == (Self.elsewhere, reason))
        #expect(work.requests.first { $0.id == stays }.map { ($0.movedTo, $0.refusal) } ?? ("?", "?") == (nil, ""))
        // The list an operator reads (`objection requests`, its JSON) says the same.
        let listed = try desk.requests()
        #expect(listed.map(\.request.id) == [moved, stays] && listed.map(\.movedTo) == [Self.elsewhere, nil])
        try await withOperatorsListener(f.node, tls: false) { port in
            let base = "http://127.0.0.1:\(port)"
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let (cookie, token, html) = try await formPage(client, base + "/ops/work")
            #expect(html.contains("所属行政区划已更正为 <strong>\(Self.elsewhere)</strong>，不在本地区"))
            #expect(!html.contains("requests/\(moved)/accept") && html.contains("requests/\(moved)/refuse") && html.contains("value=\"\(reason)\""))
            #expect(html.contains("requests/\(stays)/accept"))
            // Accepting it anyway is refused, in the office's words; the refusal goes through.
            func post(_ path: String, _ form: String) async throws -> Int {
                var request = HTTPClientRequest(url: base + path)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.headers.add(name: "Cookie", value: cookie)
                request.body = .bytes(ByteBuffer(string: form + "&csrf=\(token)"))
                return Int(try await client.execute(request, timeout: .seconds(30)).status.code)
            }
            let accepting = try await post("/ops/work/requests/\(moved)/accept", "unit=" + PortalPages.escapePath("大智街道信用办"))
            #expect(accepting == 400)
            let refusing = try await post("/ops/work/requests/\(moved)/refuse", "reason=" + PortalPages.escapePath(reason))
            #expect(refusing == 303)
        }
        let decided = try #require(try f.node.store.objectionRequests(includeDecided: true).first { $0.id == moved })
        let pending = try f.node.store.objectionRequests().map(\.id)
        #expect(decided.decision == reason && pending == [stays])
        // Decided, it is no longer flagged.
        #expect(try desk.requests(includeDecided: true).allSatisfy { $0.movedTo == nil })
        // Refused: the status page gives the office's reason, no longer the note.
        let refused = try await f.get(statusLink)
        #expect(refused.body.contains("不予受理") && refused.body.contains(reason) && !refused.body.contains("本站不能受理"))
    }

    /// The township's 双公示 listing and the home page's counts leave out the record now lying in
    /// another area (that area's node publishes it); its own page is still there, saying where.
    @Test func itsListingsAndCountsLeaveItOut() async throws {
        let f = try PortalFixture()
        let today = ChinaTime.date(PortalFixture.now)
        let pages = f.portal.pages
        let listed = {
            try pages.listing(path: "/publicity/penalty", kinds: ["penalty"], title: "行政处罚", parameters: .init(), limit: 500, today: today)
                .records.map(\.key)
        }
        let penalties = { (now: Date) in try pages.home(today: today, now: now).counts.first { $0.kind == "penalty" }?.count }
        let before = try listed()
        let key = try #require(before.first)
        let counted = try #require(try penalties(PortalFixture.now))
        try Self.moveAway(key, at: f.node)
        let after = try listed()
        #expect(!after.contains(key) && Array(after.prefix(before.count - 1)) == before.filter { $0 != key })
        // The counts are kept a minute: a minute on, one fewer.
        #expect(try penalties(PortalFixture.now.addingTimeInterval(61)) == counted - 1)
        let page = try await f.get("/records/" + PortalPages.escapePath(key))
        #expect(page.status == .ok && page.body.contains("所属行政区划已更正为"))
    }
}
