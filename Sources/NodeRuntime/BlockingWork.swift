import NIOPosix

/// Where blocking work — SQLite reads and writes, signing — runs for the listeners: one pool of
/// threads started once per process, so that a burst of requests queues instead of starting a
/// thread each, and the event loops and the concurrency pool's few threads never block on the
/// disk. Sixteen threads: enough that a long upload being stored or a bundle being accepted does
/// not hold up the portal's reads (WAL readers run side by side), few enough to stay bounded.
public enum BlockingWork {
    public static let threads = 16

    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        return pool
    }()

    /// Runs `body` on the pool; its result or error, as a `Result`.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
        do { return .success(try await pool.runIfActive(body)) } catch { return .failure(error) }
    }
}
