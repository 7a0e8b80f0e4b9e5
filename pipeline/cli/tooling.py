"""The benchmark and the evaluation, run from a checkout: ``benchmarks/`` is not in the
wheel. This is the one module that imports it (a test checks that nothing else does).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import sys
from pathlib import Path
from types import ModuleType

from pipeline.cli.args import Subparsers
from pipeline.errors import InputError
from pipeline.settings import PROJECT_ROOT

log = logging.getLogger("brandpulse")

#: The NAB folders of the evaluation data the spike detector is scored on, when present.
NAB_SETS = ("nab_corpus_dev", "nab_realtweets_dev")


def _benchmark(name: str) -> ModuleType:
    """``benchmarks.<name>`` from the checkout this package runs from (an editable install),
    or a clear error when there is none."""
    root = PROJECT_ROOT
    if (root / "benchmarks" / "__init__.py").is_file() and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        return importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name not in {"benchmarks", f"benchmarks.{name}"}:
            raise
        raise InputError(
            "the benchmark and the evaluation run from a checkout of brandpulse "
            f"(benchmarks/ is not installed with the package; looked in {root})"
        ) from None


def cmd_bench(args: argparse.Namespace) -> int:
    if args.cluster:  # needs PostgreSQL, Redis and the S3 server: not in the default run
        result = _benchmark("cluster").run_from_args(args)
        print(result.format())
        if getattr(args, "json", None):
            Path(args.json).write_text(json.dumps(result.to_json(), indent=2), encoding="utf-8")
        return 0
    bench = _benchmark("bench")
    print(bench.run_from_args(args).format())
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    evaluation = _benchmark("evaluation")
    from pipeline.scoring.scorer import Scorer
    from pipeline.settings import Settings

    # With the learned complaint stage (a brand's opt-in): the complaint figures are printed
    # with it and with the cues alone (what every brand gets by default).
    scorer = Scorer(Settings.from_env().models, learned_stage=True)
    result = evaluation.evaluate(scorer, Path(args.data))
    sys.stdout.write(evaluation.report(result))
    if args.nab_scorer:
        spike_eval = _benchmark("spike_eval")
        for name in NAB_SETS:
            folder = Path(args.data) / name
            if not folder.is_dir():
                log.warning("no %s: the spike detector is not scored on it", folder)
                continue
            nab = spike_eval.evaluate_nab(folder, Path(args.nab_scorer))
            sys.stdout.write("\n" + nab.format() + "\n")
    return 0


def add_commands(sub: Subparsers) -> None:
    """Add this group's subcommands to the ``brandpulse`` parser."""
    p = sub.add_parser(
        "bench",
        help="the performance benchmark (see docs/benchmark.md)",
        description=(
            "Generate N demo posts (a documented share of duplicates), then time in one run: "
            "(a) vaderSentiment alone, (b) a naive peer pipeline (pandas apply + row-by-row "
            "INSERT through SQLAlchemy into DuckDB, on a subset), (c) brandpulse end to end "
            "(landing to spikes), (s) the scoring ceiling (the brands' scorers alone, one "
            "process per core, no I/O), each in a fresh process with its peak memory; check "
            "that the stored VADER scores equal the package's on every post; time analyst "
            "queries. Prints posts per second, the ratios c/a, c/b, c/s and s/a, and peak RSS."
        ),
    )
    # Outside a checkout the command has no options; running it says why.
    with contextlib.suppress(InputError):
        _benchmark("bench").add_arguments(p)
    p.add_argument(
        "--cluster",
        action="store_true",
        help="instead: the demo backfill in cluster mode with one, then two Celery workers "
        "(starts PostgreSQL, Redis and an S3 server; docs/deployment.md)",
    )
    p.add_argument(
        "--cluster-days",
        type=int,
        default=4,
        metavar="N",
        help="demo days the --cluster backfill covers (default 4)",
    )
    p.set_defaults(func=cmd_bench)
    p = sub.add_parser(
        "eval",
        help="measure the scorer on public evaluation data (VADER tweets, SemEval, complaints)",
        description=(
            "Score public evaluation data and print Pearson r on the VADER tweets ground "
            "truth, macro-F1 on SemEval-2017 task 4A and complaint precision/recall/F1 and "
            "macro-F1 on the complaints corpus (with the learned complaint stage when it is "
            "on, and the cues alone next to it). --data is a folder with vader_groundtruth/, "
            "semeval2017_sentiment/ and complaints_dev/ (see benchmarks/evaluation.py). It "
            "also scores the project's own labelled set (models/complaints/posts.csv) and its "
            "Spanish posts with the Spanish scorer and the English one, on a dev half (tuned "
            "on) and a test half: complaint precision/recall/F1, macro-F1, sentiment "
            "agreement and category accuracy (benchmarks/spanish_eval.py); on the whole set, "
            "each post by its language's scorer, category accuracy on all industries, the "
            "tuning and the held-out ones, and the share filed as 'other'. Last, a block "
            "'held-out set (never fitted or tuned on)': the held-out labelled set "
            "(models/complaints/heldout.csv), per language, complaint precision/recall/F1 and "
            "macro-F1 for the cues alone and with the learned stage, category accuracy and the "
            "share filed as 'other' (benchmarks/heldout_eval.py)."
        ),
    )
    p.add_argument("--data", required=True, help="folder of the evaluation data sets")
    p.add_argument(
        "--nab-scorer",
        help="also score the spike detector on <data>/nab_corpus_dev (pooled and per "
        "category) and <data>/nab_realtweets_dev with this copy of NAB's scorer "
        "(nab_score.py), in the standard and reward-low-FP profiles",
    )
    p.set_defaults(func=cmd_eval)
