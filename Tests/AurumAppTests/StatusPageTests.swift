@testable import AurumApp
import AurumCore
import AurumServer
import AurumStore
import AurumTestSupport
import Foundation
import Testing

/// The status page in a real headless Chromium: signed out it shows the sign-in form and nothing
/// else; signed in it shows the counts `aurum status --json` gives; the session lives in an
/// HttpOnly, SameSite=Strict cookie and ends on signing out or when its token is revoked.
@Suite struct StatusPageTests {
    @Test func theBrowserSeesTheSameBoardAsTheCLIOnlyAfterSigningIn() async throws {
        try await TestStore.with { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let url = "http://127.0.0.1:\(port)"
                let plm = try await t.actor("plm-sync", .source)
                let erin = try await t.actor("erin", .steward)
                let ops = try await t.actor("ops", .admin)
                try await Self.somethingToShow(t, plm: plm.principal, steward: erin.principal, admin: ops.principal)
                let status = try await runAurumCapturingAll(["status", "--json", "--url", url, "--token-file", tokenFile(erin.token)])
                try #require(status.code == 0, "\(status.errors)")
                let board = try JSONDecoder().decode(StatusBoard.self, from: Data(status.output.utf8))
                #expect(board.entities.contains { $0.open.total > 0 && $0.blocked > 0 && !$0.gates.isEmpty }, "the flow left something to show")
                #expect(board.consumers.contains { $0.pending > 0 && $0.lastError != nil } && board.consumers.contains { $0.dead > 0 })

                try await WebDriver.with { browser in
                    // Signed out: the form, and nothing of the board.
                    try await browser.open(url + "/")
                    let signedOut = try await browser.source()
                    #expect(try await browser.title() == "Aurum status: sign in")
                    #expect(signedOut.contains("name=\"token\"") && signedOut.contains("action=\"/status/sign-in\""))
                    #expect(!signedOut.contains("data-field") && !signedOut.contains("data-entity"), "no count before signing in")
                    let outText = try await browser.visibleText()
                    for entity in board.entities.map(\.entity) + board.consumers.map(\.consumer) {
                        #expect(!outText.contains(entity), "signed out, the page names no \(entity): \(outText)")
                    }
                    #expect(try await browser.cookies().isEmpty)

                    // A source's token is turned away, with the reason, and no session.
                    try await browser.type(plm.token, into: "#token")
                    try await browser.submit("button[type=submit]")
                    #expect(try await browser.visibleText().contains("plm-sync is a source token; the status page is for stewards and admins"))
                    #expect(!(try await browser.source()).contains("data-field"))
                    #expect(try await browser.cookies().isEmpty)

                    // A steward's token: the board, the same counts as the CLI's.
                    try await browser.type(erin.token, into: "#token")
                    try await browser.submit("button[type=submit]")
                    #expect(try await browser.title() == "Aurum status")
                    let shown = try await Self.counts(on: browser)
                    let expected = Self.counts(of: board)
                    #expect(shown == expected, "page \(shown.subtracting(expected).sorted()) vs CLI \(expected.subtracting(shown).sorted())")
                    let text = try await browser.visibleText()
                    #expect(text.contains("Signed in as erin (steward)"))
                    let failing = try #require(board.consumers.first { $0.lastError != nil })
                    #expect(text.contains(failing.lastError!), "the error shown as text, its markup escaped: \(text)")
                    #expect(!(try await browser.source()).contains("<b>"), "a stored error's markup is never the page's")
                    #expect(!text.contains(erin.token), "the page never shows the token")

                    // The session is a cookie script cannot read, sent to this site only; not the token.
                    let cookies = try await browser.cookies()
                    let session = try #require(cookies.first { $0["name"]?.stringValue == "aurum_session" })
                    #expect(session["httpOnly"] == .bool(true) && session["sameSite"]?.stringValue == "Strict" && session["path"]?.stringValue == "/status")
                    let sessionID = try #require(session["value"]?.stringValue)
                    #expect(sessionID != erin.token && !sessionID.contains(erin.token))
                    #expect(try await browser.script("return document.cookie;").stringValue == "", "HttpOnly: hidden from script")

                    let png = try await browser.screenshot()
                    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
                    if let path = ProcessInfo.processInfo.environment["AURUM_STATUS_SCREENSHOT"] {
                        try png.write(to: URL(fileURLWithPath: path))
                    }

                    // Signing out ends the session on the server, not only in the browser.
                    try await browser.submit("form[action='/status/sign-out'] button")
                    #expect(try await browser.title() == "Aurum status: sign in")
                    #expect(try await browser.cookies().isEmpty)
                    #expect(try await t.store.principal(forSession: sessionID) == nil)

                    // Signed in again, then the token revoked: the next look is the form.
                    try await browser.type(erin.token, into: "#token")
                    try await browser.submit("button[type=submit]")
                    #expect(try await browser.title() == "Aurum status")
                    try await Tokens.revoke(name: "erin", actor: "ops", client: t.client, logger: TestLogger.quiet)
                    try await browser.open(url + "/status")
                    #expect(try await browser.title() == "Aurum status: sign in")
                    #expect(!(try await browser.source()).contains("data-field"))
                }
                let actions = try await t.auditActions()
                #expect(actions.filter { $0 == "session.signed_in" }.count == 2 && actions.filter { $0 == "session.signed_out" }.count == 1)
            }
        }
    }

    @Test func formsFromAnotherSiteAndBadBodiesGetThePageNotA500() async throws {
        try await TestStore.with { t in
            try await LiveServer.with(AurumHTTPServer.router(store: t.store, rules: t.rules)) { port in
                let erin = try await t.actor("erin", .steward)
                func send(_ method: String, _ path: String, _ headers: [(String, String)], _ body: String = "") async throws -> RawHTTP.Answer {
                    let head = ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Connection: close", "Content-Length: \(body.utf8.count)"]
                        + headers.map { "\($0): \($1)" }
                    return try await RawHTTP.exchange(port: port, Array((head.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8))
                }
                let form = ("Content-Type", "application/x-www-form-urlencoded")
                let foreign = try await send("POST", "/status/sign-in", [form, ("Origin", "https://evil.example")], "token=\(erin.token)")
                #expect(foreign.status == 403 && foreign.body.contains("this server&#39;s own page only"), "\(foreign.body)")
                #expect(foreign.headers["set-cookie"] == nil)
                let same = try await send("POST", "/status/sign-in", [form, ("Origin", "http://127.0.0.1:\(port)")], "token=\(erin.token)")
                #expect(same.status == 303 && same.headers["location"] == "/status")
                let cookie = same.headers["set-cookie"] ?? ""
                #expect(cookie.hasPrefix("aurum_session=aurum_session_") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(cookie)")
                #expect(!cookie.contains("Secure"), "plain HTTP here")
                let proxied = try await send("POST", "/status/sign-in", [form, ("X-Forwarded-Proto", "https")], "token=\(erin.token)")
                #expect(proxied.headers["set-cookie"]?.contains("Secure") == true, "behind a TLS proxy the cookie is Secure")
                let empty = try await send("POST", "/status/sign-in", [form], "nothing=here")
                #expect(empty.status == 400 && empty.body.contains("Paste a steward"))
                let large = try await send("POST", "/status/sign-in", [form], "token=" + String(repeating: "a", count: 10_000))
                #expect(large.status == 413)
                let unknown = try await send("POST", "/status/sign-in", [form], "token=%3Cscript%3E")
                #expect(unknown.status == 401 && !unknown.body.contains("<script>"), "the refused token is not echoed as markup")
                let forged = try await send("GET", "/status", [("Cookie", "aurum_session=aurum_session_forged")])
                #expect(forged.status == 200 && forged.body.contains("name=\"token\"") && !forged.body.contains("data-field"))
                let signedIn = try await send("GET", "/status", [("Cookie", String(cookie.prefix { $0 != ";" }))])
                #expect(signedIn.status == 200 && signedIn.body.contains("data-field=\"feed_position\""))
                let page = try await send("GET", "/status", [])
                let policy = page.headers["content-security-policy"] ?? ""
                #expect(policy.contains("default-src 'none'") && policy.contains("form-action 'self'"), "no script may run: \(policy)")
            }
        }
    }

    /// Open change requests at gates, a blocked record, deliveries waiting (one with an error whose
    /// text holds markup) and one given up.
    static func somethingToShow(_ t: TestStore, plm: Principal, steward: Principal, admin: Principal) async throws {
        try await PostgresDeliveryQueue(client: t.client, logger: TestLogger.quiet).declare([
            ConsumerRegistration(name: "odoo", kind: .odoo, latestOnly: true), ConsumerRegistration(name: "portal-hook", kind: .webhook)])
        let released = try await t.release([SampleRules.item("PLM-1", SampleRules.hexBolt),
                                            CandidateSubmission(entity: "supplier", source: "procurement", sourceKey: "V-1", attributes: StewardSessionTests.acme)])
        let block = try await t.store.changeState(.block, entity: "item", record: released[0], by: steward, reason: "recalled", requestID: "r")
        _ = try await t.store.approve(changeRequest: block.id, by: admin, comment: nil, revision: nil, requestID: "r")
        _ = try await t.store.ingest((2...4).map { SampleRules.item("PLM-\($0)", ["code": .string("B-\($0)"), "name": .string("Bolt \($0)"), "uom": "Units"]) },
                                     by: plm, requestID: "r")
        try await t.asOwner { client in
            try await client.query("""
                UPDATE delivery SET state = 'failed', attempts = 1, last_error = 'Odoo answered 502 <b>Bad Gateway</b> & gave up'
                WHERE id = (SELECT min(id) FROM delivery WHERE consumer = 'odoo')
                """, logger: TestLogger.quiet)
            try await client.query("""
                UPDATE delivery SET state = 'dead', attempts = 8, last_error = 'endpoint answered 410'
                WHERE id = (SELECT min(id) FROM delivery WHERE consumer = 'portal-hook')
                """, logger: TestLogger.quiet)
        }
    }

    /// Every count the page shows, as "row / field = value", read from the DOM the browser built.
    static func counts(on browser: WebDriver) async throws -> Set<String> {
        let cells = try await browser.script("""
            return Array.from(document.querySelectorAll('[data-field]')).map(function (cell) {
                var row = cell.closest('tr');
                var key = row ? ['entity', 'gate', 'consumer'].filter(function (k) { return row.dataset[k]; })
                    .map(function (k) { return k + '=' + row.dataset[k]; }).join(' ') : 'page';
                return key + ' / ' + cell.dataset.field + ' = ' + cell.innerText.trim();
            });
            """)
        let shown = (cells.arrayValue ?? []).compactMap(\.stringValue)
        // Text cells (times, errors) are checked apart; the counts are compared whole.
        return Set(shown.filter { !$0.contains("/ oldest_pending_at =") && !$0.contains("/ last_error =") })
    }

    /// The same lines from `aurum status --json`.
    static func counts(of board: StatusBoard) -> Set<String> {
        var lines = Set<String>()
        for e in board.entities {
            let row = "entity=\(e.entity) / "
            for (field, value) in [("open", e.open.total), ("open.under_1d", e.open.underOneDay), ("open.1d_to_7d", e.open.oneToSevenDays),
                                   ("open.over_7d", e.open.overSevenDays), ("possible_duplicates", e.possibleDuplicates), ("blocked", e.blocked),
                                   ("obsolete", e.obsolete), ("rejected_last_24h", e.rejectedLast24h), ("deliveries_pending", e.deliveriesPending),
                                   ("deliveries_dead", e.deliveriesDead)] {
                lines.insert(row + "\(field) = \(value)")
            }
            for g in e.gates {
                let row = "entity=\(e.entity) gate=\(g.gate) / "
                for (field, value) in [("pending", g.pending.total), ("pending.under_1d", g.pending.underOneDay), ("pending.1d_to_7d", g.pending.oneToSevenDays),
                                       ("pending.over_7d", g.pending.overSevenDays), ("waiting", g.waiting)] {
                    lines.insert(row + "\(field) = \(value)")
                }
            }
        }
        for c in board.consumers {
            lines.insert("consumer=\(c.consumer) / pending = \(c.pending)")
            lines.insert("consumer=\(c.consumer) / dead = \(c.dead)")
        }
        lines.insert("page / feed_position = \(board.feedPosition)")
        return lines
    }
}
