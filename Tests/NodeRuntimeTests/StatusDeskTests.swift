import AsyncHTTPClient
import CreditDomain
import Foundation
import NIOCore
import SampleData
import TestSupport
import Testing

@testable import CreditStore
@testable import NodeRuntime

@Suite("Status changes at one node: publicity, endpoints", .serialized)
struct StatusDeskTests {
    /// Three penalties at the village; the first one's publicity ended on 2025-12-31.
    static func node() throws -> (OfflineChain, [String]) {
        let net = try OfflineChain()
        let village = net.village
        let kind = try village.catalogue.kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 11, node: village.configuration.code, asOf: CivilDate(year: 2026, month: 11, day: 20)!)
        options.faultShare = 0
        var generator = SampleGenerator(options)
        var rows = generator.rows(kind: kind, count: 3)
        let jdrq = try #require(kind.index["JDRQ"])
        let gsjzq = try #require(kind.index["GSJZQ"])
        rows[0].values[jdrq] = "2025-06-02"
        rows[0].values[gsjzq] = "2025-12-31"
        let path = try net.dir.write("p.csv", Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
        let report = try FileIngestion(node: village).ingest(file: path, kind: "penalty", now: morning(CivilDate(year: 2026, month: 11, day: 20)!))
        #expect(report.accepted == 3)
        let keys = try village.store.allRecords().map(\.key)
        return (net, keys)
    }

    @Test func publicityEndsWhenDueAndOnlyThen() throws {
        let (net, _) = try Self.node()
        let village = net.village
        // Before its last day nothing ends; the day after, exactly that record's publicity ends.
        #expect(try village.store.endDuePublicity(today: CivilDate(year: 2025, month: 12, day: 31)!).isEmpty)
        let ended = try village.store.endDuePublicity(today: CivilDate(year: 2026, month: 1, day: 1)!)
        #expect(ended.count == 1 && ended[0].state == .expired && ended[0].change.op == "status")
        let states = try village.store.states()
        #expect(states.values.filter { $0 == "expired" }.count == 1 && states.values.filter { $0 == "active" }.count == 2)
        // Entered once: a second sweep finds nothing.
        #expect(try village.store.endDuePublicity(today: CivilDate(year: 2026, month: 11, day: 21)!).isEmpty)
        // The public view hides it; the full view keeps it with its history.
        let key = ended[0].change.key
        let subject = try #require(try village.store.subject(of: key))
        #expect(!(try SubjectQuery(context: village).profile(subject: subject, publicView: true).records.contains { $0["recordKey"]?.string == key }))
        #expect(try village.store.statusHistory(key: key).map(\.status.action) == [.publicityEnded])
        // A node does not end the publicity of records that entered elsewhere: the township holds
        // the village's records after an upload, and sweeps none of them.
        _ = try net.send(village, to: net.township, name: "v")
        #expect(try net.township.store.endDuePublicity(today: CivilDate(year: 2026, month: 11, day: 21)!).isEmpty)
    }

    /// Credit repair only after the minimum publicity period of 《信用修复管理办法》: 轻微 (警告) at
    /// once, 一般 (罚款) after 3 months, 严重 (吊销许可证件) after a year; several 处罚类别: the longest.
    @Test func repairWaitsForTheMinimumPublicityPeriod() throws {
        let net = try OfflineChain()
        let village = net.village
        let kind = try village.catalogue.kind(named: "penalty")
        var options = SampleGenerator.Options(seed: 12, node: village.configuration.code, asOf: CivilDate(year: 2026, month: 11, day: 20)!)
        options.faultShare = 0
        var generator = SampleGenerator(options)
        var rows = generator.rows(kind: kind, count: 4)
        let plan = [("警告", "2026-11-16"), ("罚款", "2026-11-16"), ("吊销许可证件", "2025-12-01"), ("警告、罚款", "2026-11-16")]
        for (i, (types, decided)) in plan.enumerated() {
            rows[i].values[kind.index["CFLB"]!] = types
            rows[i].values[kind.index["JDRQ"]!] = decided
            rows[i].values[kind.index["YXQ"]!] = "2027-12-31"
            rows[i].values[kind.index["GSJZQ"]!] = ""
        }
        let path = try net.dir.write("r.csv", Array(SampleGenerator.csv(kind: kind, rows: rows, header: .codes).utf8))
        #expect(
            try FileIngestion(node: village).ingest(file: path, kind: "penalty", now: morning(CivilDate(year: 2026, month: 11, day: 20)!)).accepted
                == 4)
        let keys = rows.map { row in "penalty|\(row.values[kind.index["CFJGDM"]!])|\(row.values[kind.index["WSH"]!])" }
        let desk = StatusDesk(node: village)
        func repair(_ key: String, on day: String) throws -> StatusChangeReport {
            let date = CivilDate.parse(day)!
            return try desk.enter(
                key: key, StatusChange(action: .repaired, date: date, reason: "已履行", unit: "江岸区发改局", notice: "江岸信修〔2026〕\(day)"), now: morning(date))
        }
        func refusal(_ key: String, on day: String) -> String? {
            do {
                _ = try repair(key, on: day)
                return nil
            } catch let e as StatusChangeError { return e.code == .repairTooEarly ? e.message : "\(e.code)" } catch { return "\(error)" }
        }
        // 警告 (轻微): the decision day itself.
        #expect(try repair(keys[0], on: "2026-11-16").state == "repaired")
        // 罚款 (一般): refused until three months have passed, naming the first possible day.
        #expect(refusal(keys[1], on: "2026-11-16")?.contains("from 2027-02-16") == true)
        #expect(refusal(keys[1], on: "2027-02-15")?.contains("from 2027-02-16") == true)
        #expect(try repair(keys[1], on: "2027-02-16").state == "repaired")
        // 吊销许可证件 (严重): a year.
        #expect(refusal(keys[2], on: "2026-11-30")?.contains("from 2026-12-01") == true)
        #expect(try repair(keys[2], on: "2026-12-01").state == "repaired")
        // 警告 and 罚款 together: the longer minimum.
        #expect(refusal(keys[3], on: "2026-12-01")?.contains("from 2027-02-16") == true)
        // The notice travels with the change: it is in the record's history.
        let history = try village.store.statusHistory(key: keys[1])
        #expect(history.map(\.status.notice) == ["江岸信修〔2026〕2027-02-16"])
    }

    @Test func aStatusChangeCannotPredateItsRecord() throws {
        let (net, keys) = try Self.node()
        let store = net.village.store
        let held = try keys.flatMap { try store.records(subject: try #require(try store.subject(of: $0))) }
        let key = try #require(held.first { $0.decisionDate == "2025-06-02" }?.key)
        func open(_ date: String) throws -> EnteredStatusChange {
            try store.enterStatusChange(
                key: key, StatusChange(action: .objectionOpened, date: CivilDate.parse(date)!, reason: "企业提出异议", unit: "江岸区信用办"))
        }
        do {
            _ = try open("2020-01-01")
            Issue.record("accepted an objection dated before the decision")
        } catch let error as StatusChangeError {
            #expect(error.code == .badDate && error.message.contains("2025-06-02"))
        }
        #expect(try store.statusHistory(key: key).isEmpty)
        #expect(try open("2025-06-02").state == .objected)
    }

    @Test func anExpiredRecordCanStillBeObjectedTo() throws {
        let (net, keys) = try Self.node()
        let store = net.village.store
        let ended = try store.endDuePublicity(today: CivilDate(year: 2026, month: 1, day: 1)!)
        let key = try #require(ended.first?.change.key)
        #expect(keys.contains(key))
        let day = CivilDate(year: 2026, month: 2, day: 2)!
        let opened = try store.enterStatusChange(key: key, StatusChange(action: .objectionOpened, date: day, reason: "共享数据有误", unit: "江岸区信用办"))
        #expect(opened.state == .expired)  // publicity stays ended; the objection is in its history
        // Refused: a second objection while one is open; a repair (publicity has ended).
        #expect(throws: StatusChangeError.self) {
            try store.enterStatusChange(key: key, StatusChange(action: .objectionOpened, date: day, reason: "再次异议", unit: "江岸区信用办"))
        }
        #expect(throws: StatusChangeError.self) {
            try store.enterStatusChange(key: key, StatusChange(action: .repaired, date: day, reason: "r", unit: "u"))
        }
        let closed = try store.enterStatusChange(
            key: key, StatusChange(action: .objectionClosed, date: day, reason: "核查属实，予以更正", unit: "江岸区信用办", outcome: "corrected"))
        #expect(closed.state == .expired)
        #expect(throws: StatusChangeError.self) {
            try store.enterStatusChange(key: key, StatusChange(action: .objectionClosed, date: day, reason: "r", unit: "u", outcome: "kept"))
        }
        #expect(try store.statusHistory(key: key).map(\.status.action) == [.publicityEnded, .objectionOpened, .objectionClosed])
    }

    /// An objection still open when the record's publicity ends waits for its decision as any
    /// other: on the office's list (marked 公示期满), counted against its time limit, closed there.
    /// A record repaired while under objection has nothing left to decide: not listed.
    @Test func anObjectionOpenWhenPublicityEndsStaysOnTheOfficesList() throws {
        let (net, keys) = try Self.node()
        let village = net.village
        let store = village.store
        let key = try #require(try keys.first { try store.record(key: $0)?.decisionDate == "2025-06-02" })
        let other = try #require(keys.first { $0 != key })
        let december = CivilDate(year: 2025, month: 12, day: 20)!
        _ = try store.enterStatusChange(key: key, StatusChange(action: .objectionOpened, date: december, reason: "主体提出异议", unit: "江岸区信用办"))
        let day = CivilDate(year: 2026, month: 11, day: 20)!
        _ = try store.enterStatusChange(key: other, StatusChange(action: .objectionOpened, date: day, reason: "主体提出异议", unit: "江岸区信用办"))
        _ = try store.enterStatusChange(
            key: other, StatusChange(action: .repaired, date: day, reason: "已履行", unit: "江岸区发改局", notice: "信修告〔2026〕9号"))
        #expect(try village.openObjections(today: december).map(\.key) == [key])
        #expect(try village.openObjections(today: december).first?.publicityEnded == false)
        // Publicity ends on 2025-12-31 with the objection open: still listed, now overdue.
        #expect(try store.endDuePublicity(today: CivilDate(year: 2026, month: 1, day: 1)!).count == 1)
        #expect(try store.record(key: key)?.state == "expired")
        func listed() throws -> [OpenObjection] { try village.openObjections(today: CivilDate(year: 2026, month: 1, day: 1)!) }
        #expect(try listed().map(\.key) == [key] && listed().first?.publicityEnded == true && listed().first?.standing == .overdue)
        // A store from before v31 finds it from its history.
        try store.write { db in
            try db.execute(sql: "DROP INDEX records_objected; ALTER TABLE records DROP COLUMN objection_open")
            try db.execute(sql: "CREATE INDEX records_objected ON records(record_key) WHERE state = 'objected'")
            try Migrations.v31ObjectionsOpenPastPublicity(db)
        }
        #expect(try listed().map(\.key) == [key] && listed().first?.publicityEnded == true)
        // Closed: off the list; publicity stays ended.
        _ = try StatusDesk(node: village).enter(
            key: key, StatusChange(action: .objectionClosed, date: day, reason: "核查无误", unit: "江岸区信用办", outcome: "kept"), now: morning(day))
        #expect(try listed().isEmpty && store.record(key: key)?.state == "expired")
    }

    @Test func statusChangesAndChecksOverTheRecordsListener() async throws {
        let (net, keys) = try Self.node()
        let village = net.village
        try await withRecordsServer(village, tls: false) { port in
            let open = #"{"recordKey":"\#(keys[1])","action":"objection-opened","reason":"企业提出异议","unit":"江岸区信用办"}"#
            let ok = try await RecordsServerTests.post("http://127.0.0.1:\(port)/v1/status-changes", Array(open.utf8))
            #expect(ok.status == 200 && ok.body.contains("\"state\":\"objected\""))
            // Refused: the same again (409), an unknown record (404), a missing reason (400), an unknown action (400).
            #expect(try await RecordsServerTests.post("http://127.0.0.1:\(port)/v1/status-changes", Array(open.utf8)).status == 409)
            let unknown = #"{"recordKey":"penalty|x|y","action":"repaired","reason":"r","unit":"u","notice":"n"}"#
            #expect(try await RecordsServerTests.post("http://127.0.0.1:\(port)/v1/status-changes", Array(unknown.utf8)).status == 404)
            let noReason = #"{"recordKey":"\#(keys[2])","action":"repaired","reason":"","unit":"u"}"#
            #expect(try await RecordsServerTests.post("http://127.0.0.1:\(port)/v1/status-changes", Array(noReason.utf8)).status == 400)
            let badAction = #"{"recordKey":"\#(keys[2])","action":"frozen","reason":"r","unit":"u"}"#
            #expect(try await RecordsServerTests.post("http://127.0.0.1:\(port)/v1/status-changes", Array(badAction.utf8)).status == 400)
            #expect(try village.store.states()[keys[2]] == "active")

            // The check endpoint answers from local data (no list entries here: not restricted).
            let subject = try #require(try village.store.subject(of: keys[1]))
            let (response, body, bad) = try await withHTTPClient { client in
                let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/check/\(subject)"), timeout: .seconds(10))
                let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
                let bad = try await client.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/check/91110000600037341X"), timeout: .seconds(10))
                let injected = try await client.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/check/1%27%20OR%201%3D1--"), timeout: .seconds(10))
                return (response, body, [bad.status, injected.status])
            }
            #expect(response.status == .ok && body.contains("\"restricted\":false") && body.contains("\"listings\":[]"))
            #expect(bad == [.badRequest, .badRequest])
        }
    }
}
