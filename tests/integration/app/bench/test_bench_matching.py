"""`paraat bench matching` at a tiny size: every figure is there and consistent."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.bench.matching import bench_matching
from core.settings import Settings


def test_bench_matching_reports_latency_against_the_numpy_baseline(lib_dir: Path,
                                                                   tmp_path: Path) -> None:
    lines: list[str] = []
    s = Settings()
    res = bench_matching(s, [300], repeats=1, warmup=1, cold_repeats=1, retrieval_repeats=2,
                         templates=20,
                         throughput_s=0.5,
                         heap="512m", pagecache="64m", home=tmp_path / "bench-neo4j",
                         log_=lines.append)
    assert res["encoder_sentences_per_s"] > 0
    assert "derived" in res["vectors"]  # synthetic vectors are labelled as such
    (size,) = res["sizes"]
    assert size["companies"] == 300 and size["warmup_passes"] == 1
    assert size["hybrid_samples"] == 10 and size["retrieval_samples"] == 20  # 10 questions
    assert size["dense_k"] == s.match.dense_pool
    for key in ("hybrid", "query_encode", "dense_index", "bruteforce_numpy", "index_top10",
                "bruteforce_numpy_top10"):
        assert 0 < size[f"{key}_p50_ms"] <= size[f"{key}_p95_ms"], key
    # ratios of the unrounded p95s
    assert size["ratio_dense_p95_vs_bruteforce"] == pytest.approx(
        size["dense_index_p95_ms"] / size["bruteforce_numpy_p95_ms"], rel=0.05)
    assert size["ratio_index_top10_p95_vs_bruteforce"] == pytest.approx(
        size["index_top10_p95_ms"] / size["bruteforce_numpy_top10_p95_ms"], rel=0.05)
    # encoding is part of the per-question total, never less than either part alone
    assert size["dense_index_with_encoding_p95_ms"] >= size["query_encode_p50_ms"]
    # where the hybrid time goes: every question is encoded, searched and fused; the
    # feedback encoding runs only for questions whose concepts were found by embedding
    stages = size["hybrid_stages_ms"]
    for stage in ("encode", "dense", "graph", "lexical", "fuse", "total"):
        assert stages[stage]["samples"] == 10, stage
        assert 0 <= stages[stage]["p50"] <= stages[stage]["p95"], stage
    # the matcher's own total lies inside the timed call, sample by sample (0.1 ms rounding)
    assert stages["total"]["p95"] <= size["hybrid_p95_ms"] + 0.1
    assert stages["total"]["p50"] >= stages["encode"]["p50"]
    assert stages.get("encode_expanded", {"samples": 0})["samples"] <= 10
    assert len(lines) == 1
    # the dense hub penalty on (the settings) vs. off (hub_penalty=0), same run: as many
    # samples of each, and the ratios are those of the unrounded percentiles
    hub = size["hub_penalty"]
    assert hub["settings"]["hub_penalty"] == s.match.hub_penalty > 0
    assert hub["hybrid_on_p95_ms"] == size["hybrid_p95_ms"]
    assert len(hub["hybrid_off_stages_ms"]["total"]) == 3
    assert hub["hybrid_off_stages_ms"]["total"]["samples"] == 10
    for arm in ("hybrid", "dense"):
        for q in (50, 95):
            assert hub[f"ratio_{arm}_on_off_p{q}"] == pytest.approx(
                hub[f"{arm}_on_p{q}_ms"] / hub[f"{arm}_off_p{q}_ms"], rel=0.05), (arm, q)
    # the bank holds the stored questions a production graph would have, besides concepts
    assert hub["bank"]["questions"] == s.match.hub_bank_questions
    assert hub["bank"]["concepts"] > 0
    cold = hub["cold_cache"]
    assert cold["samples"] == 10 and cold["bank_build_p50_ms"] > 0
    for k in ("bank_and_nodes_cold", "nodes_cold", "warm", "off"):
        assert 0 < cold[k]["dense_p50_ms"] <= cold[k]["dense_p95_ms"], k
