"""`paraat bench admin-import`: the offline bulk path for a national registry, measured.

`neo4j-admin database import full` writes the store files directly from CSV, without
transactions, into a database that is offline. This benchmark does exactly what
docs/scaling.md describes for a registry of millions of companies:

1. prepare the rows with the import pipeline's own `prepare()` (capability inference, record
   hash), so the imported graph holds what `paraat ingest companies` would have written;
2. write CSV files with Neo4j's import headers (Company, Municipality, Capability nodes;
   LOCATED_IN and HAS_CAPABILITY relationships; optionally `embedding:float[]`);
3. run the admin tool from the same Maven jars the server runs (`org.neo4j.cli.AdminTool`);
4. start Neo4j and let Paraat's schema (`apply_schema`: uniqueness constraints, full-text and
   vector indexes) and ontology loader complete the graph, timing index population;
5. prove the result: a re-run of the ordinary import over the admin-imported graph finds
   every company unchanged (same record hash), i.e. both paths give the same graph.

The CSV vectors are *derived* (labelled), as in the other scale benchmarks.
"""

from __future__ import annotations

import csv
import logging
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from neo4j import GraphDatabase

from app.bench.common import (
    DERIVED_LABEL,
    derived_vector_batches,
    dir_size_mib,
    environment,
    process_memory,
)
from app.services.wiring import encoder_for
from core.errors import ParaatError
from core.settings import Settings
from graph.repositories.admin import AdminRepository
from graph.repositories.companies import CompanyRepository
from graph.schema import EmbeddingSpec, apply_schema
from graph.server import (
    JVM_FLAGS,
    ManagedNeo4j,
    check_java,
    free_port,
    install_jars,
    neo4j_lib_dir,
)
from ingest.companies import RunContext, prepare, write_companies
from ingest.ontology_loader import load_ontology
from ingest.synthetic import generate
from matching.encoders.cache import EmbeddingCache
from ontology.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

ADMIN_CLASS = "org.neo4j.cli.AdminTool"

# The import headers for Paraat's model (docs/scaling.md quotes them).
COMPANY_HEADER = [
    "kvk_number:ID(Company)", "name", "description", "description_en", "activity", "website",
    "employees:long", "sbi_code", "kvk_status", "synthetic:boolean", "concept_terms",
    "record_hash", "source", "imported_at:datetime", "import_run", ":LABEL",
]
MUNICIPALITY_HEADER = ["id:ID(Municipality)", "name", ":LABEL"]
CAPABILITY_HEADER = ["id:ID(Capability)", ":LABEL"]
LOCATED_IN_HEADER = [":START_ID(Company)", ":END_ID(Municipality)", ":TYPE"]
HAS_CAPABILITY_HEADER = [":START_ID(Company)", ":END_ID(Capability)", "set_by", "source",
                         "confidence:double", "evidence", ":TYPE"]


def _cell(v: Any) -> Any:
    if v is None:
        return ""  # an empty unquoted field: no property
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def write_csvs(folder: Path, n: int, settings: Settings, *, vectors: bool,
               log_: Callable[[str], None]) -> dict[str, Any]:
    """The import files for n synthetic companies; returns timings and row counts."""
    tax = load_taxonomy()
    folder.mkdir(parents=True, exist_ok=True)
    ctx = RunContext(source="bench-admin-import")
    t0 = time.perf_counter()
    vec_iter = None
    if vectors:
        encoder = encoder_for(settings)
        vec_iter = derived_vector_batches(encoder, tax, n, 10_000,
                                          cache=EmbeddingCache(settings.cache_dir / "embeddings"))
    header = COMPANY_HEADER + (["embedding:float[]", "embedding_hash"] if vectors else [])
    municipalities: set[str] = set()
    rels = 0
    with open(folder / "companies.csv", "w", newline="") as fc, \
            open(folder / "located_in.csv", "w", newline="") as fl, \
            open(folder / "has_capability.csv", "w", newline="") as fh:
        wc, wl, wh = csv.writer(fc), csv.writer(fl), csv.writer(fh)
        wc.writerow(header)
        wl.writerow(LOCATED_IN_HEADER)
        wh.writerow(HAS_CAPABILITY_HEADER)
        block: Any = None
        for i, rec in enumerate(generate(n, tax, seed=1)):
            row = prepare(rec, tax)
            p = row["props"]
            cells = [row["kvk_number"], p["name"], p["description"], p["description_en"],
                     p["activity"], p["website"], p["employees"], p["sbi_code"],
                     p["kvk_status"], p["synthetic"], p["concept_terms"], row["record_hash"],
                     row["source"] or ctx.source, ctx.now, ctx.run_id, "Company"]
            if vec_iter is not None:
                if i % 10_000 == 0:
                    block = next(vec_iter)
                cells += [";".join(f"{x:.6f}" for x in block[i % 10_000]), "bench-derived"]
            wc.writerow([_cell(c) for c in cells])
            if row["municipality"]:
                municipalities.add(row["municipality"])
                wl.writerow([row["kvk_number"], row["municipality"], "LOCATED_IN"])
            for cap in row["capabilities"]:
                wh.writerow([row["kvk_number"], cap["id"], "import", cap["source"],
                             cap["confidence"], _cell(cap["evidence"]), "HAS_CAPABILITY"])
                rels += 1
            if (i + 1) % 100_000 == 0:
                log_(f"csv: {i + 1} companies")
    with open(folder / "municipalities.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(MUNICIPALITY_HEADER)
        for m in sorted(municipalities):
            w.writerow([m, m, "Municipality"])
    with open(folder / "capabilities.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(CAPABILITY_HEADER)
        for cid in sorted(tax.capabilities):
            w.writerow([cid, "Capability"])
    return {"prepare_and_csv_s (python)": round(time.perf_counter() - t0, 1),
            "csv_mib": dir_size_mib(folder), "has_capability_rows": rels}


def admin_import_command(server: ManagedNeo4j, java: str, folder: Path, heap: str
                         ) -> list[str]:
    return [java, f"-Xmx{heap}", *JVM_FLAGS, "-cp", f"{server.lib_dir}/*", ADMIN_CLASS,
            "database", "import", "full", "neo4j", "--overwrite-destination=true",
            f"--nodes={folder / 'companies.csv'}", f"--nodes={folder / 'municipalities.csv'}",
            f"--nodes={folder / 'capabilities.csv'}",
            f"--relationships={folder / 'located_in.csv'}",
            f"--relationships={folder / 'has_capability.csv'}",
            "--array-delimiter=;", "--threads=2"]


def bench_admin_import(settings: Settings, n: int, *, vectors: bool = True,
                       heap: str = "2g", pagecache: str = "2g", verify: bool = True,
                       log_: Callable[[str], None] = print) -> dict[str, Any]:
    lib_dir = install_jars(neo4j_lib_dir(settings.cache_dir), java_home=settings.neo4j.java_home)
    home = settings.data_dir / f"bench-admin-import-{n}"
    shutil.rmtree(home, ignore_errors=True)
    server = ManagedNeo4j(home, lib_dir, bolt_port=free_port(), http_port=0,
                          heap=heap, pagecache=pagecache, java_home=settings.neo4j.java_home)
    encoder = encoder_for(settings)
    out: dict[str, Any] = {"benchmark": "admin-import", "environment": environment(encoder),
                           "companies": n, "vectors": DERIVED_LABEL if vectors else None,
                           "neo4j_memory_settings": {"heap": heap, "pagecache": pagecache}}
    # A first start creates the system database and sets the password; the import then
    # replaces the (empty) `neo4j` database while the server is stopped.
    server.start(timeout=settings.neo4j.start_timeout)
    server.stop()
    out.update(write_csvs(home / "import", n, settings, vectors=vectors, log_=log_))
    log_(f"csv written: {out}")
    cmd = admin_import_command(server, check_java(), home / "import", heap)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=home,
                          env={"NEO4J_HOME": str(home), "NEO4J_CONF": str(server.conf_dir),
                               "PATH": "/usr/bin:/bin"})
    out["admin_import_s"] = round(time.perf_counter() - t0, 1)
    (home / "admin-import.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise ParaatError(f"neo4j-admin database import failed (exit {proc.returncode}); "
                          f"see {home / 'admin-import.log'}")
    out["admin_import_companies_per_s"] = round(n / out["admin_import_s"], 1)
    log_(f"admin import: {out['admin_import_s']} s")
    server.start(timeout=settings.neo4j.start_timeout)
    try:
        with GraphDatabase.driver(server.uri, auth=("neo4j", server.password),
                                  notifications_min_severity="OFF") as driver:
            t0 = time.perf_counter()
            apply_schema(driver, EmbeddingSpec(encoder.name, encoder.dimension))
            AdminRepository(driver).await_indexes(7200)
            out["schema_and_indexes_s (constraints, full-text, vector)"] = round(
                time.perf_counter() - t0, 1)
            t0 = time.perf_counter()
            load_ontology(driver, encoder=encoder,
                          cache=EmbeddingCache(settings.cache_dir / "embeddings"))
            out["ontology_s"] = round(time.perf_counter() - t0, 1)
            out["companies_in_graph"] = CompanyRepository(driver).count()
            out["nodes_with_embedding"] = AdminRepository(driver).count_embeddings()
            out["neo4j_memory"] = process_memory(int((server._read_state() or {})["pid"]))
            out["store_on_disk_mib"] = dir_size_mib(server.data_dir)
            if verify:
                t0 = time.perf_counter()
                tax = load_taxonomy()
                stats = write_companies(driver, generate(n, tax, seed=1), tax,
                                        RunContext(source="verify"), batch_size=10_000)
                out["verify_rerun_of_ordinary_import"] = {
                    "unchanged": stats.unchanged, "created": stats.created,
                    "updated": stats.updated, "seconds": round(time.perf_counter() - t0, 1)}
                log_(f"verify: {out['verify_rerun_of_ordinary_import']}")
    finally:
        server.stop()
    shutil.rmtree(home, ignore_errors=True)
    return out
