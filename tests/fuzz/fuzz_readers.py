#!/usr/bin/python3
"""Mutation fuzzing of the Python readers (analysis/report.py, analysis/validate.py and the
drift_results module they share).

A result file with a virtual trial, a sweep file and a calibration file are made once with the
drift program from tests/fuzz/fixtures; each iteration copies one, applies a few random edits
with h5py (remove a dataset, attribute or group; give a dataset another shape or type; write
NaN, a negative or a huge value into it; set an attribute to another type; truncate the file)
and runs the report or validation report on it in this process. The readers must either write
their report (exit 0) or stop with exit 1 or 2 and exactly one line on stderr that starts with
the program's name and names the file; anything else (a traceback, several lines, a silent
partial report) is a finding: the damaged file is kept under --findings and the run fails.

    fuzz_readers.py --drift build/release/drift --iterations 20 --replay tests/fuzz/regressions/readers/*
                                                                      (make test: a fixed seed)
    fuzz_readers.py --drift build/release/drift --seconds 3600 --seed 7   (an hour)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "analysis"))

import report  # noqa: E402
import validate  # noqa: E402

KNOWN_ATTRIBUTES = ["format", "format_version", "baseline", "scenario_yaml", "order",
                    "replicates", "weeks", "acceptance", "tolerance", "strategy", "intervention",
                    "units", "unit"]


def make_fixtures(drift: str, folder: Path) -> dict[str, Path]:
    for f in (HERE / "fixtures").iterdir():
        shutil.copy(f, folder / f.name)
    env = dict(os.environ, OMP_WAIT_POLICY="passive")
    for args in (["run", "fixture.yaml", "--out", "result.h5"],
                 ["run", "sweep.yaml", "--out", "sweep.h5"],
                 ["calibrate", "calibration.yaml", "--out", "cal.h5"]):
        subprocess.run([drift, *args, "-q", "-t", "1"], cwd=folder, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    return {"result": folder / "result.h5", "sweep": folder / "sweep.h5",
            "calibration": folder / "cal.h5"}


def objects(f: h5py.File) -> tuple[list[str], list[str]]:
    datasets, groups = [], []

    def visit(name, obj):
        (datasets if isinstance(obj, h5py.Dataset) else groups).append(name)

    f.visititems(visit)
    return datasets, groups


def special(rng: random.Random) -> float:
    return rng.choice([float("nan"), -1.0, float("inf"), 1e300, 0.0, 4294967296.0, -float("inf")])


def mutate(path: Path, rng: random.Random) -> tuple[list[str], float | None]:
    """Applies 1-4 edits; returns their account and the truncation fraction (or None)."""
    edits: list[str] = []
    truncate = None
    with h5py.File(path, "r+") as f:
        for _ in range(rng.randint(1, 4)):
            datasets, groups = objects(f)
            op = rng.randrange(8)
            if op == 0 and datasets:
                d = rng.choice(datasets)
                del f[d]
                edits.append(f"remove /{d}")
            elif op == 1:
                obj = f[rng.choice(datasets + groups)] if (datasets or groups) else f
                names = list(obj.attrs.keys())
                if names:
                    n = rng.choice(names)
                    del obj.attrs[n]
                    edits.append(f"remove {obj.name}@{n}")
            elif op in (2, 5) and datasets:
                d = rng.choice(datasets)
                del f[d]
                shape = tuple(rng.randrange(6) for _ in range(rng.randint(1, 3)))
                if op == 2:
                    f[d] = np.full(shape, float(rng.randrange(256)))
                else:
                    f.create_dataset(d, data=np.full(shape, "x", dtype=object),
                                     dtype=h5py.string_dtype())
                edits.append(f"{'reshape' if op == 2 else 'strings'} /{d} {shape}")
            elif op == 3 and datasets:
                d = f[rng.choice(datasets)]
                if d.dtype.kind in "fiu" and d.size > 0:
                    values = d[()].astype(float)
                    k = rng.randrange(values.size)
                    values.flat[k] = special(rng)
                    name = d.name
                    del f[name]
                    f[name] = values
                    edits.append(f"poke {name}[{k}]={values.flat[k]}")
            elif op == 4:
                obj = f[rng.choice(datasets + groups)] if rng.random() < 0.7 and datasets else f
                name = rng.choice(list(obj.attrs.keys()) + KNOWN_ATTRIBUTES)
                value = rng.choice([rng.randrange(-3, 5), special(rng), "x" * rng.randrange(4),
                                    np.array(["a", "b"], dtype=object)])
                if isinstance(value, np.ndarray):
                    obj.attrs.create(name, value, dtype=h5py.string_dtype())
                else:
                    obj.attrs[name] = value
                edits.append(f"attr {obj.name}@{name}={value!r}")
            elif op == 6 and groups:
                g = rng.choice(groups)
                if g in f:
                    del f[g]
                    edits.append(f"remove group /{g}")
            elif op == 7:
                truncate = rng.random()
    if truncate is not None:
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.truncate(int(size * truncate))
        edits.append(f"truncate to {truncate:.3f}")
    return edits, truncate


def run_reader(kind: str, path: Path, out: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        if kind == "calibration":
            code = validate.main(["validate.py", str(path), "-o", str(out)])
        else:
            code = report.main(["report.py", str(path), "-o", str(out)])
    return code, err.getvalue()


def check_one(kind: str, path: Path, out: Path) -> str | None:
    """None when the reader behaved; otherwise what went wrong."""
    program = "validate.py" if kind == "calibration" else "report.py"
    if out.exists():
        out.unlink()
    try:
        code, err = run_reader(kind, path, out)
    except SystemExit as e:
        return f"exited through SystemExit({e.code})"
    except Exception as e:  # noqa: BLE001 - any escape is the finding
        return f"raised {type(e).__name__}: {e}"
    lines = [line for line in err.splitlines() if line.strip()]
    if code == 0:
        if not out.exists():
            return "exit 0 but no report written"
        return None
    if out.exists():
        return f"exit {code} but a report was written"
    if code not in (1, 2):
        return f"exit {code}"
    if len(lines) != 1:
        return f"{len(lines)} lines on stderr: {err!r}"
    if not lines[0].startswith(f"{program}: error:") or path.name not in lines[0]:
        return f"the error does not name the program and the file: {lines[0]!r}"
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--drift", required=True, help="the drift program")
    p.add_argument("--iterations", type=int, default=60)
    p.add_argument("--seconds", type=float, default=0,
                   help="run for this long instead of --iterations")
    p.add_argument("--seed", type=int, default=20210916)
    p.add_argument("--findings", default="fuzz-findings/readers",
                   help="folder for the damaged files that found something")
    p.add_argument("--replay", nargs="*", default=[], metavar="FILE",
                   help="also check these damaged files (regression inputs of earlier findings; "
                        "the name starts with calibration- for a calibration file)")
    a = p.parse_args(argv)
    rng = random.Random(a.seed)
    findings = 0
    with tempfile.TemporaryDirectory(prefix="drift_fuzz_replay_") as tmp:
        for name in a.replay:
            kind = "calibration" if Path(name).name.startswith("calibration-") else "result"
            copy = Path(tmp) / Path(name).name
            shutil.copy(name, copy)
            problem = check_one(kind, copy, Path(tmp) / "out.html")
            if problem:
                findings += 1
                print(f"finding {findings}: regression input {name}: {problem}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="drift_fuzz_readers_") as tmp:
        folder = Path(tmp)
        bases = make_fixtures(a.drift, folder)
        start = time.monotonic()
        k = 0
        while (time.monotonic() - start < a.seconds) if a.seconds else k < a.iterations:
            kind = rng.choice(list(bases))
            path = folder / f"mutated_{kind}.h5"
            shutil.copy(bases[kind], path)
            edits, _ = mutate(path, rng)
            problem = check_one(kind, path, folder / "out.html")
            if problem:
                findings += 1
                Path(a.findings).mkdir(parents=True, exist_ok=True)
                kept = Path(a.findings) / f"{kind}-{a.seed}-{k}.h5"
                shutil.copy(path, kept)
                print(f"finding {findings}: {kind} ({'; '.join(edits)}): {problem}; kept {kept}",
                      file=sys.stderr)
            k += 1
    print(f"fuzz_readers.py: {k} mutated files, {findings} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
