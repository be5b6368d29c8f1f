import Crypto
import Foundation

/// SHA-256 as lower-case hex, the one form Aurum writes digests in (token hashes, migration
/// checksums, cluster directory names).
enum Digest {
    static func sha256Hex(_ text: String) -> String {
        sha256Hex(Data(text.utf8))
    }

    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
