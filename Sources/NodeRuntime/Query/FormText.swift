import CreditDomain
import CreditStore
import Foundation

/// What the office's and the public's forms type: a field's text, a subject's code.
enum FormText {
    /// What is wrong with a typed field, in the form's words; `unknown`: a subject code in shape
    /// that this node holds nothing about.
    struct Problem: Error {
        var message: String
        var unknown = false
    }

    /// A field trimmed, required, at most `max` characters, without control characters.
    static func checked(_ raw: String, label: String, max: Int) -> Result<String, Problem> {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { return .failure(Problem(message: "请填写\(label)。")) }
        guard value.count <= max else { return .failure(Problem(message: "\(label)最多 \(max) 个字，现有 \(value.count) 个。")) }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return .failure(Problem(message: "\(label)含有不可见的控制字符。"))
        }
        return .success(value)
    }

    /// The subject a typed code names (a unified social credit code or a resident ID number, in
    /// any case, spaces around), when `store` holds records about it; the refusal never repeats a
    /// whole ID number.
    static func subject(_ typed: String, in store: NodeStore) throws -> Result<SubjectHit, Problem> {
        let code: String
        do { code = try SubjectQuery.normalise(typed) } catch {
            return .failure(Problem(message: "主体代码应为 18 位统一社会信用代码或公民身份号码（\(Masking.maskResidentIDs(in: error.message))）。"))
        }
        guard let hit = try store.subjectHit(code: code) else { return .failure(Problem(message: "本节点没有这个主体的信用记录。", unknown: true)) }
        return .success(hit)
    }
}

/// A public form's problems gathered field by field, so that one refusal names them all
/// (失信举报, 融资需求).
struct FormProblems {
    private(set) var list: [String] = []

    var isEmpty: Bool { list.isEmpty }
    var message: String { list.joined() }

    mutating func add(_ problem: String) { list.append(problem) }

    /// A field's text, trimmed and its line breaks made `\n`; nil when empty (a problem when
    /// `required`). Too long, or with control characters other than line breaks and tabs: noted.
    mutating func text(_ raw: String, _ label: String, max: Int, required: Bool) -> String? {
        let value = raw.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if value.isEmpty {
            if required { add("请填写\(label)。") }
            return nil
        }
        if value.count > max { add("\(label)最多 \(max) 个字，现有 \(value.count) 个。") }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) {
            add("\(label)含有不可见的控制字符。")
        }
        return value
    }

    /// The labels of the fields that hold a resident ID number (none of these forms keeps one).
    static func withIDNumbers(_ fields: [(String, String?)]) -> [String] {
        fields.filter { $0.1.map { Masking.maskResidentIDs(in: $0) != $0 } ?? false }.map(\.0)
    }
}
