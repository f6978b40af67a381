"""Synthetic registry: generation speed and memory, real vs synthetic distributions, and how names
recur as the registry grows.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
from _harness import SHARED, gib, log, md_table, measure, parse_args, registry

GENERATE_MAX = 10_000  # generation is timed afresh up to this size (it is linear beyond)
COMPARE_STUDIES = 5_000


def step_generate(n: int, out: Path) -> dict[str, object]:
    """Generate ``n`` studies into a zip with one process per core; report its size."""
    from kg.synth import load_params, write_zip

    start = time.perf_counter()
    write_zip(out, load_params(), n, seed=0, jobs=os.cpu_count() or 1)
    elapsed = time.perf_counter() - start
    with zipfile.ZipFile(out) as archive:
        raw = sum(i.file_size for i in archive.infolist())
    size = out.stat().st_size
    out.unlink()
    return {"seconds": elapsed, "zip_bytes": size, "json_bytes": raw}


def step_scan(zip_path: Path) -> dict[str, object]:
    """Count names and sites over a whole registry zip, one member at a time."""
    leads: Counter[str] = Counter()
    facilities: Counter[tuple[str, str, str]] = Counter()
    conditions: Counter[str] = Counter()
    sites = []
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            study = orjson.loads(archive.read(info))
            p = study["protocolSection"]
            leads[p["sponsorCollaboratorsModule"]["leadSponsor"]["name"]] += 1
            locations = p.get("contactsLocationsModule", {}).get("locations", [])
            sites.append(len(locations))
            for loc in locations:
                facilities[(loc.get("facility"), loc.get("city"), loc.get("country"))] += 1
            for c in p.get("conditionsModule", {}).get("conditions", []):
                conditions[c] += 1
    n = len(sites)
    return {
        "trials": n,
        "lead_distinct": len(leads),
        "lead_top10_share": sum(c for _, c in leads.most_common(10)) / n,
        "lead_top_trials": leads.most_common(1)[0][1],
        "facility_distinct": len(facilities),
        "facility_mentions": sum(facilities.values()),
        "condition_distinct": len(conditions),
        "sites_max": max(sites),
        "sites_over_1000": sum(s > 1000 for s in sites),
        "sites_total": sum(sites),
    }


def step_compare(n: int) -> dict[str, object]:
    """Return the Markdown comparison of real records and ``n`` synthetic studies."""
    from kg.synth import compare_with_real, load_params

    paths = sorted((SHARED / "data" / "ctgov").glob("*.json"))
    return {"table": compare_with_real(paths, load_params(), n, seed=0, jobs=os.cpu_count() or 1)}


def _child() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", required=True, choices=["generate", "scan", "compare"])
    parser.add_argument("-n", type=int, default=0)
    parser.add_argument("--path", type=Path)
    args = parser.parse_args()
    if args.step == "generate":
        result = step_generate(args.n, args.path)
    elif args.step == "scan":
        result = step_scan(args.path)
    else:
        result = step_compare(args.n)
    sys.stdout.write(json.dumps(result) + "\n")


def _step(*argv: str) -> dict[str, Any]:
    run = measure([sys.executable, str(Path(__file__).resolve()), "--step", *argv])
    if run.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed:\n{run.stderr[-3000:]}")
    result = run.json()
    result.update(wall=run.wall, cpu=run.cpu, rss=run.max_rss, load=run.load)
    return result


def main() -> None:
    args = parse_args(__doc__ or "")
    sizes = sorted(args.sizes)
    out = ["### Synthetic registry", ""]
    out.append(
        "Studies from `kg synth generate N --seed 0` (kg/synth/, parameters in "
        "kg/synth/params.json fitted by `kg synth fit ../shared/data/ctgov -o "
        "kg/synth/params.json`). Command: `python benchmarks/bench_synth.py --sizes "
        f"{','.join(map(str, sizes))}`."
    )
    rows = []
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        for n in sizes:
            if n > GENERATE_MAX:
                continue
            log(f"generating {n:,} studies (timed)")
            r = _step("generate", "-n", str(n), "--path", str(Path(tmp) / "gen.zip"))
            rows.append([
                f"{n:,}", f"{float(r['wall']):,.1f}", f"{float(r['cpu']):,.1f}",
                f"{n / float(r['wall']):,.0f}", f"{float(r['zip_bytes']) / n / 1024:,.1f}",
                f"{float(r['json_bytes']) / n / 1024:,.1f}", gib(float(r["rss"])),
            ])  # fmt: skip
    out += ["", "#### Generation (2 worker processes, zip deflate level 6)", ""]
    out.append(md_table(
        ["studies", "wall s", "CPU s", "studies/s", "KiB/study zipped", "KiB/study JSON",
         "peak RSS (main)"], rows,
    ))  # fmt: skip
    log("comparing real and synthetic distributions")
    compare = _step("compare", "-n", str(COMPARE_STUDIES))
    out += ["", "#### Real vs synthetic distributions", "", str(compare["table"])]
    scans = []
    for n in sizes:
        zip_path = registry(n, args.work)
        log(f"scanning {zip_path.name}")
        s = _step("scan", "--path", str(zip_path))
        scans.append([
            f"{n:,}", f"{int(s['lead_distinct']):,}",
            f"{float(s['lead_top10_share']):.1%}", f"{int(s['lead_top_trials']):,}",
            f"{int(s['facility_distinct']):,} / {int(s['facility_mentions']):,}",
            f"{int(s['condition_distinct']):,}", f"{int(s['sites_total']):,}",
            f"{int(s['sites_max']):,}", f"{int(s['sites_over_1000']):,}",
        ])  # fmt: skip
    out += ["", "#### Names recur as the registry grows (Zipf-like pools)", ""]
    out.append(md_table(
        ["trials", "distinct lead sponsors", "top-10 sponsors' share", "trials of the top sponsor",
         "distinct facilities / site mentions", "distinct conditions", "sites", "max sites",
         "trials > 1,000 sites"], scans,
    ))  # fmt: skip
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if "--step" in sys.argv:
        _child()
    else:
        main()
