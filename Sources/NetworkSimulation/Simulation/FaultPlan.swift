import CreditDomain
import Foundation

/// Why a fault specification was refused; the message names the item to fix.
public struct FaultSpecError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The faults a simulation injects (`--faults`), as comma-separated items:
///
/// - `loss=P`, `dup=P`, `reorder=P`, `corrupt=P`: per message, the probability that it is
///   lost, delivered twice, delayed past later messages, or has one byte flipped;
/// - `crash=P`: per bundle a parent applies, the probability that it crashes in the middle of
///   the apply (the transaction is lost, the node restarts after `restart` minutes, default 10);
/// - `skew=H`: every node's clock is off by up to ±H hours;
/// - `down=CODE@START+LENGTH`: the node is down (`2d`, `36h`, `1d12h`, `90m` from the start);
/// - `partition=CODE@START+LENGTH`: the link between the node and its parent is cut;
/// - `lose=CODE@START+LENGTH`: the node's disk is lost at START, with no backup: it is down for
///   LENGTH (at least ten minutes), then starts on an empty store and runs `credit-node recover`'s
///   steps against its parent before anything else (what it had not handed to its parent is lost
///   with the disk, and the report counts it);
/// - `restore=CODE@START+LENGTH`: the same, but the node is restored from its newest daily backup
///   (taken at 02:30 on its clock, as OPERATIONS.md's cron line; none before the first) and
///   recovers what came after it; a backup `recover` refuses is given up for an empty store.
///
/// `down`, `partition`, `lose` and `restore` may repeat. Example: `loss=0.02,dup=0.01,down=420102002201@2d+4d`.
public struct FaultPlan: Sendable, Hashable {
    public struct Outage: Sendable, Hashable {
        public enum Kind: String, Sendable { case down, partition, lose, restore }
        public var kind: Kind
        public var node: DivisionCode
        /// Milliseconds since the simulation's start.
        public var start: Int64
        public var length: Int64
        public var end: Int64 { start + length }
        /// The node is down for the outage (its disk lost or not); a partition leaves it up.
        public var downs: Bool { kind != .partition }
        /// Its disk is lost (restored from a backup or not).
        public var losesDisk: Bool { kind == .lose || kind == .restore }
    }

    public var loss = 0.0
    public var duplication = 0.0
    public var reordering = 0.0
    public var corruption = 0.0
    public var crash = 0.0
    public var restartMinutes = 10
    public var skewHours = 0.0
    public var outages: [Outage] = []

    public init() {}

    /// The specification as given, normalised (what the report prints to replay the run).
    public var spec: String {
        var items: [String] = []
        func p(_ name: String, _ v: Double) { if v > 0 { items.append("\(name)=\(v)") } }
        p("loss", loss)
        p("dup", duplication)
        p("reorder", reordering)
        p("corrupt", corruption)
        p("crash", crash)
        if crash > 0, restartMinutes != 10 { items.append("restart=\(restartMinutes)") }
        p("skew", skewHours)
        for o in outages { items.append("\(o.kind.rawValue)=\(o.node.digits)@\(Self.duration(o.start))+\(Self.duration(o.length))") }
        return items.joined(separator: ",")
    }

    public static func parse(_ text: String) throws(FaultSpecError) -> FaultPlan {
        var plan = FaultPlan()
        for raw in text.split(separator: ",", omittingEmptySubsequences: true) {
            let item = raw.trimmingCharacters(in: .whitespaces)
            guard let eq = item.firstIndex(of: "=") else {
                throw FaultSpecError(
                    message:
                        "fault '\(item)' has no '=': write NAME=VALUE (loss, dup, reorder, corrupt, crash, restart, skew, down, partition, lose, restore)"
                )
            }
            let name = String(item[..<eq])
            let value = String(item[item.index(after: eq)...])
            func probability() throws(FaultSpecError) -> Double {
                guard let p = Double(value), p >= 0, p <= 1 else {
                    throw FaultSpecError(message: "fault '\(item)': \(name) is a probability between 0 and 1")
                }
                return p
            }
            switch name {
            case "loss": plan.loss = try probability()
            case "dup": plan.duplication = try probability()
            case "reorder": plan.reordering = try probability()
            case "corrupt": plan.corruption = try probability()
            case "crash": plan.crash = try probability()
            case "restart":
                guard let m = Int(value), m >= 1, m <= 7 * 24 * 60 else {
                    throw FaultSpecError(message: "fault '\(item)': restart is whole minutes, 1…10080")
                }
                plan.restartMinutes = m
            case "skew":
                guard let h = Double(value), h >= 0, h <= 48 else { throw FaultSpecError(message: "fault '\(item)': skew is hours, 0…48") }
                plan.skewHours = h
            case "down", "partition", "lose", "restore":
                guard let at = value.firstIndex(of: "@"), let plus = value[at...].firstIndex(of: "+") else {
                    throw FaultSpecError(message: "fault '\(item)': write \(name)=CODE@START+LENGTH, e.g. \(name)=420102002201@2d+36h")
                }
                guard let code = try? DivisionCode(String(value[..<at])), code.digits.count == 12 else {
                    throw FaultSpecError(message: "fault '\(item)': '\(value[..<at])' is not a 12-digit division code")
                }
                guard let start = duration(value[value.index(after: at)..<plus]), let length = duration(value[value.index(after: plus)...]),
                    length > 0
                else {
                    throw FaultSpecError(message: "fault '\(item)': START and LENGTH are durations such as 2d, 36h, 1d12h, 90m (LENGTH above zero)")
                }
                if name == "lose" || name == "restore", length < 600_000 {
                    throw FaultSpecError(message: "fault '\(item)': a node that lost its disk is down at least ten minutes (LENGTH 10m or more)")
                }
                plan.outages.append(
                    Outage(kind: Outage.Kind(rawValue: name) ?? .down, node: code, start: start, length: length))
            default:
                throw FaultSpecError(
                    message:
                        "fault '\(item)': unknown fault '\(name)'; known: loss, dup, reorder, corrupt, crash, restart, skew, down, partition, lose, restore"
                )
            }
        }
        return plan
    }

    /// `2d`, `36h`, `1d12h`, `90m` in milliseconds.
    static func duration(_ text: Substring) -> Int64? {
        var total: Int64 = 0
        var number: Int64?
        guard !text.isEmpty else { return nil }
        for ch in text {
            if let d = ch.wholeNumberValue, ch.isASCII {
                number = (number ?? 0) * 10 + Int64(d)
                guard number! < 100_000 else { return nil }
            } else {
                guard let n = number else { return nil }
                switch ch {
                case "d": total += n * 86_400_000
                case "h": total += n * 3_600_000
                case "m": total += n * 60_000
                default: return nil
                }
                number = nil
            }
        }
        return number == nil ? total : nil
    }

    static func duration(_ ms: Int64) -> String {
        var rest = ms / 60_000
        var out = ""
        if rest >= 1440 { out += "\(rest / 1440)d"; rest %= 1440 }
        if rest >= 60 { out += "\(rest / 60)h"; rest %= 60 }
        if rest > 0 || out.isEmpty { out += "\(rest)m" }
        return out
    }
}
