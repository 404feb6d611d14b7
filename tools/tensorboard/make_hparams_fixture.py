#!/usr/bin/env python3
"""Writes the HParams fixtures of Tests/InteropTests: TensorBoard's own HParams summaries
(tensorboard/plugins/hparams/summary.py: experiment_pb, session_start_pb, session_end_pb),
each wrapped in an Event at a fixed wall time and serialized, one file per summary.

summary.py imports TensorFlow only to convert tensorboard's protobufs into TensorFlow's
identical ones; this script gives it a stand-in module whose classes are tensorboard's own
(the bytes are the same), so only the `tensorboard` package is needed:

    PY=/path/to/venv/bin/python; $PY tools/tensorboard/make_hparams_fixture.py

The inputs here are the ones Tests/InteropTests/HParamsTests.swift encodes.
"""
import os
import sys
import types

from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.util import tensor_util

tf = types.ModuleType("tensorflow")
tf.compat = types.SimpleNamespace(v1=types.SimpleNamespace(Summary=summary_pb2.Summary, SummaryMetadata=summary_pb2.SummaryMetadata))
tf.make_tensor_proto = tensor_util.make_tensor_proto
sys.modules.setdefault("tensorflow", tf)

from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2, summary  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "InteropTests", "Fixtures", "tensorboard")

# config.json of a run, as Retort reads it: sorted keys; numbers, words and switches
HPARAMS = {"batchSize": 64, "data": "digits", "lr": 0.05, "nesterov": True, "seed": 3, "width": 0.25}
TYPES = {bool: api_pb2.DATA_TYPE_BOOL, int: api_pb2.DATA_TYPE_FLOAT64, float: api_pb2.DATA_TYPE_FLOAT64, str: api_pb2.DATA_TYPE_STRING}
METRICS = ["epoch/test_accuracy", "epoch/test_loss", "epoch/train_loss"]


def canonical(summ):
    """The hparams map in key order: protobuf leaves the order of map entries on the wire
    unspecified (upb writes them in hash order), so the content is serialized again with
    deterministic=True, which sorts map keys, as Retort writes them. Everything else is
    summary.py's bytes."""
    for v in summ.value:
        data = plugin_data_pb2.HParamsPluginData.FromString(v.metadata.plugin_data.content)
        v.metadata.plugin_data.content = data.SerializeToString(deterministic=True)
    return summ


def event(wall_time, summ):
    return event_pb2.Event(wall_time=wall_time, summary=summ).SerializeToString()


def main():
    experiment = summary.experiment_pb(
        hparam_infos=[api_pb2.HParamInfo(name=k, type=TYPES[type(v)]) for k, v in sorted(HPARAMS.items())],
        metric_infos=[api_pb2.MetricInfo(name=api_pb2.MetricName(tag=t)) for t in METRICS],
        time_created_secs=1_700_000_000.5)
    start = summary.session_start_pb(hparams=dict(sorted(HPARAMS.items())), start_time_secs=1_700_000_000.5)
    end = summary.session_end_pb(api_pb2.STATUS_SUCCESS, end_time_secs=1_700_000_123.25)
    for name, summ, t in (("experiment", experiment, 1_700_000_123.25), ("session_start", start, 1_700_000_000.5),
                          ("session_end", end, 1_700_000_123.25)):
        path = os.path.join(OUT, f"hparams-{name}.pb")
        with open(path, "wb") as f:
            f.write(event(t, canonical(summ)))
        print(f"{os.path.normpath(path)}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
