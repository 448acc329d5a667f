import CreditDomain
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// TLS configurations for sync: mutual TLS under the network's CA, both ways.
public enum TLSConfigurations {
    /// The sync listener: presents the node's certificate and requires a client certificate
    /// issued by the network CA; a client without one fails the handshake. Revocation and the
    /// caller's node code are checked per request with `TrustStore`.
    public static func server(identity: NodeIdentity, ca: Certificate) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try nio(identity.certificate))], privateKey: .privateKey(try nioKey(identity)))
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates([try nio(ca)])
        tls.minimumTLSVersion = .tlsv12
        tls.cipherSuiteValues = aeadCipherSuites
        return tls
    }

    /// A public listener (the portal with `portalTLS`): presents the node's certificate and
    /// asks for none — the public has none.
    public static func publicServer(identity: NodeIdentity) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try nio(identity.certificate))], privateKey: .privateKey(try nioKey(identity)))
        tls.certificateVerification = .none
        tls.minimumTLSVersion = .tlsv12
        tls.cipherSuiteValues = aeadCipherSuites
        return tls
    }

    /// The sync client: presents the node's certificate and accepts the server only if the
    /// network CA issued its certificate for `parent` (`n<code>.node.creditnet`).
    public static func client(identity: NodeIdentity, ca: Certificate) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateChain = [.certificate(try nio(identity.certificate))]
        tls.privateKey = .privateKey(try nioKey(identity))
        tls.trustRoots = .certificates([try nio(ca)])
        tls.certificateVerification = .fullVerification
        tls.minimumTLSVersion = .tlsv12
        tls.cipherSuiteValues = aeadCipherSuites
        return tls
    }

    /// The TLS 1.2 suites offered and accepted: authenticated encryption (GCM, ChaCha20-Poly1305)
    /// with forward secrecy and the nodes' ECDSA keys; no CBC. TLS 1.3 has AEAD suites only.
    public static let aeadCipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// A certificate as NIOSSL takes it.
    public static func nio(_ certificate: Certificate) throws -> NIOSSLCertificate {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
    }

    static func nioKey(_ identity: NodeIdentity) throws -> NIOSSLPrivateKey {
        try NIOSSLPrivateKey(bytes: Array(identity.key.pemRepresentation.utf8), format: .pem)
    }

    /// A certificate received in a TLS handshake, as swift-certificates sees it.
    public static func certificate(fromDER der: [UInt8]) throws -> Certificate { try Certificate(derEncoded: der) }
}
