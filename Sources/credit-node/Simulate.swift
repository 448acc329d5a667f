import ArgumentParser
import Foundation
import NetworkSimulation

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a whole topology in one process in virtual time, with injected faults, and check the end state.",
        discussion: """
            Every node is the production node — the code `serve` runs, on its own SQLite store kept in memory — \
            and exchanges real signed, LZ4-compressed change sets, receipts and down pages over an in-memory \
            network; a crash fails the store's real commit. The same seed on the same commit gives the same \
            report, byte for byte. Exit 0: every check passed; 1: a check failed (replay with the printed command).

            Faults (comma-separated): loss=P, dup=P, reorder=P, corrupt=P, crash=P [restart=MINUTES], skew=HOURS, \
            down=CODE@START+LENGTH, partition=CODE@START+LENGTH (durations such as 2d, 36h, 1d12h, 90m).
            """)

    @Argument(help: "The topology file.") var topology: String
    @Option(help: "Simulated working period in days.") var days = 30
    @Option(help: "The seed every random choice comes from.") var seed: UInt64 = 1
    @Option(help: "Faults to inject (see above).") var faults = ""
    @Option(help: "Days the network may take after the last one to deliver what is in flight.") var settleDays = 10
    @Option(help: "Scale every node's daily rows by this factor.") var load = 1.0
    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(help: "Print each simulated day's start on standard error (long runs).") var progress = false

    func run() throws {
        try guarded {
            let t = try loadTopology(topology)
            let plan: FaultPlan
            do throws(FaultSpecError) { plan = try FaultPlan.parse(faults) } catch {
                throw ExitFailure(message: "simulate: --faults: \(error.message)", code: 64)
            }
            guard load > 0, load <= 1000 else { throw ExitFailure(message: "simulate: --load must be above 0 and at most 1000", code: 64) }
            var options = SimulationOptions(days: days, seed: seed, faults: plan)
            options.settleDays = settleDays
            options.rowsPerDay = options.rowsPerDay.mapValues { $0 * load }
            let started = Date()
            let simulation: Simulation
            do { simulation = try Simulation(topology: t, options: options) } catch let e as SimulationError {
                throw ExitFailure(message: "simulate: \(e.message)", code: 64)
            }
            if progress {
                let total = days
                FileHandle.standardError.write(
                    Data("opened \(t.nodes.count) nodes in \(Self.seconds(since: started)) s, \(Self.peakMemory())\n".utf8))
                simulation.onDay = { day, records, messages in
                    FileHandle.standardError.write(
                        Data(
                            "day \(day + 1)/\(total): \(records) records accepted, \(messages) messages so far (\(Self.seconds(since: started)) s, \(Self.peakMemory()))\n"
                                .utf8))
                }
            }
            let report = try simulation.run()
            var replay = "credit-node simulate \(topology) --days \(days) --seed \(seed)"
            if !plan.spec.isEmpty { replay += " --faults '\(plan.spec)'" }
            if settleDays != 10 { replay += " --settle-days \(settleDays)" }
            if load != 1 { replay += " --load \(load)" }
            print(json ? try report.json() : report.text(replay: replay), terminator: "")
            FileHandle.standardError.write(
                Data("simulated \(days) days of \(t.nodes.count) nodes in \(Self.seconds(since: started)) s, \(Self.peakMemory())\n".utf8))
            if !report.passed { throw ExitCode(1) }
        }
    }

    static func seconds(since start: Date) -> String { String(format: "%.1f", Date().timeIntervalSince(start)) }

    /// The process's peak resident memory so far (what `/usr/bin/time` reports at the end), for
    /// an operator sizing a long run; not part of the report, which a seed reproduces byte for byte.
    static func peakMemory() -> String {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return "peak memory unknown" }
        return String(format: "peak memory %.2f GiB", Double(usage.ru_maxrss) / 1_048_576)
    }
}
