import ArgumentParser
import AsyncHTTPClient
import AurumCore
import AurumStore
import Foundation

/// `aurum bench` (`aurum bench run`): the figures the scale goals are about, each beside a
/// baseline measured in the same run, in one table (or `--json`).
struct BenchRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Measure load, batch ingest with matching, single-candidate latency and server memory, each against a baseline of the same run.",
        discussion: """
            On a fresh embedded PostgreSQL in --data-dir (emptied first), or on the database \
            DATABASE_URL names (give it an empty one). In order, each step a process of its own as \
            in production:
              1. --items generated items (10 % duplicates, seed 1), loaded with `aurum load`; \
            baseline: `aurum bench copy`, a raw COPY of the same rows.
              2. `aurum serve` on that store; --singles candidates, one request at a time on one \
            kept-alive connection, each a new source key of a loaded item (so it is matched against \
            them all): p50 and p99; baseline: as many authenticated GETs of a record.
              3. --batch new candidates in requests of 1,000: candidates/s; baseline: the same \
            requests again (each candidate unchanged: the same HTTP, parsing, validation and \
            look-ups, no writes).
              4. The server's peak resident memory.
            The goals (issue "past one machine") are printed beside; figures are never asserted. \
            --quick (10,000 items, 200 singles, 3,000 batched) takes about a minute.

            Examples:
              aurum bench --quick
              aurum bench --items 1000000 --singles 1000 --batch 100000 --json > bench.json
            """)

    @Flag(help: "A short run: 10,000 items, 200 single candidates, 3,000 batched.") var quick = false
    @Option(help: "Items to generate and load.") var items: Int?
    @Option(help: "Single candidates to time one by one.") var singles: Int?
    @Option(help: "Candidates to send in requests of 1,000.") var batch: Int?
    @Option(help: ArgumentHelp("Rules directory.", valueName: "dir")) var rules = "rules"
    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The embedded cluster's directory, emptied first (without DATABASE_URL).", valueName: "dir"))
    var dataDir = ".aurum-bench/pg"
    @Flag(help: "Print the figures as JSON.") var json = false

    struct Figure: Codable {
        var figure: String
        var value: Double
        var unit: String
        var baseline: String
        var baselineValue: Double
        var ratio: Double
        var goal: String
        enum CodingKeys: String, CodingKey { case figure, value, unit, baseline, baselineValue = "baseline_value", ratio, goal }
    }

    func run() async throws {
        let itemCount = items ?? (quick ? 10_000 : 1_000_000), singleCount = singles ?? (quick ? 200 : 1_000)
        let batchCount = batch ?? (quick ? 3_000 : 100_000)
        let work = URL(fileURLWithPath: dataDir).deletingLastPathComponent().path
        let external = (try Settings.secret("DATABASE_URL")) != nil
        if !external { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.createDirectory(atPath: work + "/items", withIntermediateDirectories: true)
        let database = external ? [String]() : ["--data-dir", dataDir]
        let say: (String) -> Void = { line in if !json { FileHandle.standardError.write(Data((line + "\n").utf8)) } }

        say("generating \(itemCount) items")
        let records = work + "/items/records.csv"
        try BenchCommand.Generate.write(entity: "item", count: itemCount, dupRate: 0.1, seed: 1, out: work + "/items")
        let port = try EmbeddedPostgres.freePort()
        let server = try ChildProcess(["serve", "--port", "\(port)", "--rules", rules] + database, log: work + "/server.log",
                                      environment: ["AURUM_LOG_LEVEL": "error"])
        defer { server.stop() }
        let url = "http://127.0.0.1:\(port)"
        try await Self.waitUntilReady(url, server: server, log: work + "/server.log")

        say("loading them (aurum load), then the baseline (aurum bench copy)")
        // Exit 1: the generated file's invalid rows (a tenth of the duplicates lack a code) were left out, as meant.
        let load = try await ChildProcess.timed(["load", records, "--entity", "item", "--source", "odoo", "--rules", rules] + database, log: work + "/load.log",
                                                allowing: [0, 1])
        let copyOutput = try await ChildProcess.output(["bench", "copy", records] + database, log: work + "/copy.log")
        guard let copyWords = copyOutput.split(separator: " ").firstIndex(of: "in"), let copySeconds = Double(copyOutput.split(separator: " ")[copyWords + 1]) else {
            throw ValidationError("aurum bench copy printed \(copyOutput); see \(work)/copy.log")
        }
        let loaded = try CSVReader.table(try String(contentsOfFile: records, encoding: .utf8), path: records)
        let rows = loaded.records.count
        let token = try await ChildProcess.output(["token", "create", "--name", "bench-\(UInt64(Date().timeIntervalSince1970))", "--role", "source",
                                                   "--source", "plm", "--entities", "item"] + database, log: work + "/token.log")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let api = APIClient(baseURL: url, token: token)
        let readerToken = try await ChildProcess.output(["token", "create", "--name", "bench-reader-\(UInt64(Date().timeIntervalSince1970))", "--role", "consumer",
                                                         "--entities", "item"] + database, log: work + "/reader-token.log")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let reader = APIClient(baseURL: url, token: readerToken)

        // New source keys of loaded items in PLM's words: each is matched against the store.
        let header = loaded.header
        let (nameAt, uomAt) = (header.firstIndex(of: "name"), header.firstIndex(of: "uom"))
        let named = loaded.records.compactMap { record -> (String, String)? in
            guard let nameAt, nameAt < record.fields.count, !record.fields[nameAt].isEmpty else { return nil }
            return (record.fields[nameAt], uomAt.flatMap { $0 < record.fields.count ? record.fields[$0] : nil }.flatMap { $0.isEmpty ? nil : $0 } ?? "Units")
        }
        func candidate(_ n: Int, _ prefix: String) -> JSONValue {
            let (name, uom) = named[n % max(named.count, 1)]
            return ["entity": "item", "source": "plm", "source_key": .string("\(prefix)-\(n)"),
                    "attributes": ["code": .string("\(prefix)\(n)"), "name": .string(name + " plm"), "uom": .string(uom)]]
        }

        say("\(singleCount) single candidates, one request each; the baseline: as many GETs of a record")
        var singleTimes = [Double](), readTimes = [Double]()
        for n in 0..<singleCount {
            let body = JSONOutput.data(candidate(n, "ONE"))
            let started = ContinuousClock.now
            _ = try await api.send(.POST, "/v1/candidates", body: body)
            singleTimes.append(Self.milliseconds(ContinuousClock.now - started))
        }
        for n in 0..<singleCount {
            let started = ContinuousClock.now
            _ = try await reader.send(.GET, "/v1/records/item/\(1 + n % max(rows / 2, 1))")
            readTimes.append(Self.milliseconds(ContinuousClock.now - started))
        }

        say("\(batchCount) candidates in requests of 1,000, then the same again (the baseline)")
        let batches = stride(from: 0, to: batchCount, by: 1000).map { start in
            JSONOutput.data(JSONValue.array((start..<min(start + 1000, batchCount)).map { candidate(singleCount + $0, "BATCH") }))
        }
        func send() async throws -> Double {
            let started = ContinuousClock.now
            for body in batches { _ = try await api.send(.POST, "/v1/candidates", body: body) }
            return Self.seconds(ContinuousClock.now - started)
        }
        let first = try await send(), again = try await send()
        let rss = Self.peakResidentMiB(of: server.pid)

        let loadRate = Double(rows) / load, copyRate = Double(rows) / copySeconds
        let (p50, p99) = (Self.percentile(singleTimes, 0.5), Self.percentile(singleTimes, 0.99))
        let (r50, r99) = (Self.percentile(readTimes, 0.5), Self.percentile(readTimes, 0.99))
        let figures = [
            Figure(figure: "load \(rows) items (aurum load)", value: loadRate, unit: "rows/s", baseline: "raw COPY of the same rows", baselineValue: copyRate,
                   ratio: loadRate / copyRate, goal: "ratio ≥ 0.25"),
            Figure(figure: "batch ingest, matched against \(rows) loaded", value: Double(batchCount) / first, unit: "candidates/s",
                   baseline: "the same requests again (unchanged)", baselineValue: Double(batchCount) / again, ratio: again / first, goal: "≥ 5,000/s"),
            Figure(figure: "one candidate per request, p50", value: p50, unit: "ms", baseline: "GET of a record, p50", baselineValue: r50,
                   ratio: p50 / r50, goal: ""),
            Figure(figure: "one candidate per request, p99", value: p99, unit: "ms", baseline: "GET of a record, p99", baselineValue: r99,
                   ratio: p99 / r99, goal: "≤ 10 ms"),
            Figure(figure: "server peak RSS", value: rss, unit: "MiB", baseline: "", baselineValue: 0, ratio: 0, goal: "≤ 150 MiB"),
        ]
        if json { return print(JSONOutput.string(figures)) }
        let build = CommandLine.arguments[0].contains("/release/") ? "release" : CommandLine.arguments[0].contains("/debug/") ? "debug" : "installed"
        print("aurum bench: \(ProcessInfo.processInfo.activeProcessorCount) CPUs, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB, \(build) build, "
              + (external ? "DATABASE_URL" : "embedded PostgreSQL in \(dataDir)"))
        var table = Table("FIGURE", "VALUE", "BASELINE (SAME RUN)", "RATIO", "GOAL")
        for f in figures {
            table.add(f.figure, Self.shown(f.value) + " " + f.unit, f.baseline.isEmpty ? "" : "\(f.baseline): \(Self.shown(f.baselineValue))",
                      f.ratio == 0 ? "" : String(format: "%.2f", f.ratio), f.goal)
        }
        print(table.render())
    }

    static func shown(_ value: Double) -> String {
        value >= 100 ? Int(value.rounded()).formatted() : String(format: "%.1f", value)
    }

    static func milliseconds(_ duration: Duration) -> Double { seconds(duration) * 1000 }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func percentile(_ values: [Double], _ share: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * share).rounded(.up)) - 1)]
    }

    /// VmHWM of `pid` in MiB (0 when it cannot be read).
    static func peakResidentMiB(of pid: pid_t) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes / 1024
    }

    static func waitUntilReady(_ url: String, server: ChildProcess, log: String) async throws {
        let api = APIClient(baseURL: url, token: "none")
        for _ in 0..<600 {
            if let reply = try? await api.send(.GET, "/readyz"), reply.status == 200 { return }
            guard server.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("aurum serve did not come up; see \(log)")
    }
}

/// An `aurum` process of the benchmark's own (this very executable), its output in a log file.
final class ChildProcess: Sendable {
    let pid: pid_t

    init(_ arguments: [String], log: String, environment: [String: String] = [:]) throws {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        pid = try Self.spawn(executable, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
                             output: log, errors: log + ".err", appending: false)
    }

    /// Starts `executable arguments…` with `environment` as its whole environment, standard input
    /// from /dev/null, standard output to the file `output` (appended to, or emptied first) and
    /// standard error to `errors` (nil: with the output); its pid. No thread waits on it.
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String],
                      output: String, errors: String?, appending: Bool) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let mode = O_WRONLY | O_CREAT | (appending ? O_APPEND : O_TRUNC)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, mode, 0o644)
        if let errors {
            posix_spawn_file_actions_addopen(&actions, 2, errors, mode, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        let cArguments = ([executable] + arguments).map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, cArguments, cEnvironment)
        guard spawned == 0 else { throw ValidationError("cannot start \(executable): \(String(cString: strerror(spawned)))") }
        return pid
    }

    var isRunning: Bool { kill(pid, 0) == 0 && waitpid(pid, nil, WNOHANG) == 0 }

    /// Waits for the process to end (polling, so that no thread blocks); its exit status.
    func wait() async -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 { try? await Task.sleep(for: .milliseconds(20)) }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// SIGTERM, then waits up to 30 s (SIGKILL after).
    func stop() {
        kill(pid, SIGTERM)
        for _ in 0..<300 where waitpid(pid, nil, WNOHANG) == 0 { usleep(100_000) }
        kill(pid, SIGKILL)
        _ = waitpid(pid, nil, WNOHANG)
    }

    /// Runs `aurum arguments…` to its end: the seconds it took; fails with its log when it fails
    /// (`allowing` names exit codes that are no failure, as 1 for a load that left rows out).
    static func timed(_ arguments: [String], log: String, allowing: Set<Int32> = [0]) async throws -> Double {
        let started = ContinuousClock.now
        let status = await (try ChildProcess(arguments, log: log)).wait()
        guard allowing.contains(status) else { throw ValidationError("aurum \(arguments.prefix(2).joined(separator: " ")) failed (exit \(status)); see \(log).err") }
        return BenchRun.seconds(ContinuousClock.now - started)
    }

    /// Runs `aurum arguments…` to its end: what it printed.
    static func output(_ arguments: [String], log: String) async throws -> String {
        _ = try await timed(arguments, log: log)
        return (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    }
}
