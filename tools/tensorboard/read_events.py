#!/usr/bin/env python3
"""Reads a TensorBoard event file with the real `tensorboard` package and prints it as JSON.

Usage:  read_events.py EVENT_FILE [--out FILE.json]

Two readers, which must agree:
  * strict: tensorboard's own TFRecord reader (tensorboard.compat.tensorflow_stub
    .pywrap_tensorflow.PyRecordReader_New, which checks the masked CRC-32C of every length
    and every record and raises on a mismatch or truncation), each record parsed with
    tensorboard's Event protobuf (tensorboard.compat.proto.event_pb2);
  * EventAccumulator (what the TensorBoard UI uses), scalars per tag.
Output: {"file_version": str, "records": int,
         "events": [{"wall_time": float, "step": int, "scalars": [[tag, value], ...]}, ...],
         "scalars": {tag: [[step, value], ...]}}
Values are float32 as stored (printed as the exact double), so a Swift test can compare bit
for bit. Exits 1 with a one-line message if the file is corrupt.
"""
import argparse
import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub import errors, pywrap_tensorflow


def strict_events(path):
    reader = pywrap_tensorflow.PyRecordReader_New(path, 0, "")
    out = []
    while True:
        try:
            reader.GetNext()
        except errors.OutOfRangeError:
            break
        out.append(event_pb2.Event.FromString(reader.record()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--out")
    a = ap.parse_args()
    try:
        events = strict_events(a.path)
    except errors.DataLossError as e:
        print(f"{a.path}: {e.message}", file=sys.stderr)
        sys.exit(1)
    doc = {"file_version": events[0].file_version if events else "", "records": len(events), "events": [], "scalars": {}}
    for e in events:
        if e.HasField("file_version"):
            continue
        pairs = [[v.tag, v.simple_value] for v in e.summary.value if v.HasField("simple_value")]
        doc["events"].append({"wall_time": e.wall_time, "step": e.step, "scalars": pairs})
        for tag, value in pairs:
            doc["scalars"].setdefault(tag, []).append([e.step, value])

    acc = EventAccumulator(a.path, size_guidance={"scalars": 0})
    acc.Reload()
    seen = {t: [[s.step, s.value] for s in acc.Scalars(t)] for t in acc.Tags()["scalars"]}
    if seen != doc["scalars"]:
        print(f"{a.path}: EventAccumulator and the strict reader disagree", file=sys.stderr)
        sys.exit(1)

    text = json.dumps(doc, sort_keys=True) + "\n"
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
