"""The sentence encoder of the learned complaint stage: onnxruntime + tokenizers, no torch.

Reads a model folder (``models/encoder/``: ``model.onnx``, all-MiniLM-L6-v2 quantized to
int8, and ``tokenizer.json``; see its README.md) and turns short texts into 384-d float32
embeddings, L2-normalised (mean pooling and normalisation are in the graph).

Texts run in batches of up to :data:`BATCH_TEXTS`, sorted by token length so that a batch
pads little. The shipped int8 model quantizes its activations per call, which would make a
text's vector depend on the rest of its batch; the encoder runs it with that quantization
done per text over the text's own tokens (:mod:`pipeline.scoring.encoder_graph`, rewritten
in memory at load), so a post's vector, and so its verdict, is what it gets alone, up to
float rounding (1e-7; ``tests`` check batched == one-by-one).

Every problem with the model folder is a :class:`~pipeline.errors.ConfigError` that names
the file and says what to do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from pipeline.errors import ConfigError
from pipeline.scoring.encoder_graph import per_text_quantization

MODEL_FILE: Final = "model.onnx"
TOKENIZER_FILE: Final = "tokenizer.json"
_INPUTS: Final = ("input_ids", "attention_mask")
_OUTPUT: Final = "sentence_embedding"
#: Tokens a text is cut to, [CLS] and [SEP] included: the length the model was measured
#: with (models/encoder/README.md); posts average 24 tokens, 3 in 200 reach 128.
MAX_TOKENS: Final = 128
#: Texts per call. Measured on the bench corpus's band texts (one thread, 2-core AMD EPYC,
#: CPU per text): 1 -> 3,900 us (the model as shipped), 8 -> 3,000, 16 -> 2,900,
#: 32 -> 3,300 (a call's tensors outgrow the cache).
BATCH_TEXTS: Final = 16
_HINT: Final = (
    "restore models/encoder/ from the repository (git checkout -- models/encoder) and compare "
    "its sha256 with models/encoder/README.md"
)


def _model_error(path: Path, problem: str) -> ConfigError:
    # One line: onnxruntime's and tokenizers' messages can span several.
    return ConfigError(f"{path}: {' '.join(problem.split())}; {_HINT}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class SentenceEncoder:
    """Embeds texts with the ONNX model of ``model_dir``.

    ``sha256``: the expected digests of the folder's files (file name -> hex); a file that
    differs is refused as corrupt before onnxruntime reads it. ``threads``: onnxruntime's
    threads inside one call; 1, because the load scores in one process per core already.
    """

    def __init__(
        self, model_dir: Path, *, sha256: Mapping[str, str] | None = None, threads: int = 1
    ) -> None:
        import onnxruntime as ort  # type: ignore[import-untyped]  # ships no type hints
        from tokenizers import Tokenizer

        for name, expected in (sha256 or {}).items():
            path = model_dir / name
            if not path.is_file():
                raise _model_error(path, "file of the learned complaint stage is missing")
            if sha256_of(path) != expected:
                raise _model_error(path, "file is corrupt (its sha256 is not the expected one)")
        tok_path, model_path = model_dir / TOKENIZER_FILE, model_dir / MODEL_FILE
        if not tok_path.is_file():
            raise _model_error(tok_path, "tokenizer file of the learned complaint stage is missing")
        try:
            tokenizer = Tokenizer.from_file(str(tok_path))
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            raise _model_error(tok_path, f"tokenizer file is corrupt ({exc})") from None
        tokenizer.no_padding()  # the file pads to 128; encode() pads each batch itself
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer = tokenizer
        if not model_path.is_file():
            raise _model_error(model_path, "model file of the learned complaint stage is missing")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.use_deterministic_compute = True
        options.log_severity_level = 3  # errors only
        try:
            graph = per_text_quantization(model_path.read_bytes())
            self._session: Any = ort.InferenceSession(
                graph, sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # ValueError from the rewrite, or onnxruntime's own
            raise _model_error(model_path, f"ONNX model file is corrupt ({exc})") from None
        inputs = {i.name for i in self._session.get_inputs()}
        outputs = {o.name: o.shape for o in self._session.get_outputs()}
        shape = outputs.get(_OUTPUT)
        if not set(_INPUTS) <= inputs or not shape or not isinstance(shape[-1], int):
            raise _model_error(
                model_path,
                f"not a sentence encoder (inputs {sorted(inputs)}, outputs {sorted(outputs)})",
            )
        #: The embedding's size.
        self.dim: int = shape[-1]

    def encode(self, texts: Sequence[str], batch: int = BATCH_TEXTS) -> npt.NDArray[np.float32]:
        """``(len(texts), dim)`` float32, rows L2-normalised; each row is the text's vector
        alone (up to float rounding), whatever else is in ``texts``."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encode = self._tokenizer.encode
        # Not encode_batch: its thread pool would compete with the load's worker processes
        # (and warn in processes forked after it ran) for what costs a few µs a text.
        ids = [encode(text).ids for text in texts]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            width = len(ids[rows[-1]])  # the longest: rows are sorted by length
            tokens = np.zeros((len(rows), width), dtype=np.int64)  # [PAD] is 0
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                tokens[r, : len(ids[i])] = ids[i]
                mask[r, : len(ids[i])] = 1
            (vectors,) = self._session.run([_OUTPUT], {"input_ids": tokens, "attention_mask": mask})
            out[rows] = vectors
        return out
