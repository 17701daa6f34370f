"""Minimal reader/writer for the safetensors format (PyPI `safetensors` is not installable here).

Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian unsigned header length N,
then N bytes of UTF-8 JSON `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__":
{str: str}}` padded with spaces to a multiple of 8, then the raw little-endian tensor bytes; offsets
are relative to the start of that byte buffer. Supported dtypes: F32, F16, BF16.
"""
import json
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
# Same-width integer views: they let numpy (which has no bfloat16) hand out the raw bytes.
_BYTE_VIEWS = {torch.float32: torch.int32, torch.float16: torch.int16, torch.bfloat16: torch.int16}
_MAX_HEADER_BYTES = 100 * 1024 * 1024

if sys.byteorder != "little":
    raise RuntimeError("safetensors_io assumes a little-endian machine")


class SafetensorsFormatError(ValueError):
    """The file is not a valid safetensors file (truncated, bad header, unsupported dtype)."""


def save_file(tensors: dict[str, torch.Tensor], path: str, metadata: dict[str, str] | None = None) -> None:
    header: dict = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise SafetensorsFormatError("__metadata__ must map strings to strings")
        header["__metadata__"] = dict(metadata)
    blobs, offset = [], 0
    for name in sorted(tensors):
        tensor = tensors[name].detach().to("cpu").contiguous()
        if tensor.dtype not in DTYPE_NAMES:
            raise SafetensorsFormatError(f"{name}: dtype {tensor.dtype} is not one of F32/F16/BF16")
        blob = tensor.view(_BYTE_VIEWS[tensor.dtype]).numpy().tobytes()
        header[name] = {"dtype": DTYPE_NAMES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)))
        handle.write(encoded)
        for blob in blobs:
            handle.write(blob)


def read_header(raw: bytes) -> tuple[dict, int]:
    """The parsed header and the offset where tensor data starts."""
    if len(raw) < 8:
        raise SafetensorsFormatError("file is shorter than the 8-byte header length")
    (length,) = struct.unpack("<Q", raw[:8])
    if length > _MAX_HEADER_BYTES or 8 + length > len(raw):
        raise SafetensorsFormatError(f"header length {length} does not fit in a {len(raw)}-byte file")
    try:
        header = json.loads(raw[8:8 + length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SafetensorsFormatError(f"header is not valid UTF-8 JSON: {error}") from error
    return header, 8 + length


def load_file(path: str) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """All tensors (in their stored dtype) and the __metadata__ dict."""
    with open(path, "rb") as handle:
        raw = handle.read()
    header, start = read_header(raw)
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        if info["dtype"] not in DTYPES:
            raise SafetensorsFormatError(f"{name}: dtype {info['dtype']} is not supported (F32/F16/BF16 only)")
        dtype = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        count = 1
        for size in info["shape"]:
            count *= size
        if end - begin != count * torch.finfo(dtype).bits // 8 or start + end > len(raw):
            raise SafetensorsFormatError(f"{name}: data_offsets {begin}..{end} do not match shape {info['shape']}")
        buffer = bytearray(raw[start + begin:start + end])  # own the bytes: frombuffer shares memory
        flat = torch.frombuffer(buffer, dtype=_BYTE_VIEWS[dtype]) if count else torch.empty(0, dtype=_BYTE_VIEWS[dtype])
        tensors[name] = flat.view(dtype).reshape(info["shape"])
    return tensors, metadata
