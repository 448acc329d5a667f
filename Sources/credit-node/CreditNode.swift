import ArgumentParser
import CreditPortal
import CreditDomain
import ChangeSets
import CreditStore
import Foundation
import Logging
import NodePKI
import NodeRuntime

@main
struct CreditNode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credit-node",
        abstract: "A node of CreditNet, the five-tier public credit information network (五级一体化信用平台).",
        discussion: "The same binary runs a village, township, county, city or province node; its 12-digit division code decides which.",
        version: Software.version,
        subcommands: [
            Init.self, Ingest.self, Query.self, Quarantine.self, Status.self, Kinds.self, Generate.self, PKI.self, ExportCommand.self,
            ImportCommand.self, Serve.self, Push.self, Pull.self, Recover.self, Backup.self, Inspect.self,
            Objection.self, ComplaintCommand.self, LoanCommand.self, Repair.self, Withdraw.self, Expire.self, Check.self, Audit.self,
            VerifyStore.self, VerifyReport.self, Reconcile.self,
            BulletinCommand.self, RatesCommand.self, CommitmentsCommand.self, IntegrityCommand.self, FeedbackCommand.self, ListsCommand.self, CasesCommand.self,
            SupervisionCommand.self, RepairDueCommand.self, CodesCommand.self, IncentivesCommand.self, NewsCommand.self,
            CreationCommand.self,
            Authorise.self,
            SetAside.self, TopologyCommand.self, Up.self, Down.self, Load.self, Compose.self, Simulate.self, Bench.self,
        ])
}

/// Options every command that works on a node takes.
struct NodeOptions: ParsableArguments {
    @Option(name: .long, help: "The node's configuration file (written by `credit-node init`).")
    var config: String

    @Option(name: .long, help: "Log level on standard error: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    func open() throws -> NodeContext {
        LoggingSetup.bootstrap(level: logLevel)
        let configuration = try NodeConfiguration.load(path: config)
        return try NodeContext(configuration: configuration, logger: Logger(label: "creditnet.node"))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

enum LoggingSetup {
    nonisolated(unsafe) static var done = false

    /// Logs go to standard error so that `--json` output on standard output stays clean.
    static func bootstrap(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Prints a value as JSON with sorted keys.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Turns the libraries' errors into one clear line on standard error and a distinct exit code:
/// 65 bad input data, 66 missing input, 78 bad configuration, 1 anything else.
struct Failure: Error, CustomStringConvertible {
    var message: String
    var code: Int32
    var description: String { message }

    static func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as IngestError {
            throw ExitFailure(
                message: "ingest refused: \(Masking.maskResidentIDs(in: e.message)) [\(e.code.rawValue)]; nothing was written\n\(e.advice)没有写入任何数据。",
                code: e.code == .unreadable ? 66 : 65)
        } catch let e as ConfigurationError {
            throw ExitFailure(message: "configuration: \(e.message)", code: e.code == .missingFile ? 66 : 78)
        } catch let e as CatalogueError {
            throw ExitFailure(message: "catalogue: \(e.message)", code: e.code == .unknownKind ? 64 : 78)
        } catch let e as CalendarError {
            throw ExitFailure(message: "calendar: \(e.message)", code: 78)
        } catch let e as DivisionDirectoryError {
            throw ExitFailure(message: "division directory: \(e.message)", code: 78)
        } catch let e as StoreError {
            throw ExitFailure(message: "store: \(e.message) [\(e.code.rawValue)]", code: e.code == .corrupt ? 74 : e.code == .backup ? 73 : 1)
        } catch let e as IdentifierError {
            throw ExitFailure(message: e.description, code: 64)
        } catch let e as WriteError {
            throw ExitFailure(message: e.message, code: 73)
        } catch let e as ImportError {
            throw ExitFailure(message: "import refused: \(e.message) [\(e.code.rawValue)]; nothing was applied", code: 65)
        } catch let e as ChangeSetError {
            throw ExitFailure(message: "refused: \(e.description); nothing was applied", code: 65)
        } catch let e as ObjectionRequestError {
            throw ExitFailure(
                message: "request from the public: \(e.message) [\(e.code.rawValue)]",
                code: e.code == .invalid ? 64 : e.code == .unknownRecord || e.code == .notPending ? 66 : 65)
        } catch let e as ComplaintError {
            throw ExitFailure(
                message: "report of dishonest conduct: \(e.message) [\(e.code.rawValue)]; nothing was written", code: e.code == .notOpen ? 66 : 64)
        } catch let e as LoanRequestError {
            throw ExitFailure(message: "loan request: \(e.message) [\(e.code.rawValue)]; nothing was written", code: e.code == .notOpen ? 66 : 64)
        } catch let e as AuthorisationError {
            throw ExitFailure(
                message: "authorisation: \(e.message) [\(e.code.rawValue)]",
                code: e.code == .invalid ? 64 : e.code == .unknownSubject || e.code == .notFound || e.code == .notRevocable ? 66 : 65)
        } catch let e as StatusChangeError {
            throw ExitFailure(
                message: "status change refused: \(e.message) [\(e.code.rawValue)]; nothing was written", code: e.code == .unknownRecord ? 66 : 65)
        } catch let e as ReconciliationError {
            throw ExitFailure(message: "reconcile: \(e.message)", code: 65)
        } catch let e as PKIError {
            throw ExitFailure(message: "pki: \(e.message) [\(e.code.rawValue)]", code: e.code == .file ? 66 : 65)
        }
    }
}

/// An error that prints its message and exits with its code.
struct ExitFailure: Error, CustomStringConvertible {
    var message: String
    var code: Int32
    var description: String { message }
}

extension ParsableCommand {
    /// Runs `body`, turning known errors into a message on standard error and an exit code.
    func guarded(_ body: () throws -> Void) throws {
        do { try Failure.wrap(body) } catch let e as ExitFailure {
            FileHandle.standardError.write(Data("error: \(e.message)\n".utf8))
            throw ExitCode(e.code)
        }
    }
}

/// How an office's report is written (`bulletin`, `commitments`): as text, its table as CSV
/// (`--csv`, UTF-8 with BOM) or the whole of it as JSON (`--json`), to standard output or a file.
/// A report built for the command line from what the operator asked: a filter it cannot hold
/// (`PortalPages.BadParameter`) exits 64 with what to write.
func filtered<Document>(_ build: () throws -> Document) throws -> Document {
    do { return try build() } catch let e as PortalPages.BadParameter { throw ExitFailure(message: e.message, code: 64) }
}

/// The same for a report on something the catalogue may lack: nil exits 78 with `missing`.
func filtered<Document>(missing: String, _ build: () throws -> Document?) throws -> Document {
    guard let document = try filtered(build) else { throw ExitFailure(message: missing, code: 78) }
    return document
}

struct ReportOutput: ParsableArguments {
    @Flag(help: "Write the report's table as CSV (UTF-8 with BOM).")
    var csv = false

    @Flag(help: "Print the whole report as JSON.")
    var json = false

    @Option(help: "Write to this file instead of standard output.")
    var out: String?

    func validate() throws {
        guard !(csv && json) else { throw ValidationError("give --csv or --json, not both") }
    }

    /// Writes the report in the form asked for (only that one is built); to a file, says so (with `what`).
    func write(text: @autoclosure () -> String, json document: @autoclosure () throws -> Data, csv table: @autoclosure () -> [UInt8], what: String)
        throws
    {
        let bytes = csv ? table() : json ? Array(try document()) + [0x0A] : Array((text() + "\n").utf8)
        guard let out else { return FileHandle.standardOutput.write(Data(bytes)) }
        guard FileManager.default.createFile(atPath: out, contents: Data(bytes)) else { throw ExitFailure(message: "cannot write \(out)", code: 73) }
        print("wrote \(out)\(what.isEmpty ? "" : ": " + what)")
    }
}
