// swift-tools-version: 6.2
import PackageDescription

/// Every target compiles in the Swift 6 language mode with strict concurrency; warnings are defects.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "CreditNet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "credit-node", targets: ["credit-node"]),
        .library(name: "CreditDomain", targets: ["CreditDomain"]),
        .library(name: "CreditStore", targets: ["CreditStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Identifiers, the catalogue, working days, records and changes, parsing and validation.
        .target(
            name: "CreditDomain",
            resources: [.copy("Resources/catalogue.json"), .copy("Resources/calendars")],
            swiftSettings: strict
        ),
        // The node's SQLite store: schema, frozen migrations, records, change log, quarantine.
        .target(
            name: "CreditStore",
            dependencies: [
                "CreditDomain", "SyncCore", "CSQLiteSettings",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The system liblz4, for LZ4 frames (`lz4 -dc` reads them).
        .systemLibrary(name: "CLZ4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CMalloc"),
        // Process-wide SQLite settings (sqlite3_config is variadic).
        .systemLibrary(name: "CSQLiteSettings", providers: [.apt(["libsqlite3-dev"])]),
        // The change-set and bundle format: canonical JSON Lines in an LZ4 frame, Merkle root, signatures.
        .target(
            name: "ChangeSets",
            dependencies: [
                "CreditDomain", "CLZ4", "NodePKI", "SyncCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strict
        ),
        // The network's PKI: CA, node certificates (identity in the SAN), revocation list.
        .target(
            name: "NodePKI",
            dependencies: [
                "CreditDomain", .product(name: "Crypto", package: "swift-crypto"), .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // The sans-I/O node: rules that take the time and inputs and return actions.
        .target(name: "SyncCore", dependencies: ["CreditDomain"], swiftSettings: strict),
        // Deterministic, seeded sample records, good and faulty.
        .target(name: "SampleData", dependencies: ["CreditDomain"], swiftSettings: strict),
        // Whole networks: topologies and the deterministic simulator (virtual time, in-memory network, faults).
        .target(
            name: "NetworkSimulation",
            dependencies: [
                "CreditDomain", "SyncCore", "ChangeSets", "NodePKI", "SampleData", "CreditStore", "NodeRuntime",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Node configuration, the ingestion pipeline from files to the store, benchmarks.
        .target(
            name: "NodeRuntime",
            dependencies: [
                "CreditDomain", "CreditStore", "SampleData", "ChangeSets", "NodePKI", "SyncCore",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // The public credit portal (信用X site): pages rendered from shipped templates, read-only.
        .target(
            name: "CreditPortal",
            dependencies: [
                "CreditDomain", "CreditStore", "NodeRuntime", "ChangeSets",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/portal")],
            swiftSettings: strict
        ),
        // The command-line shell over everything above.
        .executableTarget(
            name: "credit-node",
            dependencies: [
                "CreditDomain", "CreditStore", "SampleData", "NodeRuntime", "NodePKI", "ChangeSets", "NetworkSimulation", "CMalloc", "CreditPortal",
                "SyncCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // Helpers shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "CreditDomainTests", dependencies: ["CreditDomain", "SampleData"], swiftSettings: strict),
        .testTarget(name: "SyncCoreTests", dependencies: ["SyncCore", "CreditDomain"], swiftSettings: strict),
        .testTarget(
            name: "NetworkSimulationTests",
            dependencies: [
                "NetworkSimulation", "CreditDomain", "CreditStore", "SyncCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        .testTarget(name: "NodePKITests", dependencies: ["NodePKI", "CreditDomain", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ChangeSetsTests", dependencies: ["ChangeSets", "CreditDomain", "NodePKI", "SyncCore", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "CreditStoreTests",
            dependencies: [
                "CreditStore", "CreditDomain", "SampleData", "SyncCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NodeRuntimeTests",
            dependencies: [
                "NodeRuntime", "CreditStore", "CreditDomain", "SampleData", "ChangeSets", "NodePKI", "SyncCore", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CreditPortalTests",
            dependencies: [
                "CreditPortal", "NodeRuntime", "CreditStore", "CreditDomain", "SampleData", "NodePKI", "ChangeSets", "SyncCore", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Runs the built `credit-node` binary as operators do (the dependency makes SwiftPM build it).
        .testTarget(
            name: "CLITests", dependencies: ["CreditDomain", "CreditStore", "NodeRuntime", "TestSupport", "credit-node", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
