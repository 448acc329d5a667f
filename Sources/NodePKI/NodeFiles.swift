import Foundation
import X509

/// Reading PKI files named on the command line.
public enum NodeFiles {
    public static func certificate(_ path: String) throws(PKIError) -> Certificate {
        try PKIFiles.readCertificate(URL(fileURLWithPath: path))
    }
}
