"""The encoder's ONNX graph made batch-invariant: each text quantized on its own tokens.

The shipped int8 model (``models/encoder/model.onnx``) quantizes its activations
dynamically: before each of its 36 integer matrix products a ``DynamicQuantizeLinear`` node
picks one scale and zero point for the whole input tensor. With several texts in one call
that tensor holds all of them (and their padding), so a text's vector would depend on the
rest of its batch (cosine 0.96-1.0 against the text alone).

:func:`per_text_quantization` rewrites each of those nodes to compute the scale and zero
point per text, over that text's own tokens only (the attention mask), with ONNX's own
formula (``scale = (max(0, max x) - min(0, min x)) / 255``, ``zero_point =
round(clip(-min / scale, 0, 255))``). The integer product of each text then equals the one
it gets alone, exactly: ``MatMulInteger`` takes one zero point per tensor, so the product
runs with none and the text's zero point times the weights' column sums is subtracted in
int32 (``(q - zp) W = q W - zp colsum(W)``). A batch of one gives the shipped model's output
bit for bit; a padded batch differs from it by float rounding only (1e-7; the learned
scores, rounded to 4 decimals, are the same: tests/unit/scoring/test_learned.py).

The file on disk stays as shipped (its sha256 is checked); the rewrite runs in memory when
the encoder loads (about 0.2 s, once per process). It reads and writes the model with
protobuf (installed with onnxruntime) through the few messages of ONNX's schema it needs
(:func:`_messages`; fields it does not declare are kept as they are), not the ``onnx``
package, whose import alone takes a second or two.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

#: The names this rewrite adds to the graph start with this.
_PREFIX: Final = "brandpulse_per_text/"
#: uint8's range: ONNX's DynamicQuantizeLinear quantizes to [0, 255].
_QMAX: Final = 255.0
#: ONNX's TensorProto.DataType and AttributeProto.AttributeType codes (onnx/onnx.proto).
_FLOAT, _UINT8, _INT8, _INT32, _INT64 = 1, 2, 3, 6, 7
_ATTR_INT, _ATTR_INTS = 2, 7
_NUMPY: Final = {_FLOAT: np.float32, _UINT8: np.uint8, _INT8: np.int8, _INT32: np.int32,
                 _INT64: np.int64}  # fmt: skip


@functools.cache
def _messages() -> dict[str, Any]:
    """Message classes for the part of ONNX's schema (onnx/onnx.proto, proto2) the rewrite
    reads or writes, by field number; everything else in a model passes through as
    unknown fields."""
    from google.protobuf import (  # type: ignore[import-untyped]  # no type hints shipped
        descriptor_pb2,
        descriptor_pool,
        message_factory,
    )

    f = descriptor_pb2.FieldDescriptorProto
    one, many = f.LABEL_OPTIONAL, f.LABEL_REPEATED
    schema: dict[str, list[tuple[str, int, int, int, str]]] = {
        "TensorProto": [
            ("dims", 1, many, f.TYPE_INT64, ""), ("data_type", 2, one, f.TYPE_INT32, ""),
            ("int32_data", 5, many, f.TYPE_INT32, ""), ("name", 8, one, f.TYPE_STRING, ""),
            ("raw_data", 9, one, f.TYPE_BYTES, ""),
        ],
        "AttributeProto": [
            ("name", 1, one, f.TYPE_STRING, ""), ("i", 3, one, f.TYPE_INT64, ""),
            ("ints", 8, many, f.TYPE_INT64, ""), ("type", 20, one, f.TYPE_INT32, ""),
        ],
        "NodeProto": [
            ("input", 1, many, f.TYPE_STRING, ""), ("output", 2, many, f.TYPE_STRING, ""),
            ("name", 3, one, f.TYPE_STRING, ""), ("op_type", 4, one, f.TYPE_STRING, ""),
            ("attribute", 5, many, f.TYPE_MESSAGE, "AttributeProto"),
            ("domain", 7, one, f.TYPE_STRING, ""),
        ],
        "ValueInfoProto": [("name", 1, one, f.TYPE_STRING, "")],
        "GraphProto": [
            ("node", 1, many, f.TYPE_MESSAGE, "NodeProto"),
            ("initializer", 5, many, f.TYPE_MESSAGE, "TensorProto"),
            ("input", 11, many, f.TYPE_MESSAGE, "ValueInfoProto"),
        ],
        "OperatorSetIdProto": [
            ("domain", 1, one, f.TYPE_STRING, ""), ("version", 2, one, f.TYPE_INT64, ""),
        ],
        "ModelProto": [
            ("graph", 7, one, f.TYPE_MESSAGE, "GraphProto"),
            ("opset_import", 8, many, f.TYPE_MESSAGE, "OperatorSetIdProto"),
        ],
    }  # fmt: skip
    package = "brandpulse_onnx_subset"
    file = descriptor_pb2.FileDescriptorProto(
        name=f"{package}.proto", package=package, syntax="proto2"
    )
    for message, fields in schema.items():
        proto = file.message_type.add(name=message)
        for name, number, label, kind, type_name in fields:
            proto.field.add(
                name=name, number=number, label=label, type=kind,
                type_name=f".{package}.{type_name}" if type_name else None,
            )  # fmt: skip
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{package}.{name}"))
        for name in schema
    }


def per_text_quantization(model: bytes, mask_input: str = "attention_mask") -> bytes:
    """``model`` (a serialized ONNX model) with every ``DynamicQuantizeLinear`` computed
    per text (the first axis) over the tokens ``mask_input`` marks; a model without such
    nodes comes back as it was. ``ValueError`` (the caller names the file) when the model
    cannot be read or its quantized products are not the ``MatMulInteger`` pattern of
    ``onnxruntime.quantization.quantize_dynamic``."""
    from google.protobuf.message import DecodeError  # type: ignore[import-untyped]

    proto = _messages()["ModelProto"]()
    try:
        proto.ParseFromString(model)
    except DecodeError as exc:
        raise ValueError(f"not an ONNX model ({exc})") from None
    graph = proto.graph
    if not any(node.op_type == "DynamicQuantizeLinear" for node in graph.node):
        return model
    if mask_input not in {i.name for i in graph.input}:
        raise ValueError(f"no input {mask_input!r}")
    weights = {t.name: t for t in graph.initializer}
    opset = max((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), default=0)
    nodes, constants = _rewritten(list(graph.node), weights, mask_input, opset >= 18)
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.extend(constants)
    return bytes(proto.SerializeToString())


def _array(tensor: Any) -> npt.NDArray[Any]:
    dtype = _NUMPY.get(tensor.data_type)
    if dtype is None:
        raise ValueError(f"tensor {tensor.name!r} of an unexpected type {tensor.data_type}")
    if tensor.raw_data:
        flat = np.frombuffer(tensor.raw_data, dtype=np.dtype(dtype).newbyteorder("<"))
    else:
        flat = np.asarray(tensor.int32_data).astype(dtype)
    return flat.reshape(tuple(tensor.dims))


def _tensor(name: str, value: npt.NDArray[Any]) -> Any:
    codes = {np.dtype(v): k for k, v in _NUMPY.items()}
    return _messages()["TensorProto"](
        name=name,
        dims=value.shape,
        data_type=codes[value.dtype],
        raw_data=value.astype(value.dtype.newbyteorder("<")).tobytes(),
    )


def _node(op: str, inputs: Sequence[str], outputs: Sequence[str], **ints: int | list[int]) -> Any:
    m = _messages()
    attributes = [
        m["AttributeProto"](name=k, type=_ATTR_INTS, ints=v)
        if isinstance(v, list)
        else m["AttributeProto"](name=k, type=_ATTR_INT, i=v)
        for k, v in ints.items()
    ]
    return m["NodeProto"](input=inputs, output=outputs, op_type=op, attribute=attributes)


def _rewritten(
    old: Iterable[Any], weights: dict[str, Any], mask_input: str, axes_as_input: bool
) -> tuple[list[Any], list[Any]]:
    p = _PREFIX
    constants = [
        _tensor(p + "last_axis", np.array([2], np.int64)),
        _tensor(p + "zero", np.array(0.0, np.float32)),
        _tensor(p + "one", np.array(1.0, np.float32)),
        _tensor(p + "qmax", np.array(_QMAX, np.float32)),
        _tensor(p + "flat", np.array([-1], np.int64)),
        _tensor(p + "text_axes", np.array([1, 2], np.int64)),
    ]

    def reduce(op: str, x: str, y: str) -> Any:
        # Over each text's tokens and features (opset 18 moved the axes to an input).
        if axes_as_input:
            return _node(op, [x, p + "text_axes"], [y])
        return _node(op, [x], [y], axes=[1, 2])

    # The mask as float [batch, tokens, 1]: padding's activations times 0 count as 0, which
    # does not move min(0, min x) or max(0, max x) (clamped to 0 below for unpadded texts).
    nodes = [
        _node("Unsqueeze", [mask_input, p + "last_axis"], [p + "mask3"]),
        _node("Cast", [p + "mask3"], [p + "maskf"], to=_FLOAT),
    ]
    zero_points: dict[str, str] = {}  # the old zero point's name -> the per-text int32 one
    for node in old:
        if node.op_type == "DynamicQuantizeLinear":
            x, (quantized, scale, zero_point) = node.input[0], node.output
            q = f"{p}{len(zero_points)}/"
            zero_points[zero_point] = q + "zp_i32"
            nodes += [
                _node("Mul", [x, p + "maskf"], [q + "masked"]),
                reduce("ReduceMax", q + "masked", q + "max_x"),
                reduce("ReduceMin", q + "masked", q + "min_x"),
                # max(0, max x) and min(0, min x), as DynamicQuantizeLinear (a text with no
                # padding gets no 0 from the mask).
                _node("Max", [q + "max_x", p + "zero"], [q + "max"]),
                _node("Min", [q + "min_x", p + "zero"], [q + "min"]),
                _node("Sub", [q + "max", q + "min"], [q + "range"]),
                _node("Div", [q + "range", p + "qmax"], [q + "scale0"]),
                _node("Equal", [q + "max", q + "min"], [q + "flat"]),
                # [batch, 1, 1]: the Mul with the weights' scales downstream broadcasts.
                _node("Where", [q + "flat", p + "one", q + "scale0"], [scale]),
                _node("Div", [q + "min", scale], [q + "min_q"]),
                _node("Sub", [p + "zero", q + "min_q"], [q + "zp0"]),
                _node("Clip", [q + "zp0", p + "zero", p + "qmax"], [q + "zp1"]),
                _node("Round", [q + "zp1"], [q + "zp"]),
                _node("Cast", [q + "zp"], [q + "zp_u8"], to=_UINT8),
                _node("Cast", [q + "zp"], [q + "zp_i32"], to=_INT32),
                _node("Reshape", [scale, p + "flat"], [q + "scale_1d"]),
                _node("Reshape", [q + "zp_u8", p + "flat"], [q + "zp_1d"]),
                _node("QuantizeLinear", [x, q + "scale_1d", q + "zp_1d"], [quantized], axis=0),
            ]
            continue
        if node.op_type != "MatMulInteger" or len(node.input) < 3:
            nodes.append(node)
            continue
        if node.input[2] not in zero_points:
            raise ValueError(f"MatMulInteger {node.name!r} does not follow a quantization")
        weight = weights.get(node.input[1])
        weight_zp = weights.get(node.input[3]) if len(node.input) > 3 else None
        if weight is None or (len(node.input) > 3 and weight_zp is None):
            raise ValueError(f"MatMulInteger {node.name!r} has no constant weights")
        w = _array(weight).astype(np.int64)
        if weight_zp is not None:
            w = w - _array(weight_zp).astype(np.int64)
        if w.ndim != 2 or np.abs(w).sum(axis=0).max() * _QMAX >= 2**31:
            raise ValueError(f"MatMulInteger {node.name!r}: weights of an unexpected shape")
        out, zp = node.output[0], zero_points[node.input[2]]
        constants.append(_tensor(out + "/colsum", w.sum(axis=0).astype(np.int32)))
        inputs = list(node.input)
        if weight_zp is not None and not _array(weight_zp).any():
            inputs = inputs[:2]  # no zero points at all: onnxruntime can pre-pack the weights
        else:
            inputs[2] = ""
        nodes += [
            _node("MatMulInteger", inputs, [out + "/raw"]),
            _node("Mul", [zp, out + "/colsum"], [out + "/zp_w"]),
            _node("Sub", [out + "/raw", out + "/zp_w"], [out]),
        ]
    return nodes, constants
