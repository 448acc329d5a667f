import CreditDomain
import CreditStore
import Foundation
import TestSupport
import Testing

@testable import NodeRuntime

/// The calendar cliff: records whose deadline falls in a year without an official working-day
/// schedule are accepted with a provisional deadline, shown as such, and settled — once — when
/// the schedule arrives.
@Suite("Provisional calendar at a node")
struct ProvisionalCalendarTests {
    static let header = "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_NR_FK,CF_JDRQ,CF_YXQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM"

    static func row(number: Int, decided: String) -> String {
        "武汉楚源商贸有限公司,法人及非法人组织,91420684MA4927PJ7B,江岸市监罚〔2026〕\(number)号,销售过期食品,经查，当事人销售超过保质期的食品。,《中华人民共和国食品安全法》第一百二十四条,警告,警告,,\(decided),2027-12-31,武汉市江岸区市场监督管理局,91110000600037341L,武汉市江岸区市场监督管理局,91110000600037341L"
    }

    @Test func acceptedShownProvisionalAndSettledWhenTheScheduleArrives() throws {
        let dir = try TemporaryDirectory()
        var config = NodeConfiguration(code: try DivisionCode("420102002201"), dataDirectory: dir.path("node"))
        let calendars = dir.path("calendars")
        try FileManager.default.createDirectory(atPath: calendars, withIntermediateDirectories: true)
        config.calendars = calendars
        try config.write()
        let context = try NodeContext(configuration: config)

        // Ingested on 8 January 2027: deadlines 7 and 8 January under the statutory holidays.
        let csv = ([Self.header, Self.row(number: 501, decided: "2026-12-28"), Self.row(number: 502, decided: "2026-12-29")]).joined(separator: "\n") + "\n"
        let jan8 = morning(CivilDate(year: 2027, month: 1, day: 8)!)
        let report = try FileIngestion(node: context).ingest(bytes: Array(csv.utf8), name: "cliff.csv", kind: "penalty", format: .csv, now: jan8)
        #expect(report.accepted == 2 && report.rejected == 0)
        #expect(try context.store.counts().provisionalDeadlines == 2)
        #expect(try context.store.counts().late == 1)

        let profile = try SubjectQuery(context: context).profile(subject: "91420684MA4927PJ7B", publicView: false, today: CivilDate(year: 2027, month: 1, day: 8)!)
        #expect(profile.records.allSatisfy { $0["deadlineProvisional"] == .bool(true) })
        #expect(profile.lines.joined().contains { $0.contains("公示时限: 2027-01-07 (暂定 provisional") })

        // The official 2027 schedule arrives: 1–5 January off. Opening the node settles.
        try Data(#"{"year":2027,"source":"test","daysOff":[{"from":"2027-01-01","to":"2027-01-05","name":"元旦"}],"workingWeekends":[]}"#.utf8)
            .write(to: URL(fileURLWithPath: calendars).appendingPathComponent("2027.json"))
        let reopened = try NodeContext(configuration: config)
        #expect(try reopened.store.counts().provisionalDeadlines == 0)
        #expect(try reopened.store.counts().late == 0)
        let settled = try SubjectQuery(context: reopened).profile(subject: "91420684MA4927PJ7B", publicView: false, today: CivilDate(year: 2027, month: 1, day: 8)!)
        #expect(Set(settled.records.compactMap { $0["publicationDeadline"]?.string }) == ["2027-01-11", "2027-01-12"])
        #expect(settled.records.allSatisfy { $0["deadlineProvisional"] == .bool(false) && $0["late"] == .bool(false) })
        // Once: the running node's reload finds nothing left to settle.
        #expect(try reopened.reloadCalendar().settled == 0)
        #expect(reopened.calendar.isOfficial(year: 2027))
    }
}
