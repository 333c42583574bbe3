import DropoutEngine
import Foundation
import NPZContainer

/// How output `.npz` members are stored: like the input member (default), always deflated
/// (`--compress`), or always stored (`--store`).
public typealias NPZCompression = MemberEncoding.Compression

/// The contents of a `--config FILE`: the run settings that may also be given as flags, at the
/// top level (one `RunSettings` layer, under the command line's), plus ordered `rules`. Unknown
/// keys are refused (a misspelt option must not be silently ignored).
public struct RunConfig: Sendable, Hashable {
    /// The top-level settings.
    public var settings: RunSettings
    /// Rules in file order; the first that matches an array wins.
    public var rules: [DropoutRule]

    /// A config; empty by default.
    public init(settings: RunSettings = RunSettings(), rules: [DropoutRule] = []) {
        self.settings = settings
        self.rules = rules
    }

    /// Top-level keys a config file may hold.
    public static let topLevelKeys = [
        "variant", "rate", "noise_shape", "data_format", "seed", "no_scale", "fill", "copies",
        "members", "no_masks", "compress", "store", "compression_level", "single_stream_deflate", "jobs",
        "arrays_only", "dtypes", "mask_format", "rules",
    ]
    /// Keys a rule may hold.
    public static let ruleKeys = [
        "match", "member", "variant", "rate", "noise_shape", "data_format", "no_scale", "fill", "dtypes",
    ]

    /// Reads and parses the config file at `path` (at most 16 MiB); throws `.usage` naming the
    /// file and the offending key when it is not a valid config.
    public static func load(path: String) throws -> RunConfig {
        let bytes: [UInt8]
        do {
            bytes = try RunnerFS.readFile(path, limit: 16 << 20)
        } catch let error as RunnerError {
            throw RunnerError.usage("config: \(error)")
        }
        return try RunConfig(json: bytes, origin: path)
    }

    /// Parses config JSON; `origin` names the file in messages.
    public init(json: [UInt8], origin: String) throws {
        do {
            self = try JSONDecoder().decode(ConfigDocument.self, from: Data(json)).config
        } catch let problem as ConfigProblem {
            throw RunnerError.usage("config '\(origin)': \(problem.message)")
        } catch let error as RunnerError {
            throw RunnerError.usage("config '\(origin)': \(error)")
        } catch let error as DecodingError {
            throw RunnerError.usage("config '\(origin)': \(ConfigProblem.describe(error))")
        }
    }
}

struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

private typealias Object = KeyedDecodingContainer<AnyCodingKey>

private func checkKeys(_ object: Object, allowed: [String], origin: String) throws {
    for key in object.allKeys where !allowed.contains(key.stringValue) {
        throw ConfigProblem(
            message: "\(origin): unknown key '\(key.stringValue)' (accepted: \(allowed.joined(separator: ", ")))")
    }
}

private func has(_ object: Object, _ key: String) -> Bool { object.contains(AnyCodingKey(key)) }

private func decodeOverrides(_ object: Object, origin: String) throws -> DropoutOverrides {
    var result = DropoutOverrides()
    if has(object, "variant") {
        result.variant = try Variant(
            parsing: object.decode(String.self, forKey: AnyCodingKey("variant")), origin: origin)
    }
    if has(object, "rate") {
        let rate = try object.decode(Double.self, forKey: AnyCodingKey("rate"))
        try DropoutSettings.checkRate(rate, name: "rate", origin: origin)
        result.rate = rate
    }
    if has(object, "noise_shape") {
        let key = AnyCodingKey("noise_shape")
        if try object.decodeNil(forKey: key) {
            result.noiseShape = .some(nil)
        } else if let text = try? object.decode(String.self, forKey: key) {
            result.noiseShape = .some(try NoiseSpec(parsing: text, origin: "\(origin): noise_shape"))
        } else {
            let dims = try object.decode([Int?].self, forKey: key)
            result.noiseShape = .some(try NoiseSpec(dims: dims, origin: "\(origin): noise_shape"))
        }
    }
    if has(object, "data_format") {
        result.dataFormat = try DataFormat(
            parsing: object.decode(String.self, forKey: AnyCodingKey("data_format")), origin: origin)
    }
    if has(object, "no_scale") {
        result.scale = try !object.decode(Bool.self, forKey: AnyCodingKey("no_scale"))
    }
    if has(object, "fill") {
        let key = AnyCodingKey("fill")
        if try object.decodeNil(forKey: key) {
            result.fill = .some(nil)
        } else {
            let text: String
            if let string = try? object.decode(String.self, forKey: key) {
                text = string
            } else if let value = try? object.decode(Int64.self, forKey: key) {
                text = String(value)
            } else if let value = try? object.decode(UInt64.self, forKey: key) {
                text = String(value)
            } else {
                text = String(try object.decode(Double.self, forKey: key))
            }
            guard let fill = FillValue(parsing: text) else {
                throw RunnerError.usage("\(origin): fill: \(FillValue.parsingProblem(text))")
            }
            result.fill = .some(fill)
        }
    }
    if has(object, "dtypes") {
        let key = AnyCodingKey("dtypes")
        let text: String
        if let string = try? object.decode(String.self, forKey: key) {
            text = string
        } else {
            text = try object.decode([String].self, forKey: key).joined(separator: ",")
        }
        result.dtypes = try DTypeSelection(parsing: text, origin: "\(origin): dtypes")
    }
    return result
}

private struct RuleDocument: Decodable {
    let rule: DropoutRule

    init(from decoder: Decoder) throws {
        let object = try decoder.container(keyedBy: AnyCodingKey.self)
        let index = decoder.codingPath.last?.intValue ?? 0
        let origin = "rules[\(index)]"
        try checkKeys(object, allowed: RunConfig.ruleKeys, origin: origin)
        guard has(object, "match") else { throw ConfigProblem(message: "\(origin): missing key 'match'") }
        let match = try GlobPattern(object.decode(String.self, forKey: AnyCodingKey("match")))
        var member: GlobPattern?
        if has(object, "member"), try !object.decodeNil(forKey: AnyCodingKey("member")) {
            member = try GlobPattern(object.decode(String.self, forKey: AnyCodingKey("member")))
        }
        rule = DropoutRule(match: match, member: member, overrides: try decodeOverrides(object, origin: origin))
    }
}

private struct ConfigDocument: Decodable {
    let config: RunConfig

    init(from decoder: Decoder) throws {
        let object = try decoder.container(keyedBy: AnyCodingKey.self)
        try checkKeys(object, allowed: RunConfig.topLevelKeys, origin: "top level")
        var settings = RunSettings()
        settings.dropout = try decodeOverrides(object, origin: "top level")
        if has(object, "seed") {
            let key = AnyCodingKey("seed")
            if let value = try? object.decode(UInt64.self, forKey: key) {
                settings.seed = value
            } else {
                let text = try object.decode(String.self, forKey: key)
                guard let value = UInt64(text.trimmingSpaces) else {
                    throw ConfigProblem(message: "seed: expected an integer in [0, 2^64), found '\(text)'")
                }
                settings.seed = value
            }
        }
        if has(object, "copies") { settings.copies = try object.decode(Int.self, forKey: AnyCodingKey("copies")) }
        if has(object, "jobs") { settings.jobs = try object.decode(Int.self, forKey: AnyCodingKey("jobs")) }
        if has(object, "members") {
            let key = AnyCodingKey("members")
            if let text = try? object.decode(String.self, forKey: key) {
                settings.members = try MemberSelection(parsing: text)
            } else {
                settings.members = try MemberSelection(names: object.decode([String].self, forKey: key))
            }
        }
        if has(object, "no_masks") {
            settings.writeMasks = try !object.decode(Bool.self, forKey: AnyCodingKey("no_masks"))
        }
        let compress = has(object, "compress") ? try object.decode(Bool.self, forKey: AnyCodingKey("compress")) : false
        let store = has(object, "store") ? try object.decode(Bool.self, forKey: AnyCodingKey("store")) : false
        if compress && store { throw ConfigProblem(message: "compress and store are both true; pick one") }
        if compress { settings.compression = .deflate }
        if store { settings.compression = .store }
        if has(object, "compression_level") {
            let level = try object.decode(Int.self, forKey: AnyCodingKey("compression_level"))
            if let problem = MemberEncoding.levelProblem(level, name: "compression_level") {
                throw ConfigProblem(message: problem)
            }
            settings.compressionLevel = level
        }
        if has(object, "single_stream_deflate") {
            settings.singleStreamDeflate = try object.decode(Bool.self, forKey: AnyCodingKey("single_stream_deflate"))
        }
        if has(object, "arrays_only") {
            settings.arraysOnly = try object.decode(Bool.self, forKey: AnyCodingKey("arrays_only"))
        }
        if has(object, "mask_format") {
            let text = try object.decode(String.self, forKey: AnyCodingKey("mask_format"))
            guard let format = MaskFormat(rawValue: text) else {
                throw ConfigProblem(message: "mask_format must be bool or packbits, found '\(text)'")
            }
            settings.maskFormat = format
        }
        var config = RunConfig(settings: settings)
        if has(object, "rules") {
            config.rules = try object.decode([RuleDocument].self, forKey: AnyCodingKey("rules")).map(\.rule)
        }
        self.config = config
    }
}
