"""The live loop's speed: device intake over HTTP and SOS-to-console latency, against ceilings.

    .venv/bin/python benchmarks/intake.py [--quick] [--json PATH] [--profile]

Everything runs on this machine over loopback, in one run:

* a fresh SQLite database (migrated, with a small world built through the services: the test
  world's stations, an SOS pole, 50 patrol units, device credentials);
* ceilings: raw inserts of the inbox row shape through the same engine (WAL,
  synchronous as ``core.db`` sets it), one commit per row and one per 1,000 rows;
* the load generator's own ceiling (against a canned-answer server) and the HTTP stack's
  (``GET /healthz`` on the real server);
* single-event and batch intake against the real server (``uvicorn`` running
  ``create_app(settings, Database(url))`` in a subprocess, as ``ssz serve`` does), with
  requests/s, events/s, latency percentiles, CPU of both processes and of the server's threads,
  the engine's rate, and a check that every acknowledged event is in the database; then the
  same with the CCOC engine off (a what-if: what intake alone costs);
* SOS latency: a console on the WebSocket, one SOS press every 100 ms, first with nothing else
  (the baseline), then with ~1,000 GPS events/s in batches in the background; from just
  before each request is sent to the arrival of its ``incident.created`` on the WebSocket.

Each phase gets its own copy of the database and its own server, so one phase's engine
backlog cannot slow the next. ``--profile`` adds py-spy profiles of extra windows (the measured
ones are never profiled): ``--gil`` for where the server's GIL time goes under single-event and
batch load, ``--idle`` for what the writer and engine threads wait for under the SOS load. The
figures go to a table, and as JSON to the last stdout line (and to ``--json PATH``). See
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from intakebench.client import Maker, batch_maker, healthz_maker, single_maker
from intakebench.common import run
from intakebench.measuring import Load, closed_loop, inbox_counts, percentile
from intakebench.profiling import COMPONENTS, profiled_window, py_spy, start_profile, thread_states
from intakebench.servers import app_server, canned_main, canned_server, serve_main
from intakebench.sos import prepare_sos, sos_latency
from intakebench.world import build_fixture, sqlite_ceiling

# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Plan:
    ceiling_s: float
    load_s: float
    warmup_s: float
    sos_s: float
    sos_idle_s: float
    clients: int
    batch_clients: int
    batch_size: int
    units: int
    background_rate: float
    background_batch: int
    sos_interval: float
    access_log: bool
    profile: bool


def plan_from(args: argparse.Namespace) -> Plan:
    quick = args.quick
    return Plan(ceiling_s=0.2 if quick else 2.0, load_s=0.7 if quick else 8.0,
                warmup_s=0.2 if quick else 1.0, sos_s=1.0 if quick else 30.0,
                sos_idle_s=0.5 if quick else 5.0, clients=args.clients,
                batch_clients=args.batch_clients, batch_size=args.batch_size, units=50,
                background_rate=args.background_rate, background_batch=50, sos_interval=0.1,
                access_log=not args.no_access_log, profile=args.profile)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def bench(plan: Plan, directory: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
        "python": sys.version.split()[0], "loadavg_before": os.getloadavg(),
        "plan": plan.__dict__}
    profiles: dict[str, Any] = {}
    log("building the world")
    fixture = build_fixture(directory, plan.units)

    log("ceilings: raw SQLite inserts")
    one = sqlite_ceiling(fixture, directory, 1, plan.ceiling_s)
    thousand = sqlite_ceiling(fixture, directory, 1000, plan.ceiling_s)
    figures["ceiling"] = {"journal_mode": one.journal_mode, "synchronous": one.synchronous,
                          "commit_per_row_rows_per_s": round(one.rows_per_s, 1),
                          "commit_per_1000_rows_per_s": round(thousand.rows_per_s, 1)}

    log("load generator ceiling (canned server)")
    with canned_server(directory) as canned:
        gen_single = run(closed_loop(canned.port, single_maker(fixture, "g"), plan.clients,
                                     plan.warmup_s, plan.load_s, canned.pid))
        gen_batch = run(closed_loop(canned.port, batch_maker(fixture, "gb", plan.batch_size),
                                    plan.batch_clients, plan.warmup_s, plan.load_s,
                                    canned.pid))
    figures["generator"] = {"single": gen_single.figures(), "batch": gen_batch.figures()}

    loads: dict[str, Load] = {}
    for shape in ("single", "batch"):
        for engine in (True, False):
            name = shape if engine else f"{shape}_engine_off"
            log(f"{shape} intake{'' if engine else ', engine off (what-if)'}")
            clients = plan.clients if shape == "single" else plan.batch_clients

            def maker(tag: str, shape: str = shape) -> Maker:
                return (single_maker(fixture, tag) if shape == "single"
                        else batch_maker(fixture, tag, plan.batch_size))

            with app_server(fixture, directory, name, plan.access_log, engine) as (
                    server, db_path):
                if name == "single":
                    loads["healthz"] = run(closed_loop(server.port, healthz_maker(), clients,
                                                       plan.warmup_s, plan.load_s, server.pid))
                    figures["healthz"] = loads["healthz"].figures()
                loads[name] = run(closed_loop(server.port, maker(name), clients,
                                              plan.warmup_s, plan.load_s, server.pid,
                                              db_path=db_path))
                stored, _ = inbox_counts(db_path)
                # Nothing lost: every acknowledged event is a row (all clients are done now).
                figures[name] = loads[name].figures() | {
                    "acked_events": loads[name].acked_total, "stored_rows": stored,
                    "stored_equals_acked": stored == loads[name].acked_total}
                if plan.profile:
                    log(f"{name}: an extra window under py-spy")
                    load, prof = run(profiled_window(server.port, maker(f"p-{name}"), clients,
                                                     plan.load_s, server.pid,
                                                     directory / f"profile-{name}.txt"))
                    profiles[name] = {"requests_per_s": round(load.rps, 1),
                                      "events_per_s": round(load.eps, 1), "py_spy": prof}

    log("SOS latency: idle, then under background GPS load")
    with app_server(fixture, directory, "sos", plan.access_log) as (server, db_path):
        operator = prepare_sos(server.port, fixture)
        idle = run(sos_latency(server.port, server.pid, fixture, operator, plan.sos_idle_s,
                               0, plan.background_batch, plan.sos_interval, db_path))
        sos = run(sos_latency(server.port, server.pid, fixture, operator, plan.sos_s,
                              plan.background_rate, plan.background_batch, plan.sos_interval,
                              db_path))
        figures["sos_idle"] = idle.figures()
        figures["sos"] = sos.figures()
    if plan.profile and py_spy():
        log("SOS under load again, with a wall-clock py-spy profile of the writer and engine")
        with app_server(fixture, directory, "sos-profile", plan.access_log) as (
                server, db_path):
            out = directory / "profile-sos-wall.txt"
            seconds = min(plan.sos_s, 10.0)
            box: list[subprocess.Popen[bytes] | None] = []

            async def start() -> None:
                box.append(start_profile(server.pid, seconds, out, gil=False))

            operator = prepare_sos(server.port, fixture)
            profiled = run(sos_latency(server.port, server.pid, fixture, operator, seconds,
                                       plan.background_rate, plan.background_batch,
                                       plan.sos_interval, db_path, during=start))
            if box and box[0] is not None:
                box[0].wait(60)
            profiles["sos_wall"] = {"sos": profiled.figures(),
                                    "thread_states_pct": thread_states(out)}
    if profiles:
        figures["profiles"] = profiles

    single, batch, health = loads["single"], loads["batch"], loads["healthz"]
    c1, c1000 = one.rows_per_s, thousand.rows_per_s
    figures["ratios"] = {
        "single_vs_commit_per_row": ratio(single.rps, c1),
        "single_vs_commit_per_1000": ratio(single.rps, c1000),
        "single_vs_healthz": ratio(single.rps, health.rps),
        "single_vs_engine_off": ratio(single.rps, loads["single_engine_off"].rps),
        "healthz_vs_generator": ratio(health.rps, gen_single.rps),
        "batch_vs_commit_per_1000": ratio(batch.eps, c1000),
        "batch_vs_engine_off": ratio(batch.eps, loads["batch_engine_off"].eps),
        "batch_vs_generator": ratio(batch.eps, gen_batch.eps),
        "sos_p99_loaded_vs_idle": ratio(percentile(sos.latencies, 0.99),
                                        percentile(idle.latencies, 0.99)),
    }
    figures["targets"] = {
        "single_requests_per_s>=2000": single.rps >= 2000,
        "batch_events_per_s>=20000": batch.eps >= 20000,
        "sos_p99_ms<50": percentile(sos.latencies, 0.99) * 1e3 < 50,
    }
    return figures


def ratio(a: float, b: float) -> float:
    """a / b to 3 significant digits; NaN (null in the JSON) when b is 0 or NaN."""
    return float(f"{a / b:.3g}") if b and b == b else float("nan")


# --------------------------------------------------------------------------- report


def table(f: dict[str, Any]) -> str:
    c, r = f["ceiling"], f["ratios"]
    rows: list[tuple[str, str, str]] = [
        ("ceiling: SQLite, 1 commit per row", f"{c['commit_per_row_rows_per_s']:,.0f} rows/s",
         f"journal_mode={c['journal_mode']} synchronous={c['synchronous']} (2 = FULL)"),
        ("ceiling: SQLite, 1 commit per 1000 rows",
         f"{c['commit_per_1000_rows_per_s']:,.0f} rows/s", ""),
    ]

    def load_row(name: str, x: dict[str, Any], unit: str, note: str = "") -> None:
        value = x["requests_per_s"] if unit == "req/s" else x["events_per_s"]
        per_cpu = (x["requests_per_server_cpu_s"] if unit == "req/s"
                   else x["events_per_server_cpu_s"])
        cpu = ("" if x["server_cpu"] is None else
               f", server {x['server_cpu']:.2f} ({per_cpu:,.0f} per server CPU-s)")
        engine = (f"; engine {x['engine_events_per_s']:,.0f} ev/s, backlog "
                  f"{x['engine_backlog_at_end']:,}" if "engine_events_per_s" in x else "")
        threads = x.get("server_cpu_by_thread") or {}
        if threads:
            cpu += " [" + ", ".join(f"{k} {v:.2f}" for k, v in threads.items() if v) + "]"
        rows.append((name, f"{value:,.0f} {unit}",
                     f"p50 {x['p50_ms']:.1f} ms, p99 {x['p99_ms']:.1f} ms, errors {x['errors']}"
                     + (f", stored==acked {x['stored_equals_acked']}"
                        if "stored_equals_acked" in x else "") + ";"
                     f" CPU: generator {x['generator_cpu']:.2f}{cpu}{engine}{note}"))

    def ratio_row(name: str, value: float) -> None:
        rows.append((f"  ratio: {name}", f"{value:.3g}", ""))

    load_row("generator ceiling, single (canned server)", f["generator"]["single"], "req/s")
    load_row("generator ceiling, batch (canned server)", f["generator"]["batch"], "ev/s")
    load_row("GET /healthz (HTTP stack ceiling)", f["healthz"], "req/s")
    ratio_row("healthz / generator", r["healthz_vs_generator"])
    load_row("single-event intake", f["single"], "req/s")
    load_row("  what-if: engine off", f["single_engine_off"], "req/s")
    ratio_row("single / ceiling per-row commit", r["single_vs_commit_per_row"])
    ratio_row("single / ceiling per-1000 commit", r["single_vs_commit_per_1000"])
    ratio_row("single / healthz", r["single_vs_healthz"])
    ratio_row("single / engine off", r["single_vs_engine_off"])
    load_row(f"batch intake ({f['plan']['batch_size']}/batch)", f["batch"], "ev/s")
    load_row("  what-if: engine off", f["batch_engine_off"], "ev/s")
    ratio_row("batch / ceiling per-1000 commit", r["batch_vs_commit_per_1000"])
    ratio_row("batch / engine off", r["batch_vs_engine_off"])
    for key, name in (("sos_idle", "SOS -> WebSocket, no background"),
                      ("sos", "SOS -> WebSocket, GPS background")):
        o = f[key]
        engine = (f"; engine {o['engine_events_per_s']:,.0f} ev/s, backlog "
                  f"{o['engine_backlog_at_end']:,}" if "engine_events_per_s" in o else "")
        rows.append((name, f"p50 {o['p50_ms']:.1f} ms, p99 {o['p99_ms']:.1f} ms",
                     f"max {o['max_ms']:.1f} ms, {o['received']}/{o['sent']} arrived (15 s grace);"
                     f" HTTP ack "
                     f"p50 {o['ack_p50_ms']:.1f} ms, p99 {o['ack_p99_ms']:.1f} ms; background "
                     f"{o['background_events_per_s']:,.0f} ev/s; server CPU {o['server_cpu']}"
                     f"{engine}"))
    ratio_row("SOS p99 loaded / idle", r["sos_p99_loaded_vs_idle"])
    for key, ok in f["targets"].items():
        rows.append((f"target {key}", "met" if ok else "NOT met", ""))
    width = max(len(a) for a, _, _ in rows)
    value_width = max(len(b) for _, b, _ in rows)
    return "\n".join(f"{a:<{width}}  {b:>{value_width}}  {c}".rstrip() for a, b, c in rows)


def profile_text(profiles: dict[str, Any]) -> str:
    gil = {k: v for k, v in profiles.items() if k != "sos_wall" and v.get("py_spy")}
    lines: list[str] = []
    if gil:
        names = list(gil)
        lines.append("where the server's GIL time goes (py-spy --gil, % of samples, inclusive;"
                     " extra windows, not the measured ones)")
        width = max(len(label) for label, _ in COMPONENTS)
        lines.append(f"{'':<{width}}" + "".join(f"{n:>20}" for n in names))
        rates = [f"{v['requests_per_s']:,.0f} req/s" if k.startswith("single")
                 else f"{v['events_per_s']:,.0f} ev/s" for k, v in gil.items()]
        lines.append(f"{'throughput while profiled':<{width}}"
                     + "".join(f"{x:>20}" for x in rates))
        for label, _ in COMPONENTS:
            lines.append(f"{label:<{width}}" + "".join(
                f"{gil[n]['py_spy']['components_pct'][label]:>19.1f}%" for n in names))
        for name in names:
            lines.append(f"top self-time frames, {name}:")
            lines += [f"  {v:5.1f}%  {k}" for k, v in gil[name]["py_spy"]["top_self_pct"].items()]
    wall = profiles.get("sos_wall")
    if wall:
        o = wall["sos"]
        lines.append(f"SOS under load, wall-clock profile (py-spy --idle): SOS p50 "
                     f"{o['p50_ms']:.0f} ms, p99 {o['p99_ms']:.0f} ms while profiled")
        for thread, states in wall["thread_states_pct"].items():
            lines.append(f"  {thread}: " + ", ".join(f"{k} {v}%" for k, v in states.items()))
    return "\n".join(lines)


def no_nan(value: Any) -> Any:
    """JSON has no NaN: a figure with no samples is null."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [no_nan(v) for v in value]
    return value


def filesystem(path: Path) -> str:
    """The type of the filesystem holding ``path`` (from /proc/mounts), or '?'."""
    best, kind = "", "?"
    with contextlib.suppress(OSError), open("/proc/mounts") as mounts:
        for line in mounts:
            parts = line.split()
            if len(parts) > 2 and str(path).startswith(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], parts[2]
    return kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: a smoke test")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--profile", action="store_true",
                        help="extra windows under py-spy: where the server's time goes")
    parser.add_argument("--clients", type=int, default=64, help="single-event connections")
    parser.add_argument("--batch-clients", type=int, default=4, help="batch connections")
    parser.add_argument("--batch-size", type=int, default=1000, help="events per batch")
    parser.add_argument("--background-rate", type=float, default=1000.0,
                        help="GPS events/s behind the SOS presses")
    parser.add_argument("--no-access-log", action="store_true",
                        help="serve without uvicorn's access log (ssz serve logs every request)")
    parser.add_argument("--dir", type=Path, help="where the temp databases go (a real disk)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, profiles)")
    # Subprocess modes.
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--canned", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--engine-off", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_main(args.db_url, args.data_dir, args.port, not args.no_access_log,
                   not args.engine_off)
        return
    if args.canned:
        canned_main(args.port)
        return
    directory = Path(tempfile.mkdtemp(prefix="ssz-bench-intake-", dir=args.dir)).resolve()
    kind = filesystem(directory)
    if kind in ("tmpfs", "ramfs"):
        log(f"WARNING: {directory} is on {kind}: fsync is free there, so the durable-commit "
            "figures mean nothing. Use --dir on a real disk.")
    try:
        figures = bench(plan_from(args), directory)
        figures["filesystem"] = kind
        figures["loadavg_after"] = os.getloadavg()
    finally:
        if args.keep:
            log(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    print(f"{figures['date']}, {figures['cpus']} CPUs, Python {figures['python']}, "
          f"data on {kind}; load average before {figures['loadavg_before'][0]:.2f}, after "
          f"{figures['loadavg_after'][0]:.2f} (anything else running skews the figures)")
    print(table(figures))
    if "profiles" in figures:
        print()
        print(profile_text(figures["profiles"]))
    encoded = json.dumps(no_nan(figures), ensure_ascii=False, default=str)
    if args.json:
        args.json.write_text(encoded + "\n")
    print(encoded)


if __name__ == "__main__":
    main()
