// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "aurum",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "aurum", targets: ["aurum"]),
        .executable(name: "odoo-double", targets: ["odoo-double"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Pure domain: schemas, validation, change-request lifecycle, diffs, the audit chain's and
        // masking's hashes. No I/O.
        .target(name: "AurumCore", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Loads and checks rules/ into AurumCore values, with file:line errors.
        .target(name: "AurumRules", dependencies: [
            "AurumCore",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // PostgreSQL: embedded launcher, migrations, repositories, audit.
        .target(name: "AurumStore", dependencies: [
            "AurumCore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // HTTP API: routes, auth, problem+json.
        .target(name: "AurumServer", dependencies: [
            "AurumCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // Publishing to consumers: the outbox workers, the Odoo connector (XML-RPC, JSON-RPC,
        // JSON-2) and its codecs, and Standard Webhooks.
        .target(name: "AurumPublish", dependencies: [
            "AurumCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // A faithful stand-in for Odoo's external API (XML-RPC, JSON-RPC, JSON-2), for tests, the demo and benchmarks.
        .target(name: "OdooDouble", dependencies: [
            "AurumCore", "AurumPublish",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "odoo-double", dependencies: [
            "OdooDouble",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Wires store, rules and server together; the CLI's commands and its HTTP client.
        .target(name: "AurumApp", dependencies: [
            "AurumCore", "AurumRules", "AurumStore", "AurumServer", "AurumPublish",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .executableTarget(name: "aurum", dependencies: ["AurumApp"]),
        // Fixtures shared by the tests: one embedded cluster per run, a fresh database per suite.
        .target(name: "AurumTestSupport", dependencies: [
            "AurumCore", "AurumRules", "AurumStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "AurumCoreTests", dependencies: [
            "AurumCore", "AurumTestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "AurumRulesTests", dependencies: ["AurumRules", "AurumTestSupport"]),
        .testTarget(name: "AurumStoreTests", dependencies: ["AurumStore", "AurumTestSupport"]),
        .testTarget(name: "AurumServerTests", dependencies: [
            "AurumServer", "AurumStore", "AurumTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "AurumPublishTests", dependencies: ["AurumPublish", "AurumTestSupport"]),
        .testTarget(name: "OdooDoubleTests", dependencies: [
            "OdooDouble", "AurumPublish", "AurumCore", "AurumRules", "AurumTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "AurumAppTests", dependencies: [
            "AurumApp", "AurumServer", "AurumTestSupport", "OdooDouble", "AurumPublish",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
    ]
)
