import CreditDomain
import CreditStore
import Foundation

/// The files the public attaches to what it sends on the portal — photos or PDFs: 举报材料 with a
/// report of dishonest conduct, 证明材料 with an objection or a repair application — checked by
/// their first bytes, never their names, before anything is kept.
public enum Attachments {
    /// A file as the browser sent it: the name it had on the sender's device and its bytes.
    public struct Upload: Sendable {
        public var filename: String
        public var bytes: [UInt8]

        public init(filename: String, bytes: [UInt8]) {
            self.filename = filename
            self.bytes = bytes
        }
    }

    /// The kinds of file kept, told by their first bytes.
    public enum FileType: String, Sendable, CaseIterable {
        case jpeg = "image/jpeg"
        case png = "image/png"
        case pdf = "application/pdf"

        /// `JPG 图片`, as the office's pages name it.
        public var label: String {
            switch self {
            case .jpeg: "JPG 图片"
            case .png: "PNG 图片"
            case .pdf: "PDF 文件"
            }
        }

        public var fileExtension: String {
            switch self {
            case .jpeg: "jpg"
            case .png: "png"
            case .pdf: "pdf"
            }
        }

        /// The type `bytes` begin as, nil for any other.
        public static func of(_ bytes: [UInt8]) -> FileType? {
            let signatures: [(FileType, [UInt8])] = [
                (.jpeg, [0xFF, 0xD8, 0xFF]), (.png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), (.pdf, Array("%PDF-".utf8)),
            ]
            return signatures.first { bytes.starts(with: $0.1) }?.0
        }
    }

    /// At most this many files to what is sent, each at most `bytesMax`.
    public static let max = 3
    public static let bytesMax = 5 << 20
    /// The longest file name kept, in characters.
    static let nameMax = 80

    /// A file's name as kept and shown to the office: its last path component, without control
    /// characters or quotes, at most `nameMax` characters, an ID number in it masked;
    /// `材料N.ext` when nothing is left (`材料N` for a file of no type kept).
    static func name(_ filename: String, position: Int, type: FileType?) -> String {
        let last = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(
            String.UnicodeScalarView(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) && $0 != "\"" })
        ).trimmingCharacters(in: .whitespaces)
        let masked = Masking.maskResidentIDs(in: String(clean.suffix(nameMax)))
        return masked.isEmpty ? "材料\(position)\(type.map { ".\($0.fileExtension)" } ?? "")" : masked
    }

    /// `uploads` checked: each a JPG, PNG or PDF of at most `bytesMax`, at most `max` of them (a
    /// file input left empty — no name, no bytes — passed over); what is wrong with each in
    /// words, the files named `what` (举报材料, 证明材料).
    public static func check(_ uploads: [Upload], as what: String) -> (files: [NodeStore.NewAttachment], problems: [String]) {
        let chosen = uploads.filter { !$0.bytes.isEmpty || !$0.filename.isEmpty }
        guard chosen.count <= max else { return ([], ["\(what)最多 \(max) 份（选了 \(chosen.count) 份）：请挑选最能说明情况的。"]) }
        var files: [NodeStore.NewAttachment] = []
        var problems: [String] = []
        for (i, file) in chosen.enumerated() {
            let type = FileType.of(file.bytes)
            let shown = name(file.filename, position: i + 1, type: type)
            guard !file.bytes.isEmpty else {
                problems.append("\(what)“\(shown)”是空文件：请重新选择。")
                continue
            }
            guard file.bytes.count <= bytesMax else {
                problems.append("\(what)“\(shown)”超过 \(bytesMax >> 20) MB：请压缩图片或只拍摄关键部分后再上传。")
                continue
            }
            guard let type else {
                problems.append("\(what)“\(shown)”不是 JPG、PNG 图片或 PDF 文件：请另存为这些格式后再上传。")
                continue
            }
            files.append(.init(name: name(file.filename, position: i + 1, type: type), type: type.rawValue, bytes: file.bytes))
        }
        return (files, problems)
    }
}
