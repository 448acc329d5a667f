import ArgumentParser
import ChangeSets
import CMalloc
import CreditPortal
import Foundation
import Hummingbird
import NodeRuntime
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run the node: the HTTPS sync listener (mutual TLS) for its children, the records listener and the credit portal when configured, scheduled pushes to and pulls from its parent."
    )

    @OptionGroup var node: NodeOptions

    func run() async throws {
        // A running node decodes change sets of megabytes over and over: freed memory is kept for
        // the next one instead of being returned to the kernel and zeroed again when reused.
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 512 << 20)
        let context: NodeContext
        do { context = try node.open() } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(78)
        }
        // The configuration was checked when it was read: each address is host:port or [IPv6]:port.
        guard let listen = context.configuration.listen.flatMap({ try? HostPort.parse($0).get() }) else {
            FileHandle.standardError.write(Data("error: the configuration has no 'listen' (host:port, or [IPv6]:port)\n".utf8))
            throw ExitCode(78)
        }
        // A bounded check of the store before serving (the full one is `verify-store`): damage
        // found stops sync and is shown by status and metrics.
        if let report = try? StoreVerification(node: context).quick(seconds: 5) {
            let line =
                report.damaged
                ? "store DAMAGED — sync stopped; run credit-node verify-store and see OPERATIONS.md"
                : report.complete ? "store checked" : "store check not finished in 5 s; run credit-node verify-store"
            FileHandle.standardError.write(Data("credit-node \(context.configuration.code): \(line)\n".utf8))
        }
        let app = try SyncServer(node: context).application(host: listen.host, port: listen.port) { bound in
            FileHandle.standardError.write(
                Data("credit-node \(context.configuration.code): sync listener on https://\(listen.at(port: bound)) (mutual TLS)\n".utf8))
        }
        // The listeners and, when the node has a parent, the scheduled pushes and pulls, as one
        // group stopped gracefully (SIGTERM, SIGINT, or a listener that ends).
        var listeners: [any Service] = [app]
        if let records = context.configuration.recordsListen.flatMap({ try? HostPort.parse($0).get() }) {
            // The operators' pages (`/ops/`) are served there, under the same access rule. The
            // decision-number gaps read every number (seconds at a province), the dashboard's
            // 待响应 count every list entry and its feedback: computed once now, in the
            // background, so that the first reader does not wait for them.
            let operations = try Operations(node: context)
            DispatchQueue.global(qos: .utility).async {
                _ = try? QualityFigures.gaps(context, now: context.clock())
                _ = try? ListResponses.totals(context, now: context.clock())
            }
            listeners.append(
                try RecordsServer(node: context).application(
                    host: records.host, port: records.port,
                    onRunning: { bound in
                        let mode = RecordsServer.isLoopback(records.host) ? "local only" : "client certificate required"
                        FileHandle.standardError.write(
                            Data(
                                "credit-node \(context.configuration.code): records listener on \(records.at(port: bound)) (\(mode)); operators' pages at /ops/\n"
                                    .utf8))
                    }, routes: operations.register(on:)))
        }
        if let portal = context.configuration.portal.flatMap({ try? HostPort.parse($0).get() }) {
            let tls = context.configuration.portalTLS
            do {
                listeners.append(
                    try Portal(node: context).application(host: portal.host, port: portal.port, tls: tls) { bound in
                        FileHandle.standardError.write(
                            Data(
                                "credit-node \(context.configuration.code): credit portal on \(tls ? "https" : "http")://\(portal.at(port: bound))/\n"
                                    .utf8))
                    })
            } catch {
                FileHandle.standardError.write(Data("error: the credit portal cannot start: \(error)\n".utf8))
                throw ExitCode(78)
            }
        }
        let loops = [
            NodeServices.Loop("push loop") { await PushLoop(node: context).run() },
            NodeServices.Loop("pull loop") { await PullLoop(node: context).run() },
        ]
        try await NodeServices.group(listeners: listeners, loops: loops, logger: context.logger).run()
    }
}

struct Push: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send the pending upward bundle to the parent over HTTPS with mutual TLS and store its signed receipt.")

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        try await syncCommand {
            let report = try await SyncClient(node: try node.open()).push()
            if json {
                try printJSON(report)
            } else if report.changeSets == 0 {
                print("Nothing pending for \(report.parent)")
            } else {
                print(
                    "Pushed \(report.changeSets) change set(s) in \(report.bundles) bundle(s), \(report.bytes) bytes, to \(report.parent); \(report.acknowledged) acknowledged by signed receipts"
                )
            }
        }
    }
}

struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Fetch from the parent what concerns this node (its area's records, network-wide lists, control data), verify every change's proof, and apply it."
    )

    @OptionGroup var node: NodeOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        try await syncCommand {
            let report = try await SyncClient(node: try node.open()).pull()
            if json {
                try printJSON(report)
            } else {
                var line =
                    "Pulled \(report.pages) page(s), \(report.bytes) bytes, from \(report.parent): \(report.applied) change(s) applied, \(report.duplicates) already held; cursor \(report.cursor)"
                if !report.controls.isEmpty { line += "; control data installed: \(report.controls.joined(separator: ", "))" }
                if report.setAside > 0 {
                    line += "; \(report.setAside) section(s) refused on their own and set aside: credit-node set-aside lists them"
                }
                print(line)
            }
        }
    }
}

/// Runs a push or pull, turning its errors into one line and an exit code: 65 refused (by the
/// parent, or what it sent failed verification — nothing applied), 69 parent unreachable, 1 else.
func syncCommand(_ body: () async throws -> Void) async throws {
    do { try await body() } catch let e as SyncError {
        FileHandle.standardError.write(Data("error: \(e.message) [\(e.code.rawValue)]\n".utf8))
        throw ExitCode(e.code == .refused ? 65 : 69)
    } catch let e as ChangeSetError {
        FileHandle.standardError.write(Data("error: what the parent sent was refused: \(e.description); nothing was applied\n".utf8))
        throw ExitCode(65)
    } catch let e as ExitCode {
        throw e
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
