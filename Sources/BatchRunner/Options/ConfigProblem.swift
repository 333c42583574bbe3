import DropoutEngine
import Foundation

struct ConfigProblem: Error {
    let message: String

    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty
                ? "" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + ": "
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(at(context.codingPath))expected \(type), \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "\(at(context.codingPath))expected \(type), found null"
        case .keyNotFound(let key, let context):
            return "\(at(context.codingPath))missing key '\(key.stringValue)'"
        case .dataCorrupted(let context):
            return "\(at(context.codingPath))not valid JSON: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
