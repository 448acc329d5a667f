import CreditDomain
import CreditStore
import Foundation
import Hummingbird
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
