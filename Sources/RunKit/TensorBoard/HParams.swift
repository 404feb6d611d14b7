import Foundation

/// TensorBoard's HParams plugin data, encoded as tensorboard/plugins/hparams/summary.py
/// writes it: one `Summary.Value` per summary, tagged `_hparams_/experiment`,
/// `_hparams_/session_start_info` or `_hparams_/session_end_info`, holding the null float
/// tensor and `metadata.plugin_data { plugin_name: "hparams", content: HParamsPluginData }`
/// (plugin_data.proto, api.proto; version 0, so the version field is omitted):
///
///     HParamsPluginData { int32 version = 1; oneof data { Experiment experiment = 2;
///                         SessionStartInfo session_start_info = 3; SessionEndInfo session_end_info = 4; } }
///     Experiment        { double time_created_secs = 3; repeated HParamInfo hparam_infos = 4;
///                         repeated MetricInfo metric_infos = 5; }
///     HParamInfo        { string name = 1; DataType type = 4; }
///     MetricInfo        { MetricName name = 1; }  MetricName { string group = 1; string tag = 2; }
///     SessionStartInfo  { map<string, google.protobuf.Value> hparams = 1; double start_time_secs = 5; }
///     SessionEndInfo    { Status status = 1; double end_time_secs = 2; }
///
/// Map entries are written in key order (protobuf's deterministic order).
public enum HParams {
    /// A hyperparameter's value (google.protobuf.Value: number_value, string_value, bool_value).
    public enum Value: Equatable, Sendable {
        case number(Double), string(String), bool(Bool)
        /// api.proto's DataType.
        var dataType: UInt64 {
            switch self { case .string: return 1; case .bool: return 2; case .number: return 3 }
        }
    }

    /// api.proto's Status.
    public enum Status: UInt64, Sendable { case unknown = 0, success = 1, failure = 2, running = 3 }

    public static let experimentTag = "_hparams_/experiment"
    public static let sessionStartTag = "_hparams_/session_start_info"
    public static let sessionEndTag = "_hparams_/session_end_info"

    /// The experiment: each hyperparameter's name and type, and the metrics (scalar tags of
    /// the run itself, group "").
    public static func experiment(hparams: [(String, Value)], metrics: [String], timeCreated: Double) -> [UInt8] {
        var e: [UInt8] = []
        double(field: 3, timeCreated, into: &e)
        for (name, value) in hparams {
            var info: [UInt8] = []
            Protobuf.bytes(field: 1, Array(name.utf8), into: &info)
            Protobuf.varint(field: 4, value.dataType, into: &info)
            Protobuf.bytes(field: 4, info, into: &e)
        }
        for tag in metrics {
            var name: [UInt8] = []
            Protobuf.bytes(field: 2, Array(tag.utf8), into: &name)
            var info: [UInt8] = []
            Protobuf.bytes(field: 1, name, into: &info)
            Protobuf.bytes(field: 5, info, into: &e)
        }
        return summaryValue(tag: experimentTag, dataField: 2, e)
    }

    /// One session's hyperparameter values (sorted by name) and start time.
    public static func sessionStart(hparams: [(String, Value)], startTime: Double) -> [UInt8] {
        var s: [UInt8] = []
        for (name, value) in hparams.sorted(by: { $0.0 < $1.0 }) {
            var v: [UInt8] = []
            switch value {   // a oneof member: written even when zero or empty
            case .number(let d): Protobuf.fixed64(field: 2, d.bitPattern, into: &v)
            case .string(let t): Protobuf.bytes(field: 3, Array(t.utf8), into: &v)
            case .bool(let b): Protobuf.varint(field: 4, b ? 1 : 0, into: &v)
            }
            var entry: [UInt8] = []
            Protobuf.bytes(field: 1, Array(name.utf8), into: &entry)
            Protobuf.bytes(field: 2, v, into: &entry)
            Protobuf.bytes(field: 1, entry, into: &s)
        }
        double(field: 5, startTime, into: &s)
        return summaryValue(tag: sessionStartTag, dataField: 3, s)
    }

    /// How and when the session ended.
    public static func sessionEnd(status: Status, endTime: Double) -> [UInt8] {
        var s: [UInt8] = []
        if status != .unknown { Protobuf.varint(field: 1, status.rawValue, into: &s) }
        double(field: 2, endTime, into: &s)
        return summaryValue(tag: sessionEndTag, dataField: 4, s)
    }

    /// `Summary.Value { tag = 1; TensorProto tensor = 8; SummaryMetadata metadata = 9 }`.
    static func summaryValue(tag: String, dataField: Int, _ message: [UInt8]) -> [UInt8] {
        var content: [UInt8] = []
        Protobuf.bytes(field: dataField, message, into: &content)
        var pluginData: [UInt8] = []
        Protobuf.bytes(field: 1, Array("hparams".utf8), into: &pluginData)
        Protobuf.bytes(field: 2, content, into: &pluginData)
        var metadata: [UInt8] = []
        Protobuf.bytes(field: 1, pluginData, into: &metadata)
        var value: [UInt8] = []
        Protobuf.bytes(field: 1, Array(tag.utf8), into: &value)
        Protobuf.bytes(field: 8, nullTensor, into: &value)
        Protobuf.bytes(field: 9, metadata, into: &value)
        return value
    }

    /// metadata.NULL_TENSOR: `TensorProto { dtype: DT_FLOAT, tensor_shape { dim { size: 0 } } }`.
    static let nullTensor: [UInt8] = [0x08, 0x01, 0x12, 0x02, 0x12, 0x00]

    /// A proto3 double: omitted when zero.
    static func double(field: Int, _ d: Double, into out: inout [UInt8]) {
        if d.bitPattern != 0 { Protobuf.fixed64(field: field, d.bitPattern, into: &out) }
    }

    /// A run's options from its config.json, sorted by name: numbers, words and switches as
    /// they are; nested objects as `outer.inner`; lists as text (`[4, 4]`, as summary.py
    /// writes a list); nulls left out. Nil when the file is missing or not a JSON object.
    public static func options(configJSON url: URL) -> [(String, Value)]? {
        guard let data = try? Data(contentsOf: url), let v = try? JSONDecoder().decode(JSONValue.self, from: data),
              case .object(let top) = v else { return nil }
        var out: [(String, Value)] = []
        func add(_ prefix: String, _ v: JSONValue) {
            switch v {
            case .null: break
            case .bool(let b): out.append((prefix, .bool(b)))
            case .number(let d): out.append((prefix, .number(d)))
            case .string(let s): out.append((prefix, .string(s)))
            case .array: out.append((prefix, .string(v.pythonText)))
            case .object(let o): for k in o.keys.sorted() { add(prefix + "." + k, o[k]!) }
            }
        }
        for k in top.keys.sorted() { add(k, top[k]!) }
        return out.sorted { $0.0 < $1.0 }
    }
}
