#!/usr/bin/env python3
"""Reads the TensorBoard HParams data of run folders with the real `tensorboard` package and
prints it as JSON, one object per run folder.

Usage:  read_hparams.py RUN_FOLDER... [--out FILE.json]

Each folder's event files are loaded with tensorboard.backend.event_processing's
plugin_event_accumulator (what TensorBoard's data provider uses); the `hparams` plugin's
summaries are parsed with tensorboard.plugins.hparams.metadata (plugin_data_pb2, version 0),
and each metric the experiment lists is read back as the last value of that scalar tag.
Output: {RUN: {"hparams": {name: value}, "start_time": float, "status": "STATUS_…",
               "end_time": float, "experiment_hparams": {name: "DATA_TYPE_…"},
               "metrics": {tag: last value}}}
Exits 1 with a one-line message when a folder lacks any of the three summaries.
"""
import argparse
import json
import os
import sys

from google.protobuf import json_format
from tensorboard.backend.event_processing import plugin_event_accumulator
from tensorboard.plugins.hparams import api_pb2, metadata
from tensorboard.util import tensor_util


def read(folder):
    acc = plugin_event_accumulator.EventAccumulator(folder, size_guidance={"tensors": 0})
    acc.Reload()
    content = acc.PluginTagToContent(metadata.PLUGIN_NAME)
    missing = [t for t in (metadata.EXPERIMENT_TAG, metadata.SESSION_START_INFO_TAG, metadata.SESSION_END_INFO_TAG) if t not in content]
    if missing:
        raise SystemExit(f"{folder}: no {', '.join(missing)} summary")
    experiment = metadata.parse_experiment_plugin_data(content[metadata.EXPERIMENT_TAG])
    start = metadata.parse_session_start_info_plugin_data(content[metadata.SESSION_START_INFO_TAG])
    end = metadata.parse_session_end_info_plugin_data(content[metadata.SESSION_END_INFO_TAG])
    metrics = {}
    for info in experiment.metric_infos:
        events = acc.Tensors(info.name.tag)   # scalars arrive as tensors under the scalars plugin
        metrics[info.name.tag] = float(tensor_util.make_ndarray(events[-1].tensor_proto)) if events else None
    return {
        "hparams": {k: json_format.MessageToDict(v) for k, v in sorted(start.hparams.items())},
        "start_time": start.start_time_secs,
        "status": api_pb2.Status.Name(end.status),
        "end_time": end.end_time_secs,
        "experiment_hparams": {h.name: api_pb2.DataType.Name(h.type) for h in experiment.hparam_infos},
        "metrics": metrics,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--out")
    a = ap.parse_args()
    doc = {os.path.basename(os.path.normpath(r)): read(r) for r in a.runs}
    text = json.dumps(doc, sort_keys=True, indent=1) + "\n"
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
