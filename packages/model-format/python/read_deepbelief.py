#!/usr/bin/env python3
"""Read deepbelief model files (safetensors + JSON metadata) with numpy alone.

No safetensors package, no pickle, no code execution: the file is an 8-byte little-endian
header length, a JSON header, and raw little-endian float32 data.

Library use::

    from read_deepbelief import read_deepbelief
    tensors, meta = read_deepbelief("rbm.safetensors")
    W, c = tensors["W"], tensors["hiddenBias"]          # float32 arrays, [visible, hidden], [1, hidden]
    print(meta["kind"], meta["model"], meta["formatVersion"])

Command line::

    python3 read_deepbelief.py model.safetensors                 # summary as JSON
    python3 read_deepbelief.py model.safetensors --rbm-phv batch.npy [--out phv.npy]
    python3 read_deepbelief.py model.safetensors --rbm-phv batch.safetensors [--batch-tensor batch]

``--rbm-phv`` prints p(h|v) = sigmoid(v @ W + hiddenBias) for the batch (JSON on stdout,
or an .npy file with ``--out``). The batch is an .npy file (loaded with allow_pickle=False)
or a tensor named ``batch`` in a second safetensors file.
"""

import argparse
import json
import struct
import sys

import numpy as np

MAX_HEADER_BYTES = 100_000_000
SUPPORTED_FORMAT_VERSION = 1
DTYPES = {
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
    "F16": np.dtype("<f2"),
    "I32": np.dtype("<i4"),
    "I64": np.dtype("<i8"),
    "U8": np.dtype("u1"),
    "I8": np.dtype("i1"),
    "BOOL": np.dtype("?"),
}


class FormatError(ValueError):
    """The file is not a valid safetensors / deepbelief model file."""


def _no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise FormatError(f'header has the key "{key}" twice')
        out[key] = value
    return out


def read_safetensors(path):
    """Return (tensors: dict[str, np.ndarray], metadata: dict[str, str]), fully validated."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise FormatError(f"{path}: file is {len(raw)} bytes, too short for safetensors")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > MAX_HEADER_BYTES:
        raise FormatError(f"{path}: header length {n} exceeds the {MAX_HEADER_BYTES}-byte limit")
    if 8 + n > len(raw):
        raise FormatError(f"{path}: header length {n} runs past the end of the file")
    try:
        header = json.loads(raw[8 : 8 + n].decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FormatError(f"{path}: header is not valid UTF-8 JSON ({e})") from e
    if not isinstance(header, dict):
        raise FormatError(f"{path}: header is not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise FormatError(f"{path}: __metadata__ must map strings to strings")
    data = memoryview(raw)[8 + n :]
    tensors = {}
    spans = []
    for name, info in header.items():
        if not name or not isinstance(info, dict):
            raise FormatError(f'{path}: bad tensor entry "{name}"')
        dtype = DTYPES.get(info.get("dtype"))
        if dtype is None:
            raise FormatError(f'{path}: tensor "{name}": unsupported dtype {info.get("dtype")!r}')
        shape = info.get("shape")
        if not isinstance(shape, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
        ):
            raise FormatError(f'{path}: tensor "{name}": bad shape {shape!r}')
        offsets = info.get("data_offsets")
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offsets)
        ):
            raise FormatError(f'{path}: tensor "{name}": bad data_offsets {offsets!r}')
        begin, end = offsets
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if end < begin or end > len(data) or end - begin != count * dtype.itemsize:
            raise FormatError(
                f'{path}: tensor "{name}": data_offsets {offsets} do not fit shape {shape} '
                f"in a {len(data)}-byte data section"
            )
        spans.append((begin, end, name))
        # astype copies: an owned, aligned, writable array in native byte order.
        array = np.frombuffer(data[begin:end], dtype=dtype).astype(dtype.newbyteorder("="))
        tensors[name] = array.reshape(shape)
    expected = 0
    for begin, end, name in sorted(spans):
        if begin != expected:
            raise FormatError(f'{path}: tensor "{name}" overlaps another or leaves a hole')
        expected = end
    if expected != len(data):
        raise FormatError(f"{path}: {len(data) - expected} bytes after the last tensor")
    return tensors, dict(metadata)


def read_deepbelief(path):
    """Return (tensors, envelope) of a deepbelief model file; envelope is the parsed JSON."""
    tensors, metadata = read_safetensors(path)
    if "deepbelief" not in metadata:
        raise FormatError(f'{path}: not a deepbelief model file (no "deepbelief" metadata)')
    envelope = json.loads(metadata["deepbelief"], object_pairs_hook=_no_duplicates)
    if not isinstance(envelope, dict) or envelope.get("format") != "deepbelief-model":
        raise FormatError(f'{path}: format is not "deepbelief-model"')
    version = envelope.get("formatVersion")
    if not isinstance(version, int) or version < 1:
        raise FormatError(f"{path}: bad formatVersion {version!r}")
    if version > SUPPORTED_FORMAT_VERSION:
        raise FormatError(
            f"{path}: written by a newer deepbelief (format version {version}); "
            f"this reader handles up to {SUPPORTED_FORMAT_VERSION}"
        )
    return tensors, envelope


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def rbm_phv(tensors, batch):
    """p(h=1|v) = sigmoid(v @ W + hiddenBias) for an RBM's W [visible, hidden], hiddenBias [1, hidden]."""
    W = tensors["W"].astype(np.float64)
    c = tensors["hiddenBias"].astype(np.float64).reshape(1, -1)
    v = np.asarray(batch, dtype=np.float64)
    if v.ndim != 2 or v.shape[1] != W.shape[0]:
        raise FormatError(f"batch has shape {v.shape}, expected [n, {W.shape[0]}]")
    return sigmoid(v @ W + c).astype(np.float32)


def _load_batch(path, tensor_name):
    if path.endswith(".npy"):
        return np.load(path, allow_pickle=False)
    tensors, _ = read_safetensors(path)
    if tensor_name not in tensors:
        raise FormatError(f'{path}: no tensor named "{tensor_name}" (has {sorted(tensors)})')
    return tensors[tensor_name]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="deepbelief model file (.safetensors)")
    parser.add_argument("--rbm-phv", metavar="BATCH", help=".npy or safetensors file with inputs")
    parser.add_argument("--batch-tensor", default="batch", help="tensor name in a safetensors batch")
    parser.add_argument("--out", help="write p(h|v) to this .npy file instead of printing JSON")
    args = parser.parse_args(argv)
    try:
        tensors, envelope = read_deepbelief(args.model)
        if args.rbm_phv is None:
            summary = {
                "kind": envelope.get("kind"),
                "formatVersion": envelope.get("formatVersion"),
                "model": envelope.get("model"),
                "tensors": {k: list(v.shape) for k, v in tensors.items()},
            }
            print(json.dumps(summary))
            return 0
        phv = rbm_phv(tensors, _load_batch(args.rbm_phv, args.batch_tensor))
        if args.out:
            np.save(args.out, phv, allow_pickle=False)
        else:
            print(json.dumps({"shape": list(phv.shape), "phv": [[float(x) for x in row] for row in phv]}))
        return 0
    except (FormatError, OSError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
