"""`paraat bench ingest` at a tiny size: every mode writes every company, figures add up."""

from __future__ import annotations

from pathlib import Path

from app.bench.ingest import INGEST_MODES, bench_ingest
from core.settings import Settings


def test_bench_ingest_reports_every_mode_with_consistent_figures(lib_dir: Path,
                                                                 tmp_path: Path) -> None:
    lines: list[str] = []
    res = bench_ingest(Settings(), [300], batch_size=100, repeats=1, warmup_companies=900,
                       baseline_rows=10, embed_sample=4, heap="512m", pagecache="64m",
                       home=tmp_path / "bench-neo4j", log_=lines.append)
    size = res["sizes"][0]
    assert size["companies"] == 300
    # 900 companies in all before measuring: the cold pass and two warm-up passes
    assert len(size["warm-up passes after it (bulk, 2 writers), companies/s"]) == 2
    runs = size["runs"]
    assert [(r["mode"], r["writers"]) for r in runs] == list(INGEST_MODES)
    for r in runs:  # bench_ingest raises unless every run created all 300 companies
        assert r["graph_write_s"] > 0 and r["graph_write_companies_per_s"] > 0
        assert r["write_plus_index_companies_per_s"] <= r["graph_write_companies_per_s"]
    med = size["median_companies_per_s"]
    assert set(med) == {"incremental, 1 writer", "incremental, 2 writers", "bulk, 1 writer",
                        "bulk, 2 writers"}
    assert size["ratios"]["2 vs 1 writer (bulk)"] == round(
        med["bulk, 2 writers"] / med["bulk, 1 writer"], 2)
    assert res["baseline_row_at_a_time_companies_per_s (warm server)"] > 0
    assert res["embedding_sentences_per_s"] > 0
    assert len(lines) >= len(INGEST_MODES)
