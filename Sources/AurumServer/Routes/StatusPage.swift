import AurumCore
import Foundation
import HTTPTypes
import Hummingbird

/// The status board for people: `GET /status` renders it as a small HTML page, made on the server
/// and readable without JavaScript, for stewards and admins. A visitor signs in with a token; the
/// browser then keeps a session id in an HttpOnly, SameSite=Strict cookie (the token itself is
/// never stored in the browser). Signed out, the page shows the sign-in form and nothing else.
struct StatusPage: Sendable {
    let store: any StewardshipStore
    let rules: RuleSet
    let limits: ServerLimits
    let readers: Readers

    static let cookieName = "aurum_session"

    func add(to router: Router<AurumRequestContext>) {
        router.get("/") { _, _ in Self.redirect(to: "/status") }
        router.get("status", use: page)
        router.get("status/style.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: StatusPageHTML.css)))
        }
        router.post("status/sign-in", use: signIn)
        router.post("status/sign-out", use: signOut)
    }

    /// The board for a signed-in steward or admin, else the sign-in form.
    @Sendable func page(_ request: Request, context: AurumRequestContext) async throws -> Response {
        guard let session = request.cookies[Self.cookieName]?.value, Self.isSessionID(session),
              let caller = try await store.principal(forSession: session) else {
            return Self.html(.ok, StatusPageHTML.signInForm(message: nil))
        }
        let entities = reviewable(by: caller)
        guard !entities.isEmpty else {
            return Self.html(.forbidden, StatusPageHTML.signInForm(message: Self.notForRole(caller)))
        }
        let board = try await readers.read { try await $0.statusBoard(entities: entities) }
        return Self.html(.ok, StatusPageHTML.board(board, caller: caller))
    }

    /// Takes the form's token; a steward's or admin's starts a session and goes to the board.
    @Sendable func signIn(_ request: Request, context: AurumRequestContext) async throws -> Response {
        if let refusal = Self.crossOrigin(request) { return Self.html(.forbidden, StatusPageHTML.signInForm(message: refusal)) }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: 4096) } catch {
            return Self.html(.contentTooLarge, StatusPageHTML.signInForm(message: "The form was larger than a token; paste the token alone."))
        }
        guard let token = Self.formField("token", in: String(buffer: body))?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty else {
            return Self.html(.badRequest, StatusPageHTML.signInForm(message: "Paste a steward's or admin's token into the Token field."))
        }
        guard token.count < 512, let caller = try await store.principal(forToken: token) else {
            let refusal = token.count < 512 ? try await store.refusal(ofToken: token) : .unknown
            return Self.html(.unauthorized, StatusPageHTML.signInForm(message: "Not signed in: \(refusal.detail)."))
        }
        guard !reviewable(by: caller).isEmpty else {
            return Self.html(.forbidden, StatusPageHTML.signInForm(message: Self.notForRole(caller)))
        }
        let session = try await store.startSession(for: caller, lasting: limits.sessionSeconds)
        var response = Self.redirect(to: "/status")
        response.setCookie(Cookie(name: Self.cookieName, value: session, maxAge: limits.sessionSeconds, path: "/status",
                                  secure: Self.isHTTPS(request), httpOnly: true, sameSite: .strict))
        return response
    }

    /// Ends the session (when there is one) and forgets the cookie.
    @Sendable func signOut(_ request: Request, context: AurumRequestContext) async throws -> Response {
        if let refusal = Self.crossOrigin(request) { return Self.html(.forbidden, StatusPageHTML.signInForm(message: refusal)) }
        if let session = request.cookies[Self.cookieName]?.value, Self.isSessionID(session) {
            try await store.endSession(session)
        }
        var response = Self.redirect(to: "/status")
        response.setCookie(Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/status", secure: Self.isHTTPS(request),
                                  httpOnly: true, sameSite: .strict))
        return response
    }

    func reviewable(by caller: Principal) -> [String] {
        caller.scope(rules.entities.keys) { .review(entity: $0) }
    }

    static func notForRole(_ caller: Principal) -> String {
        "\(caller.name) is a \(caller.role.rawValue) token; the status page is for stewards and admins."
    }

    /// A session id as `startSession` makes them; anything else is not looked up.
    static func isSessionID(_ value: String) -> Bool {
        value.hasPrefix("aurum_session_") && value.count < 100 && value.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) }
    }

    /// A form post from another site is refused (the cookie's SameSite=Strict keeps the session
    /// out of such posts already; this keeps another site from signing a browser in or out).
    static func crossOrigin(_ request: Request) -> String? {
        guard let origin = request.headers[.origin] else { return nil }
        let host = (request.head.authority ?? "").lowercased()
        if let parts = URLComponents(string: origin), let originHost = parts.host {
            let hostAndPort = parts.port.map { "\(originHost):\($0)" } ?? originHost
            if hostAndPort.lowercased() == host { return nil }
        }
        return "This form is accepted from this server's own page only; open /status here and sign in again."
    }

    /// Whether the browser reached the server over HTTPS (directly or through a proxy that says so).
    static func isHTTPS(_ request: Request) -> Bool {
        request.head.scheme == "https" || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// The value of `name` in an `application/x-www-form-urlencoded` body.
    static func formField(_ name: String, in body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name[...] else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func html(_ status: HTTPResponse.Status, _ page: String) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the form's post.
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
