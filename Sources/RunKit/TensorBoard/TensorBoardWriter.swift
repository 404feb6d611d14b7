import Foundation
import RetortCore

/// Writes scalars as a TensorBoard event file, `events.out.tfevents.<unixtime>.<host>.<pid>.retort`,
/// in a run folder: TFRecord-framed `Event` protobufs, the first one carrying
/// `file_version = "brain.Event:2"`. Records are buffered and written at `flush()` (the
/// metrics log calls it at every epoch), when 64 KiB are pending or 5 s have passed since
/// the last write, and on `close()`/deinit. Write errors are ignored, as for the CSV files:
/// metrics never stop a run.
///
/// Given the run's hyperparameters, the file also carries TensorBoard's HParams data: the
/// session start (with the hyperparameters) right after file_version, and the experiment
/// (hyperparameters and metric tags) with the session end at `endSession`.
public final class TensorBoardWriter {
    public let url: URL
    private var handle: FileHandle?
    private var pending: [UInt8] = []
    private let clock: () -> Double
    private var lastFlush: Double, lastEvent: Double
    /// Bytes in the file (everything flushed so far) and of its first record (file_version).
    public private(set) var written: UInt64 = 0
    private var headerLength: UInt64 = 0

    /// The run's hyperparameters (nil: no HParams data) and when the writer started.
    public let hparams: [(String, HParams.Value)]?
    public let started: Double

    /// - Parameter clock: seconds since 1970 for `wall_time`, read once per event (injectable for tests).
    /// - Parameter hparams: the run's options for TensorBoard's HParams dashboard.
    public init(folder: URL, clock: @escaping () -> Double = { Date().timeIntervalSince1970 },
                hparams: [(String, HParams.Value)]? = nil) throws {
        self.clock = clock
        self.hparams = hparams
        let now = clock()
        started = now
        var host = [CChar](repeating: 0, count: 256)
        let hostname = gethostname(&host, host.count - 1) == 0
            ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        let base = "events.out.tfevents.\(Int64(now.rounded(.down))).\(hostname).\(getpid()).retort"
        var name = base, n = 1
        while FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) { name = base + ".\(n)"; n += 1 }
        url = folder.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let h = try? FileHandle(forWritingTo: url) else {
            throw ConfigError("\(url.path): cannot create the TensorBoard event file")
        }
        handle = h
        lastFlush = now; lastEvent = now
        TFRecord.frame(TensorBoardEvent(wallTime: now, fileVersion: "brain.Event:2").encoded(), into: &pending)
        if let hparams {
            TFRecord.frame(TensorBoardEvent.encoded(wallTime: now, values: [HParams.sessionStart(hparams: hparams, startTime: now)]), into: &pending)
        }
        flush()
        headerLength = written
    }

    deinit { close() }

    /// Queues one event with `scalars` at `step`.
    public func add(step: Int64, scalars: [TensorBoardEvent.Scalar]) {
        guard handle != nil, !scalars.isEmpty else { return }
        let now = clock()
        lastEvent = now
        TFRecord.frame(TensorBoardEvent(wallTime: now, step: step, scalars: scalars).encoded(), into: &pending)
        if pending.count >= 1 << 16 || now - lastFlush >= 5 { flush() }
    }

    /// Ends the HParams session (nothing without hyperparameters): the experiment, listing
    /// the hyperparameters and `metrics` (scalar tags of this run), and the session end with
    /// `status`, written at once.
    public func endSession(status: HParams.Status, metrics: [String]) {
        guard handle != nil, let hparams else { return }
        let now = clock()
        lastEvent = now
        TFRecord.frame(TensorBoardEvent.encoded(wallTime: now, values: [HParams.experiment(hparams: hparams, metrics: metrics, timeCreated: started)]),
                       into: &pending)
        TFRecord.frame(TensorBoardEvent.encoded(wallTime: now, values: [HParams.sessionEnd(status: status, endTime: now)]), into: &pending)
        flush()
    }

    public func flush() {
        guard let h = handle, !pending.isEmpty else { return }
        if (try? h.write(contentsOf: pending)) != nil { written += UInt64(pending.count) }
        else { written = (try? h.offset()) ?? written }
        pending.removeAll(keepingCapacity: true)
        lastFlush = lastEvent
    }

    /// Cuts the file back to `length` bytes (a record boundary from `written`), or to its
    /// file_version record when nil, dropping pending events: the scalars after a
    /// checkpoint are written again after a resume or a rollback, never twice.
    public func truncate(to length: UInt64?) {
        guard let h = handle else { return }
        pending.removeAll(keepingCapacity: true)
        let keep = min(written, max(headerLength, length ?? headerLength))
        try? h.truncate(atOffset: keep)
        _ = try? h.seekToEnd()
        written = keep
    }

    public func close() {
        flush()
        try? handle?.close()
        handle = nil
    }
}

/// Reads TensorBoard event files (Retort's or anyone's simple-value scalars).
public enum TensorBoardReader {
    /// Every event of the file, in order. A corrupt or truncated file gives one line
    /// naming the file and the byte offset of the bad record.
    public static func events(at url: URL) throws -> [TensorBoardEvent] {
        let file = url.lastPathComponent
        let bytes: [UInt8]
        do { bytes = try RegularFile.readBytes(url.path, limit: RegularFile.binaryLimit) } catch let e as RegularFile.ReadError {
            throw TFRecord.FormatError(e.description)
        }
        return try TFRecord.records(bytes, file: file).map { r in
            do { return try TensorBoardEvent.decode(r.payload) } catch {
                throw TFRecord.FormatError("\(file): byte \(r.offset): malformed Event record (\(error))")
            }
        }
    }

    /// Scalars by tag, in file order: tag → [(step, value)].
    public static func scalars(at url: URL) throws -> [String: [(step: Int64, value: Float)]] {
        var out: [String: [(step: Int64, value: Float)]] = [:]
        for e in try events(at: url) { for s in e.scalars { out[s.tag, default: []].append((e.step, s.value)) } }
        return out
    }

    /// Event files in `folder` (names containing "tfevents", as TensorBoard finds them), sorted.
    public static func eventFiles(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.contains("tfevents") }.sorted().map { folder.appendingPathComponent($0) }
    }
}
