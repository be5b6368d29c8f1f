import Crypto
import Foundation

/// Standard Webhooks 1.0 signatures: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`,
/// keyed with the bytes the `whsec_` secret's base64 holds.
public enum StandardWebhooks {
    public struct SecretError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The key of a `whsec_…` secret.
    public static func key(_ secret: String) throws -> SymmetricKey {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else {
            throw SecretError(description: "a webhook secret is whsec_ followed by base64 (e.g. whsec_" + Data(count: 24).base64EncodedString() + ")")
        }
        return SymmetricKey(data: bytes)
    }

    /// The `webhook-signature` header's value for one message.
    public static func signature(id: String, timestamp: Int, body: Data, key: SymmetricKey) -> String {
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }
}
