#!/usr/bin/python3
"""Checks the include rules between Drift's parts (docs/architecture.md).

The parts, bottom to top: model < step < interventions < scenario < results < experiments < cli
(sim/bench may use all of them). For every source under sim/<part>/ in a CMake
compile_commands.json, the script runs the source's own compile command with `-M -H` and checks
every header the source depends on, directly or through other headers:

  Rule A  sources of model and step reach no yaml-cpp, HDF5, CLI11 or MPI header.
  Rule B  yaml-cpp is reached only from scenario; HDF5 only from results, experiments, cli and
          bench; CLI11 and MPI only from cli and bench.
  Rule C  a public header include/drift/<p>/ is reached only from part p or a part above it; a
          private header sim/<p>/ only from part p. Public headers are also read as text: each
          `#include "drift/<q>/..."` of include/drift/<p>/ needs q at or below p, and a public
          header includes no yaml-cpp header (nor any other library its part may not use).

Generated headers in the build directory (drift/build_info.hpp) are allowed everywhere.

Output: one line `VIOLATION: <file>: <rule>: <header>` per violation (the header where the
forbidden chain starts; when it is reached through other headers an indented `via` line follows),
then `N passed, M failed` over the files checked (sources and public headers).
Exit status: 0 no violation, 1 violations, 2 bad arguments or a compile command that failed.

    /usr/bin/python3 tests/architecture/check_layering.py --source-dir . \\
        --compile-commands build/release/compile_commands.json
    /usr/bin/python3 tests/architecture/check_layering.py --self-test
"""

import argparse
import concurrent.futures
import fnmatch
import functools
import json
import os
import re
import shlex
import subprocess
import sys

PARTS = ["model", "step", "interventions", "scenario", "results", "experiments", "cli"]
ORDER = {part: rank for rank, part in enumerate(PARTS)}
ORDER["bench"] = len(PARTS)  # benchmarks may use every part
SOURCE_PARTS = PARTS + ["bench"]

# Which parts may reach each third-party library.
LIBRARY_ALLOWED = {
    "yaml-cpp": {"scenario"},
    "HDF5": {"results", "experiments", "cli", "bench"},
    "CLI11": {"cli", "bench"},
    "MPI": {"cli", "bench"},
}
RULE_A_PARTS = {"model", "step"}

SOURCE_SUFFIXES = (".cpp", ".cc", ".cxx", ".c++", ".c")
HEADER_SUFFIXES = (".hpp", ".h", ".hh", ".hxx", ".def", ".inl", ".ipp", ".tpp")
WORKERS = 2
COMPILE_TIMEOUT_SECONDS = 300
DEPS_TARGET = "drift-layering-check"


# ----------------------------------------------------------------------------------------------
# Classification (pure functions on paths; checked by --self-test)


def _norm(path):
    return os.path.normpath(path)


@functools.lru_cache(maxsize=None)
def _real(path):
    return os.path.realpath(path)


def relative_to(path, root):
    """`path` relative to `root` ('a/b.hpp'), or None when it is not inside root."""
    path, root = _norm(path), _norm(root)
    if path == root:
        return None
    prefix = root.rstrip(os.sep) + os.sep
    if not path.startswith(prefix):
        return None
    return path[len(prefix):]


def source_part(source, source_dir):
    """For a source under DIR/sim: (True, part or None); (False, None) outside DIR/sim."""
    rel = relative_to(source, os.path.join(source_dir, "sim"))
    if rel is None:
        return False, None
    first, sep, _ = rel.partition(os.sep)
    if not sep or first not in SOURCE_PARTS:
        return True, None
    return True, first


def project_header(path, source_dir):
    """How a header belongs to the project: ('public', part) for include/drift/<part>/...,
    ('private', part) for sim/<part>/..., ('outside', None) for a header in include/drift or sim
    that belongs to no part, or None for anything else (libraries, generated headers)."""
    for kind, root in (("public", os.path.join(source_dir, "include", "drift")),
                       ("private", os.path.join(source_dir, "sim"))):
        rel = relative_to(path, root)
        if rel is None:
            continue
        first, sep, _ = rel.partition(os.sep)
        known = SOURCE_PARTS if kind == "private" else PARTS
        if sep and first in known:
            return kind, first
        return "outside", None
    if relative_to(path, os.path.join(source_dir, "include")) is not None:
        return "outside", None
    return None


def third_party_library(path, source_dir=None):
    """'yaml-cpp', 'HDF5', 'CLI11', 'MPI' or None. Inside the source tree only the part of the
    path below it is matched, so the name of the checkout's own folder cannot match."""
    if source_dir is not None:
        rel = relative_to(path, source_dir)
        if rel is not None:
            path = rel
    path = "/" + path.replace(os.sep, "/").lstrip("/")
    base = path.rsplit("/", 1)[-1]
    if "/yaml-cpp/" in path:
        return "yaml-cpp"
    if (fnmatch.fnmatchcase(base, "H5*.h") or fnmatch.fnmatchcase(base, "hdf5*.h")
            or "/hdf5/" in path):
        return "HDF5"
    if "/CLI/" in path:
        return "CLI11"
    if base in ("mpi.h", "mpicxx.h") or "/openmpi/" in path or "/mpich/" in path:
        return "MPI"
    return None


def library_violation(part, library):
    """(key, rule) when a file of `part` may not reach `library`, else None."""
    if library is None:
        return None
    if part in RULE_A_PARTS:
        return ("A", library), "A, %s is not allowed in %s" % (library, part)
    if part not in LIBRARY_ALLOWED[library]:
        allowed = ", ".join(sorted(LIBRARY_ALLOWED[library], key=ORDER.get))
        return ("B", library), "B, %s is allowed only in %s, not in %s" % (library, allowed, part)
    return None


def part_violation(part, kind, header_part):
    """(key, rule) when a file of `part` may not depend on a project header of that kind."""
    if kind == "outside":
        return ("C", "outside"), "C, header belongs to no part"
    if kind == "public" and ORDER[header_part] > ORDER[part]:
        return ("C", "public", header_part), "C, %s may not use the higher part %s" % (
            part, header_part)
    if kind == "private" and header_part != part:
        return ("C", "private", header_part), "C, private header of %s used by %s" % (
            header_part, part)
    return None


def dependency_violations(part, header, source_dir):
    """The violations of a source of `part` depending on `header` (absolute path): a list of
    (key, rule). Rule A and B are about libraries, rule C about the project's own headers."""
    found = []
    real = _real(header)
    project = project_header(header, source_dir) or project_header(real, source_dir)
    if project is not None:
        violation = part_violation(part, *project)
    else:
        if relative_to(real, source_dir) is not None:
            library = third_party_library(real, source_dir)
        else:
            library = third_party_library(header, source_dir) or third_party_library(real)
        violation = library_violation(part, library)
    if violation:
        found.append(violation)
    return found


INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def public_include_violations(part, header, target, quoted, source_dir):
    """Violations of an `#include` of `target` written in public header `header` of `part`.
    Returns (shown path, [(key, rule)])."""
    resolved = None
    if quoted:
        candidate = _norm(os.path.join(os.path.dirname(header), target))
        if os.path.isfile(candidate):
            resolved = candidate
    if resolved is None and target.startswith("drift/"):
        candidate = _norm(os.path.join(source_dir, "include", target))
        inside = target[len("drift/"):]
        if os.sep in inside or "/" in inside or os.path.isfile(candidate):
            resolved = candidate
        else:
            return target, []  # drift/<file> not in the tree: generated (drift/build_info.hpp)
    if resolved is not None:
        project = project_header(resolved, source_dir)
        if project is not None:
            violation = part_violation(part, *project)
            shown = relative_to(resolved, source_dir) or resolved
            return shown, [violation] if violation else []
    library = third_party_library("/" + target)
    if library == "yaml-cpp":
        return target, [(("B", library), "B, yaml-cpp is never included by a public header")]
    violation = library_violation(part, library)
    return target, [violation] if violation else []


# ----------------------------------------------------------------------------------------------
# Compiler dependency output


def split_launcher(argv):
    """Drops a compiler launcher (`cmake -E env VAR=... ccache`) in front of the compiler."""
    argv = list(argv)
    if len(argv) > 3 and os.path.basename(argv[0]).startswith("cmake") and argv[1:3] == ["-E", "env"]:
        argv = argv[3:]
        while argv and (("=" in argv[0] and not argv[0].startswith("-"))
                        or argv[0].startswith("--unset") or argv[0] == "--"):
            argv = argv[1:]
    while argv and os.path.basename(argv[0]) in ("ccache", "sccache", "distcc"):
        argv = argv[1:]
    return argv


def dependency_command(argv):
    """The compile command without its output options, asking for the dependency list (-M) and
    the include tree (-H)."""
    argv = split_launcher(argv)
    out = []
    skip_next = False
    for arg in argv:
        if skip_next:
            skip_next = False
            continue
        if arg in ("-o", "-MF", "-MT", "-MQ", "--output"):
            skip_next = True
            continue
        if arg in ("-c", "-M", "-MM", "-MD", "-MMD", "-MP", "-MG", "-H", "-save-temps"):
            continue
        if arg.startswith(("-o", "-MF", "-MT", "-MQ", "--output=", "-Wp,-M", "-save-temps=")):
            continue
        out.append(arg)
    return out + ["-M", "-MT", DEPS_TARGET, "-H"]


def parse_make_deps(text):
    """The prerequisites of the rule written by -M, in order."""
    text = text.replace("\\\r\n", " ").replace("\\\n", " ")
    head, sep, rest = text.partition(":")
    if not sep:
        return []
    deps, token, i = [], [], 0
    while i < len(rest):
        c = rest[i]
        if c == "\\" and i + 1 < len(rest) and rest[i + 1] in " #\\":
            token.append(rest[i + 1])
            i += 2
            continue
        if c == "$" and i + 1 < len(rest) and rest[i + 1] == "$":
            token.append("$")
            i += 2
            continue
        if c.isspace():
            if token:
                deps.append("".join(token))
                token = []
        else:
            token.append(c)
        i += 1
    if token:
        deps.append("".join(token))
    return deps


TREE_RE = re.compile(r"^(\.+)(?: [!x])? (\S.*)$")


def parse_include_tree(stderr):
    """(depth, path) for each line of -H output; other stderr lines are ignored."""
    tree = []
    for line in stderr.splitlines():
        match = TREE_RE.match(line)
        if match:
            tree.append((len(match.group(1)), match.group(2)))
    return tree


def compiler_messages(stderr):
    """stderr without the -H include tree, for error reports."""
    lines, in_guard_list = [], False
    for line in stderr.splitlines():
        if TREE_RE.match(line):
            continue
        if line.startswith("Multiple include guards may be useful for:"):
            in_guard_list = True
            continue
        if in_guard_list and os.path.isabs(line.strip()):
            continue
        in_guard_list = False
        lines.append(line)
    return "\n".join(lines)


def first_chains(source, tree, directory):
    """Maps each header to the chain of files through which it was first included."""
    chains, stack = {}, [source]
    for depth, path in tree:
        path = _norm(os.path.join(directory, path))
        del stack[depth:]
        if len(stack) < depth:  # malformed tree: keep what we can
            stack.extend([stack[-1]] * (depth - len(stack)))
        chain = stack[:depth] + [path]
        chains.setdefault(path, chain)
        stack.append(path)
    return chains


def entry_argv(entry):
    if "arguments" in entry:
        return list(entry["arguments"])
    return shlex.split(entry["command"])


def run_dependencies(entry, source):
    """Runs the entry's compile command with -M -H. Returns (deps, chains, error)."""
    directory = entry.get("directory", ".")
    argv = dependency_command(entry_argv(entry))
    try:
        done = subprocess.run(argv, cwd=directory, capture_output=True, text=True,
                              timeout=COMPILE_TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, None, "%s\n%s" % (shlex.join(argv), error)
    if done.returncode != 0:
        return None, None, "%s\n(exit %d)\n%s" % (shlex.join(argv), done.returncode,
                                                 compiler_messages(done.stderr))
    deps = [_norm(os.path.join(directory, d)) for d in parse_make_deps(done.stdout)]
    deps = [d for d in deps if d != source]
    chains = first_chains(source, parse_include_tree(done.stderr), directory)
    return deps, chains, None


# ----------------------------------------------------------------------------------------------
# Checking


def shown(path, source_dir):
    rel = relative_to(path, source_dir)
    return rel if rel is not None else path


def source_violations(part, source, deps, chains, source_dir):
    """[(rule, header, chain)] for one source: for each header that breaks a rule, reported
    where the forbidden chain starts (its includer does not break the same rule)."""
    def violations(path):
        return dependency_violations(part, path, source_dir)

    found, reported_keys, unplaced = [], set(), []
    for header in deps:
        for key, rule in violations(header):
            chain = chains.get(header)
            if chain is None:
                unplaced.append((key, rule, header))
                continue
            parent = chain[-2] if len(chain) >= 2 else source
            if parent != source and key in {k for k, _ in violations(parent)}:
                continue
            found.append((rule, header, chain))
            reported_keys.add(key)
    for key, rule, header in unplaced:  # not in the include tree: report once per rule
        if key not in reported_keys:
            found.append((rule, header, [source, header]))
            reported_keys.add(key)
    return found


def public_headers(source_dir):
    root = os.path.join(source_dir, "include", "drift")
    headers = []
    for part in PARTS:
        for folder, _, files in os.walk(os.path.join(root, part)):
            headers += [os.path.join(folder, f) for f in files if f.endswith(HEADER_SUFFIXES)]
    if os.path.isdir(root):  # headers of no part
        headers += [os.path.join(root, f) for f in os.listdir(root)
                    if f.endswith(HEADER_SUFFIXES) and os.path.isfile(os.path.join(root, f))]
        for name in os.listdir(root):
            if name not in PARTS and os.path.isdir(os.path.join(root, name)):
                for folder, _, files in os.walk(os.path.join(root, name)):
                    headers += [os.path.join(folder, f) for f in files if f.endswith(HEADER_SUFFIXES)]
    return sorted(_norm(h) for h in headers)


def check_public_header(header, source_dir):
    kind_part = project_header(header, source_dir)
    if kind_part is None or kind_part[0] != "public":
        return [("C, header belongs to no part", shown(header, source_dir))]
    part = kind_part[1]
    found = []
    try:
        with open(header, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    except OSError as error:
        return [("C, cannot read header (%s)" % error.strerror, shown(header, source_dir))]
    for line in lines:
        match = INCLUDE_RE.match(line)
        if not match:
            continue
        target_shown, violations = public_include_violations(
            part, header, match.group(2), match.group(1) == '"', source_dir)
        found += [(rule, target_shown) for _, rule in violations]
    return found


def unchecked_sources(source_dir, listed):
    """Sources under sim/<part>/ that have no compile command (not configured yet)."""
    missing = []
    for part in SOURCE_PARTS:
        for folder, _, files in os.walk(os.path.join(source_dir, "sim", part)):
            for name in files:
                path = _norm(os.path.join(folder, name))
                if name.endswith(SOURCE_SUFFIXES) and path not in listed:
                    missing.append(path)
    return sorted(missing)


def run_check(source_dir, compile_commands):
    source_dir = os.path.realpath(source_dir)
    try:
        with open(compile_commands, encoding="utf-8") as f:
            entries = json.load(f)
        if not isinstance(entries, list):
            raise ValueError("not a list of compile commands")
    except (OSError, ValueError) as error:
        print("error: cannot read %s: %s" % (compile_commands, error), file=sys.stderr)
        return 2

    jobs, parts, outside = [], {}, []
    for entry in entries:
        try:
            directory = entry.get("directory", ".")
            source = os.path.realpath(os.path.join(directory, entry["file"]))
            entry_argv(entry)
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            print("error: malformed compile command %r: %s" % (entry, error), file=sys.stderr)
            return 2
        under_sim, part = source_part(source, source_dir)
        if not under_sim:
            continue  # tests and anything else outside sim/
        if part is None:
            if source not in outside:
                outside.append(source)
            continue
        parts[source] = part
        jobs.append((entry, source))

    results = {source: [] for source in parts}
    errors = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {pool.submit(run_dependencies, entry, source): source for entry, source in jobs}
        for future in concurrent.futures.as_completed(futures):
            source = futures[future]
            deps, chains, error = future.result()
            if error is not None:
                errors.append((source, error))
                continue
            results[source].append((deps, chains))

    failed_sources = {source for source, _ in errors}
    passed = failed = 0
    for source in outside:
        print("VIOLATION: %s: C, source belongs to no part: %s"
              % (shown(source, source_dir), shown(source, source_dir)))
        failed += 1

    for source in sorted(results):
        if source in failed_sources:
            continue
        seen, lines = set(), []
        for deps, chains in results[source]:
            for rule, header, chain in source_violations(parts[source], source, deps, chains,
                                                         source_dir):
                if (rule, header) in seen:
                    continue
                seen.add((rule, header))
                lines.append("VIOLATION: %s: %s: %s" % (shown(source, source_dir), rule,
                                                         shown(header, source_dir)))
                if len(chain) > 2:
                    lines.append("    via " + " -> ".join(shown(p, source_dir) for p in chain))
        for line in lines:
            print(line)
        if lines:
            failed += 1
        else:
            passed += 1

    for header in public_headers(source_dir):
        seen, found = set(), []
        for rule, target in check_public_header(header, source_dir):
            if (rule, target) not in seen:
                seen.add((rule, target))
                found.append((rule, target))
        for rule, target in found:
            print("VIOLATION: %s: %s: %s" % (shown(header, source_dir), rule, target))
        if found:
            failed += 1
        else:
            passed += 1

    listed = set(parts) | set(outside)
    for path in unchecked_sources(source_dir, listed):
        print("warning: %s has no compile command (re-run CMake); not checked"
              % shown(path, source_dir), file=sys.stderr)

    for source, error in sorted(errors):
        print("error: the compile command of %s failed:\n%s" % (shown(source, source_dir), error),
              file=sys.stderr)
    if errors:
        print("error: %d source(s) could not be checked" % len(failed_sources), file=sys.stderr)
    print("%d passed, %d failed" % (passed, failed))
    sys.stdout.flush()
    if errors:
        return 2
    return 1 if failed else 0


# ----------------------------------------------------------------------------------------------
# Self-test


def self_test():
    d = "/src/drift"
    failures = []

    def expect(description, got, want):
        if got != want:
            failures.append("%s: got %r, expected %r" % (description, got, want))

    def violates(part, header):
        return bool(dependency_violations(part, header, d))

    def rules(part, header):
        return [rule.split(",")[0] for _, rule in dependency_violations(part, header, d)]

    cases = [
        # (source part, header, violation expected, rule)
        ("model", "/usr/include/yaml-cpp/yaml.h", True, "A"),
        ("step", "/usr/include/hdf5/serial/H5Cpp.h", True, "A"),
        ("step", "/usr/include/CLI/CLI.hpp", True, "A"),
        ("model", "/usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h", True, "A"),
        ("model", "/usr/include/x86_64-linux-gnu/mpich/mpi.h", True, "A"),
        ("model", "/usr/include/mpicxx.h", True, "A"),
        ("model", "/usr/include/hdf5.h", True, "A"),
        ("model", "/usr/include/Random123/philox.h", False, None),
        ("model", "/usr/include/boost/random/poisson_distribution.hpp", False, None),
        ("step", "/usr/lib/gcc/x86_64-linux-gnu/12/include/omp.h", False, None),
        ("step", "/usr/include/c++/12/vector", False, None),
        ("scenario", "/usr/include/hdf5/serial/H5Cpp.h", True, "B"),
        ("scenario", "/usr/include/yaml-cpp/yaml.h", False, None),
        ("interventions", "/usr/include/yaml-cpp/node/node.h", True, "B"),
        ("results", "/usr/include/yaml-cpp/yaml.h", True, "B"),
        ("experiments", "/usr/include/yaml-cpp/yaml.h", True, "B"),
        ("results", "/usr/include/hdf5/serial/H5Cpp.h", False, None),
        ("experiments", "/usr/include/hdf5/serial/H5public.h", False, None),
        ("cli", "/usr/include/hdf5/serial/H5Cpp.h", False, None),
        ("experiments", "/usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h", True, "B"),
        ("experiments", "/usr/include/CLI/App.hpp", True, "B"),
        ("cli", "/usr/include/CLI/CLI.hpp", False, None),
        ("cli", "/usr/lib/x86_64-linux-gnu/openmpi/include/mpi.h", False, None),
        ("bench", "/usr/include/CLI/CLI.hpp", False, None),
        ("bench", "/usr/lib/x86_64-linux-gnu/openmpi/include/openmpi/ompi/mpi/cxx/mpicxx.h",
         False, None),
        ("experiments", d + "/include/drift/scenario/scenario.hpp", False, None),
        ("scenario", d + "/include/drift/results/x.hpp", True, "C"),
        ("step", d + "/sim/model/private.hpp", True, "C"),
        ("model", d + "/sim/model/private.hpp", False, None),
        ("scenario", d + "/sim/scenario/yaml_text.hpp", False, None),
        ("experiments", d + "/sim/scenario/yaml_text.hpp", True, "C"),
        ("bench", d + "/sim/results/h5_write.hpp", True, "C"),
        ("bench", d + "/sim/bench/project_files.hpp", False, None),
        ("step", d + "/include/drift/model/world.hpp", False, None),
        ("step", d + "/include/drift/model/parameters.def", False, None),
        ("model", d + "/include/drift/step/step.hpp", True, "C"),
        ("step", d + "/include/drift/step/step.hpp", False, None),
        ("interventions", d + "/include/drift/step/intervention.hpp", False, None),
        ("cli", d + "/include/drift/experiments/runner.hpp", False, None),
        ("bench", d + "/include/drift/experiments/runner.hpp", False, None),
        ("model", d + "/include/drift/legacy.hpp", True, "C"),
        ("model", d + "/include/drift/unknown/x.hpp", True, "C"),
        ("model", d + "/build/release/generated/drift/build_info.hpp", False, None),
        ("model", "/tmp/build/generated/drift/build_info.hpp", False, None),
        ("model", d + "/build/_deps/yaml-cpp-src/include/yaml-cpp/yaml.h", True, "A"),
    ]
    for part, header, want, rule in cases:
        expect("%s depending on %s violates" % (part, header), violates(part, header), want)
        if want:
            expect("%s depending on %s: rule" % (part, header), rules(part, header), [rule])

    # A checkout whose own folder has a library's name.
    d2 = "/home/me/hdf5/drift"
    expect("checkout named hdf5", dependency_violations(
        "model", d2 + "/build/generated/drift/build_info.hpp", d2), [])

    expect("source part of sim/step/step.cpp", source_part(d + "/sim/step/step.cpp", d),
           (True, "step"))
    expect("source part of sim/bench/x.cpp", source_part(d + "/sim/bench/x.cpp", d),
           (True, "bench"))
    expect("source part of sim/main.cpp", source_part(d + "/sim/main.cpp", d), (True, None))
    expect("source part of sim/other/x.cpp", source_part(d + "/sim/other/x.cpp", d),
           (True, None))
    expect("source part of tests/step/test_x.cpp", source_part(d + "/tests/step/test_x.cpp", d),
           (False, None))
    expect("source part of a sibling folder", source_part("/src/drift-old/sim/step/x.cpp", d),
           (False, None))

    # Public headers read as text (paths need not exist: drift/<part>/... is resolved by name).
    def public(part, target, quoted=True):
        header = "%s/include/drift/%s/h.hpp" % (d, part)
        return [r.split(",")[0] for _, r in
                public_include_violations(part, header, target, quoted, d)[1]]

    expect("public scenario includes drift/results", public("scenario", "drift/results/x.hpp"),
           ["C"])
    expect("public experiments includes drift/scenario",
           public("experiments", "drift/scenario/scenario.hpp"), [])
    expect("public step includes drift/model", public("step", "drift/model/world.hpp"), [])
    expect("public model includes drift/step", public("model", "drift/step/step.hpp"), ["C"])
    expect("public header includes drift/build_info.hpp",
           public("model", "drift/build_info.hpp"), [])
    expect("public scenario includes yaml-cpp", public("scenario", "yaml-cpp/yaml.h", False),
           ["B"])
    expect("public results includes H5Cpp.h", public("results", "H5Cpp.h", False), [])
    expect("public interventions includes H5Cpp.h", public("interventions", "H5Cpp.h", False),
           ["B"])
    expect("public model includes H5Cpp.h", public("model", "H5Cpp.h", False), ["A"])
    expect("public experiments includes mpi.h", public("experiments", "mpi.h", False), ["B"])
    expect("public model includes Random123", public("model", "Random123/philox.h", False), [])
    expect("public model includes <vector>", public("model", "vector", False), [])

    # Compiler output and command handling.
    expect("make deps", parse_make_deps(
        "%s: /src/a.cpp /usr/include/a\\ b.h \\\n /src/include/drift/x.hpp\n" % DEPS_TARGET),
        ["/src/a.cpp", "/usr/include/a b.h", "/src/include/drift/x.hpp"])
    expect("include tree", parse_include_tree(
        ". /a.hpp\n.. /b.hpp\n. /c.hpp\nMultiple include guards may be useful for:\n/d.h\n"),
        [(1, "/a.hpp"), (2, "/b.hpp"), (1, "/c.hpp")])
    expect("chains", first_chains("/s.cpp", [(1, "/a.hpp"), (2, "/b.hpp"), (1, "/c.hpp"),
                                              (2, "/b.hpp")], "/"),
           {"/a.hpp": ["/s.cpp", "/a.hpp"], "/b.hpp": ["/s.cpp", "/a.hpp", "/b.hpp"],
            "/c.hpp": ["/s.cpp", "/c.hpp"]})
    expect("dependency command", dependency_command(
        ["/usr/bin/c++", "-I/x", "-O3", "-MD", "-MT", "t.o", "-MF", "t.d", "-o", "t.o", "-c",
         "/s/a.cpp"]),
        ["/usr/bin/c++", "-I/x", "-O3", "/s/a.cpp", "-M", "-MT", DEPS_TARGET, "-H"])
    expect("dependency command with launcher", dependency_command(
        ["/usr/bin/cmake", "-E", "env", "CCACHE_BASEDIR=/s", "/usr/bin/ccache", "/usr/bin/c++",
         "-fopenmp", "-o/tmp/a.o", "-c", "/s/a.cpp"]),
        ["/usr/bin/c++", "-fopenmp", "/s/a.cpp", "-M", "-MT", DEPS_TARGET, "-H"])

    # Reporting where a forbidden chain starts: a step source reaching yaml-cpp through a
    # scenario header reports the scenario header (C) and yaml.h (A), not yaml's own headers.
    source = d + "/sim/step/s.cpp"
    mid = d + "/include/drift/scenario/scenario.hpp"
    yaml, node = "/usr/include/yaml-cpp/yaml.h", "/usr/include/yaml-cpp/node/node.h"
    chains = {mid: [source, mid], yaml: [source, mid, yaml], node: [source, mid, yaml, node]}
    found = source_violations("step", source, [mid, yaml, node], chains, d)
    expect("entry points", [(r.split(",")[0], h) for r, h, _ in found], [("C", mid), ("A", yaml)])

    for failure in failures:
        print("SELF-TEST FAILED: " + failure)
    print("self-test: %d failure(s)" % len(failures))
    return 1 if failures else 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Checks the include rules between Drift's parts (docs/architecture.md).")
    parser.add_argument("--source-dir", help="root of the Drift source tree")
    parser.add_argument("--compile-commands", help="CMake compile_commands.json of a build")
    parser.add_argument("--self-test", action="store_true",
                        help="check the classification functions on hand-made paths")
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test()
    if not args.source_dir or not args.compile_commands:
        parser.print_usage(sys.stderr)
        print("error: --source-dir and --compile-commands are required", file=sys.stderr)
        return 2
    if not os.path.isdir(args.source_dir):
        print("error: no such folder: %s" % args.source_dir, file=sys.stderr)
        return 2
    if not os.path.isfile(args.compile_commands):
        print("error: no such file: %s" % args.compile_commands, file=sys.stderr)
        return 2
    return run_check(args.source_dir, args.compile_commands)


if __name__ == "__main__":
    sys.exit(main())
