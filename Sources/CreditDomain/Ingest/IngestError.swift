/// Why a whole input file was refused. Nothing of a refused file is written.
public struct IngestError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case unreadable = "file-unreadable"
        case empty = "file-empty"
        case undecodable = "file-undecodable"
        case noHeader = "no-usable-header"
        case duplicateColumn = "duplicate-column"
        case missingColumns = "missing-required-columns"
        case unknownFormat = "unknown-format"
        case tooLarge = "file-too-large"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// What the sender must do, in Chinese, for the office that passes it on (the upload page,
    /// the command line); the message says precisely what was found.
    public var advice: String {
        switch code {
        case .unreadable: "文件无法读取。"
        case .empty: "文件是空的：需要一行表头和至少一行数据。"
        case .undecodable: "文件既不是 UTF-8 也不是 GB18030 编码：请在表格软件中另存为“CSV UTF-8”后再报送。"
        case .noHeader: "第一行不是表头：请用报送模板的字段名称（或国家标准字段代码）作第一行。"
        case .duplicateColumn: "表头中有重复的列：每个字段只能出现一次。"
        case .missingColumns: "缺少必填的列：请对照报送模板补上。"
        case .unknownFormat: "无法识别文件格式：请报送 CSV 或 JSON Lines 文件。"
        case .tooLarge: "文件过大：请分成几个文件报送。"
        }
    }
}
