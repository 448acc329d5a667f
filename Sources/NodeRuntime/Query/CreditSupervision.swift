import CreditDomain
import CreditStore
import Foundation

/// 信用分级分类监管 (seed 004 item 9: 评价结果与“双随机、一公开”监管相结合，对不同信用状况的企业
/// 采取差异化监管措施，合理确定检查比例和频次): for one 评价年度, the subjects of the node's area by
/// their 信用等级 (the catalogue's `rating` kind, A to D), and how often the departments inspected
/// each grade in the year after its rating (the `inspection` kind, 行政监督检查) — so that an office
/// sees whether D is inspected more than A, as the rule asks; and per 评价领域 how the grades are
/// spread (seed 004 item 10: A级纳税人 at least 5 % of those rated). What `/ops/supervision` and
/// `credit-node supervision` show. Figures only.
public struct CreditSupervision: Sendable, Encodable {
    /// The kinds and fields this reads: 评价领域, 评价等级, 评价年度; 检查类型, 检查结果.
    public static let ratingKind = "rating"
    public static let inspectionKind = "inspection"
    static let ratingFields = ["PJLY", "PJDJ", "PJND"]
    static let inspectionFields = ["JCLX", "JCJG"]
    /// The grades, best first, as the catalogue's 信用等级 has them.
    public static let grades = ["A", "B", "C", "D"]
    /// How long after its rating a subject's inspections count for its grade.
    public static let windowDays = 365
    /// 检查类型 of a random inspection, and the results that found a problem.
    static let randomInspection = "双随机一公开"
    static let problemPrefix = "发现问题"

    /// One grade's subjects and their inspections in the window after their rating.
    public struct Grade: Sendable, Encodable {
        public var grade: String
        public var subjects = 0
        /// Subjects inspected at least once, and the inspections.
        public var inspected = 0
        public var inspections = 0
        public var random = 0
        public var problems = 0
        /// The share of subjects inspected, inspections per 100 subjects, the share of
        /// inspections that found a problem; nil while there is nothing to divide.
        public var inspectedShare: String?
        public var perHundred: String?
        public var problemShare: String?
        var ratio: Double?

        enum CodingKeys: String, CodingKey {
            case grade, subjects, inspected, inspections, random, problems, inspectedShare, perHundred, problemShare
        }

        func finished() -> Grade {
            var done = self
            if subjects > 0 {
                done.ratio = Double(inspected) / Double(subjects)
                done.inspectedShare = String(format: "%.1f %%", done.ratio! * 100)
                done.perHundred = String(format: "%.1f", Double(inspections) * 100 / Double(subjects))
            }
            if inspections > 0 { done.problemShare = String(format: "%.1f %%", Double(problems) * 100 / Double(inspections)) }
            return done
        }
    }

    /// One 评价领域's subjects by grade.
    public struct Field: Sendable, Encodable {
        public var name: String
        public var rated = 0
        /// Per grade, in `grades`' order.
        public var counts = [0, 0, 0, 0]
        public var aShare: String?
    }

    public var year: Int
    /// The years rated in the area, newest first.
    public var years: [Int]
    /// A to D: each subject once, by its lowest grade of the year (the strictest supervision).
    public var grades: [Grade]
    public var rated: Int
    /// Subjects inspected in the calendar year that no rating of the year covers.
    public var unratedInspected: Int
    /// Whether D subjects were inspected in a larger share than A subjects (差异化监管); nil
    /// while either grade has no subject.
    public var differentiated: Bool?
    /// The 评价领域, most rated first.
    public var fields: [Field]

    /// The year asked for (the newest rated when nil) in `node`'s area; nil when the catalogue
    /// lacks either kind or a field this reads.
    public static func compute(_ node: NodeContext, year asked: Int?, today: CivilDate) throws -> CreditSupervision? {
        guard let rating = node.resolvedKinds[Self.ratingKind], Self.ratingFields.allSatisfy({ rating.index[$0] != nil }),
            let inspection = node.resolvedKinds[Self.inspectionKind], Self.inspectionFields.allSatisfy({ inspection.index[$0] != nil })
        else { return nil }
        let prefix = node.configuration.code.areaPrefix
        // Every rating of the area, newest first: date, subject, jurisdiction, 评价领域, 评价等级, 评价年度.
        let ratings = try node.store.fieldValues(
            kind: rating.slug, from: "0000-01-01", until: "9999-12-31", areaPrefix: prefix, fields: Self.ratingFields.map(rating.kind.fullCode))
        let years = Set(ratings.compactMap { Int($0[5]) }).sorted(by: >)
        let year = asked ?? years.first ?? today.year
        let ofYear = ratings.filter { Int($0[5]) == year && !$0[1].isEmpty && Self.grades.contains($0[4]) }

        // Per 评价领域, each subject once by its newest rating there.
        var fieldRows: [String: Field] = [:]
        var seenInField: Set<String> = []
        for r in ofYear where seenInField.insert(r[3] + "|" + r[1]).inserted {
            let i = Self.grades.firstIndex(of: r[4])!
            fieldRows[r[3], default: Field(name: r[3])].rated += 1
            fieldRows[r[3]]!.counts[i] += 1
        }
        let fields = fieldRows.values.map { f -> Field in
            var done = f
            done.aShare = String(format: "%.1f %%", Double(f.counts[0]) * 100 / Double(f.rated))
            return done
        }.sorted { ($0.rated, $1.name) > ($1.rated, $0.name) }

        // Each subject by its lowest grade of the year, from the date of that rating.
        var subjects: [String: (grade: Int, since: String)] = [:]
        for r in ofYear {
            let g = Self.grades.firstIndex(of: r[4])!
            if let known = subjects[r[1]], known.grade > g || (known.grade == g && known.since <= r[0]) { continue }
            subjects[r[1]] = (g, r[0])
        }
        // The area's inspections from the earliest rating on: date, subject, jurisdiction, type, result.
        let earliest = subjects.values.map(\.since).min() ?? "\(year)-01-01"
        let from = min(earliest, "\(year)-01-01")
        let inspections = try node.store.fieldValues(
            kind: inspection.slug, from: from, until: "9999-12-31", areaPrefix: prefix, fields: Self.inspectionFields.map(inspection.kind.fullCode))
        var bySubject: [String: [[String]]] = [:]
        for i in inspections where !i[1].isEmpty { bySubject[i[1], default: []].append(i) }

        var grades = Self.grades.map { Grade(grade: $0) }
        for (subject, rated) in subjects {
            guard let since = CivilDate.parse(rated.since) else { continue }
            let until = since.adding(days: Self.windowDays).iso
            let within = (bySubject[subject] ?? []).filter { $0[0] >= rated.since && $0[0] < until }
            grades[rated.grade].subjects += 1
            if !within.isEmpty { grades[rated.grade].inspected += 1 }
            grades[rated.grade].inspections += within.count
            grades[rated.grade].random += within.filter { $0[3] == Self.randomInspection }.count
            grades[rated.grade].problems += within.filter { $0[4].hasPrefix(Self.problemPrefix) }.count
        }
        grades = grades.map { $0.finished() }
        let (first, last) = (grades[0].ratio, grades[Self.grades.count - 1].ratio)
        let unrated = Set(inspections.filter { $0[0].hasPrefix("\(year)-") && subjects[$0[1]] == nil && !$0[1].isEmpty }.map { $0[1] })
        return CreditSupervision(
            year: year, years: years, grades: grades, rated: subjects.count, unratedInspected: unrated.count,
            differentiated: first.flatMap { a in last.map { d in d > a } }, fields: fields)
    }
}
