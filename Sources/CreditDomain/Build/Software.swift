/// The software's own version, as a node reports it in its health record and `status`.
public enum Software {
    public static let version = "0.16.0"
}
