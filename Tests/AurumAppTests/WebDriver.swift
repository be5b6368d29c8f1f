import AsyncHTTPClient
import AurumCore
import AurumStore
import Foundation
import NIOCore
import NIOHTTP1

/// A real headless Chromium (Debian's `chromium`), driven through its W3C WebDriver server
/// (`chromedriver`, Debian's `chromium-driver`) over plain HTTP: what a person's browser does,
/// the way browser tests everywhere drive it.
struct WebDriver: Sendable {
    let base: String
    let session: String
    let http: HTTPClient

    /// Where Debian installs them; `scripts/system-packages.sh` installs both.
    static let driverPath = "/usr/bin/chromedriver"
    static let browserPath = "/usr/bin/chromium"

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "the browser tests need Chromium and its WebDriver (\(WebDriver.browserPath), \(WebDriver.driverPath)): bash scripts/system-packages.sh installs them"
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts chromedriver and one headless browser session for `body`; both end afterwards.
    static func with<T: Sendable>(_ body: (WebDriver) async throws -> T) async throws -> T {
        guard FileManager.default.isExecutableFile(atPath: driverPath), FileManager.default.isExecutableFile(atPath: browserPath) else {
            throw Missing()
        }
        let port = try EmbeddedPostgres.freePort()
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("aurum-chromium-\(UUID().uuidString)").path
        let driver = Process()
        driver.executableURL = URL(fileURLWithPath: driverPath)
        driver.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        defer {
            // chromedriver may ignore SIGTERM while it winds down; its browser is closed by then.
            kill(driver.processIdentifier, SIGKILL)
            driver.waitUntilExit()
            try? FileManager.default.removeItem(atPath: profile)
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let base = "http://127.0.0.1:\(port)"
            try await waitUntilReady(base, http: http)
            let capabilities: JSONValue = ["capabilities": ["alwaysMatch": [
                "browserName": "chrome",
                "goog:chromeOptions": ["binary": .string(browserPath), "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,860",
                    "--no-first-run", "--no-default-browser-check", .string("--user-data-dir=\(profile)")]],
            ]]]
            let created = try await call(http, .POST, base + "/session", capabilities)
            guard let session = created.objectValue?["sessionId"]?.stringValue else {
                throw Failure(description: "chromedriver started no session: \(created)")
            }
            let webDriver = WebDriver(base: base + "/session/" + session, session: session, http: http)
            do {
                let value = try await body(webDriver)
                _ = try? await call(http, .DELETE, webDriver.base, nil)
                try await http.shutdown()
                return value
            } catch {
                _ = try? await call(http, .DELETE, webDriver.base, nil)
                throw error
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    func open(_ url: String) async throws { _ = try await send(.POST, "/url", ["url": .string(url)]) }

    /// The page as the browser holds it now (after its own parsing).
    func source() async throws -> String { try await send(.GET, "/source", nil).stringValue ?? "" }

    /// The text the page shows, as a person reads it.
    func visibleText() async throws -> String {
        try await script("return document.body.innerText;").stringValue ?? ""
    }

    func title() async throws -> String { try await send(.GET, "/title", nil).stringValue ?? "" }

    /// The element `css` selects; fails when there is none.
    func element(_ css: String) async throws -> String {
        let found = try await send(.POST, "/element", ["using": "css selector", "value": .string(css)])
        guard let id = found.objectValue?.values.first?.stringValue else { throw Failure(description: "no element \(css)") }
        return id
    }

    func type(_ text: String, into css: String) async throws {
        _ = try await send(.POST, "/element/\(try await element(css))/value", ["text": .string(text)])
    }

    func click(_ css: String) async throws {
        _ = try await send(.POST, "/element/\(try await element(css))/click", [:])
    }

    /// Clicks `css` (a form's button) and waits until the page it leads to has loaded.
    func submit(_ css: String) async throws {
        _ = try await script("document.documentElement.dataset.left = 'yes';")
        try await click(css)
        for _ in 0..<200 {
            let loaded = try await script("return document.readyState === 'complete' && !document.documentElement.dataset.left;")
            if loaded == .bool(true) { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw Failure(description: "clicking \(css) led to no new page within 5 s")
    }

    /// Runs `body` in the page (the test's reading of the DOM; the page itself has no script).
    func script(_ body: String) async throws -> JSONValue {
        try await send(.POST, "/execute/sync", ["script": .string(body), "args": []])
    }

    /// The cookies the browser keeps for the current page, HttpOnly ones included.
    func cookies() async throws -> [[String: JSONValue]] {
        (try await send(.GET, "/cookie", nil).arrayValue ?? []).compactMap(\.objectValue)
    }

    /// A PNG of the viewport.
    func screenshot() async throws -> Data {
        guard let text = try await send(.GET, "/screenshot", nil).stringValue, let png = Data(base64Encoded: text) else {
            throw Failure(description: "the browser gave no screenshot")
        }
        return png
    }

    private func send(_ method: HTTPMethod, _ path: String, _ body: JSONValue?) async throws -> JSONValue {
        try await Self.call(http, method, base + path, body)
    }

    /// One WebDriver command; its `value`, or its error as a failure.
    static func call(_ http: HTTPClient, _ method: HTTPMethod, _ url: String, _ body: JSONValue?) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: CanonicalJSON.data(body)))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 32 << 20)
        let answer = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))
        let value = answer.objectValue?["value"] ?? .null
        guard response.status.code < 300 else {
            throw Failure(description: "WebDriver \(method) \(url): \(response.status.code) \(value.objectValue?["message"]?.stringValue ?? "\(value)")")
        }
        return value
    }

    static func waitUntilReady(_ base: String, http: HTTPClient) async throws {
        for _ in 0..<100 {
            if let status = try? await call(http, .GET, base + "/status", nil), status.objectValue?["ready"] == .bool(true) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "chromedriver did not come up on \(base)")
    }
}
