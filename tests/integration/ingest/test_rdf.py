"""RDF export and import against the real Neo4j: the seed graph survives export -> empty graph
-> import -> export unchanged (isomorphic), the Turtle passes rapper, provenance and capability
origin are in the file, and a bad file changes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyshacl
import pytest
from neo4j import Driver
from rdflib import RDF, BNode, Graph, Literal
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, PROV

from graph.queries import admin as admin_q
from graph.schema import apply_schema, clear_graph
from ingest.errors import IngestError
from ingest.rdf.common import parse_rdf, statement_iri
from ingest.rdf.export import export_rdf, serialize
from ingest.rdf.import_ import import_rdf
from ingest.seed import load_seed
from ontology.concepts import shapes_graph
from ontology.taxonomy import load_taxonomy
from ontology.vocab import ID_BASE, PA, iri_for, parse_iri
from tests.conftest import TEST_EMBEDDING, unavailable

COMPANY_STATE = """
MATCH (c:Company)
OPTIONAL MATCH (c)-[r:HAS_CAPABILITY]->(k:Capability)
WITH c, collect([k.id, r.source, r.confidence, r.evidence, r.set_by]) AS caps
RETURN c.kvk_number AS kvk, c.source AS source, c.imported_at AS imported_at,
       c.file_hash AS file_hash, c.concept_terms AS concept_terms, c.synthetic AS synthetic,
       c.description AS description, c.employees AS employees,
       c.last_verified AS last_verified, caps
ORDER BY kvk
"""
# What the seed does not have yet but registrations will: a company's own declaration and a
# verification date. Both must survive the round trip too.
SELF_DECLARED = """
MATCH (c:Company {kvk_number: '99000005'})-[r:HAS_CAPABILITY]->()
WITH c, r LIMIT 1
SET r.set_by = 'company', c.last_verified = date('2025-06-30')
"""
# The agenda's asks (issue 21) are not part of the RDF export: they are reloaded from
# agenda_asks.csv and their status is the province's working state, like users and the audit.
# Nor are the loket's desks (issue 20): routing configuration with e-mail addresses, reloaded
# from desks.csv, not knowledge about the region.
COUNT_RELS = "MATCH (a)-[r]->() WHERE NOT a:AgendaAsk RETURN count(r) AS n"


def _rows(driver: Driver, query: str) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(query)
    return [dict(r) for r in records]


def _state(driver: Driver) -> dict[str, Any]:
    labels = {r["label"]: r["n"] for r in _rows(driver, admin_q.COUNT_BY_LABEL)
              if r["label"] not in ("ParaatMeta", "ImportRun", "AgendaAsk", "Desk")}
    companies = [{**r, "caps": sorted(r["caps"], key=str)}
                 for r in _rows(driver, COMPANY_STATE)]
    return {"labels": labels, "rels": _rows(driver, COUNT_RELS)[0]["n"],
            "companies": companies}


def _counts(driver: Driver) -> tuple[int, int]:
    return (_rows(driver, admin_q.COUNT_NODES)[0]["n"], _rows(driver, COUNT_RELS)[0]["n"])


def _empty(driver: Driver) -> None:
    clear_graph(driver)
    apply_schema(driver, TEST_EMBEDDING)


def assert_isomorphic(a: Graph, b: Graph, what: str) -> None:
    if isomorphic(a, b):
        return
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))

    def head(g: Graph) -> str:
        lines = sorted(g.serialize(format="nt").splitlines())
        more = f"\n  … {len(lines) - 40} more" if len(lines) > 40 else ""
        return "\n  ".join(lines[:40]) + more

    pytest.fail(f"{what}: graphs differ ({len(only_a)} triples only in the first, "
                f"{len(only_b)} only in the second)\nonly in first:\n  {head(only_a)}\n"
                f"only in second:\n  {head(only_b)}", pytrace=False)


@pytest.fixture
def seeded(driver: Driver) -> Driver:
    load_seed(driver)
    return driver


def test_turtle_round_trip_restores_the_graph(seeded: Driver) -> None:
    seeded.execute_query(SELF_DECLARED)
    before = _state(seeded)
    exported = export_rdf(seeded)
    dopple = iri_for("company", "99000005")
    assert len(list(exported.triples((None, PROV.wasAttributedTo, dopple)))) == 1
    assert exported.value(dopple, PA.lastVerified) is not None
    text = serialize(exported, "turtle")

    _empty(seeded)
    summary = import_rdf(seeded, text, "turtle")
    assert summary["Company"] == before["labels"]["Company"]
    assert summary["ignored_triples"] == 0

    assert_isomorphic(exported, export_rdf(seeded), "export -> import -> export")
    # The Neo4j side too: counts, edge properties, provenance and the recomputed terms.
    assert _state(seeded) == before
    hashes = _rows(seeded, "MATCH (c:Company) WHERE c.record_hash IS NULL RETURN c")
    assert hashes == []


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_json_ld_and_nt_parse_back_isomorphic(seeded: Driver) -> None:
    # Import after parsing is the same code for every format (see the Turtle round trip).
    exported = export_rdf(seeded)
    for fmt in ("json-ld", "nt"):
        assert_isomorphic(exported, parse_rdf(serialize(exported, fmt), fmt),
                          f"{fmt} serialise -> parse")


def test_turtle_passes_rapper_without_warnings(seeded: Driver, tmp_path: Path) -> None:
    rapper = shutil.which("rapper")
    if rapper is None:
        unavailable("rapper (apt-get install raptor2-utils) is not installed; "
                    "with CI=true this is a failure")
    assert rapper is not None
    path = tmp_path / "paraat.ttl"
    graph = export_rdf(seeded)
    path.write_text(serialize(graph, "turtle"), encoding="utf-8")
    run = subprocess.run([rapper, "-i", "turtle", "-c", str(path)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    problems = [line for line in run.stderr.splitlines()
                if "error" in line.lower() or "warning" in line.lower()]
    assert problems == [], run.stderr
    assert f"returned {len(graph)} triples" in run.stderr


def test_export_has_provenance_and_capability_origin(seeded: Driver) -> None:
    from rdflib.namespace import XSD  # not at module level: pytest's collector pokes at it

    g = export_rdf(seeded)
    companies = set(g.subjects(RDF.type, PA.Company))
    assert len(companies) == 12
    for c in companies:
        assert isinstance(g.value(c, DCTERMS.source), Literal), c
        when = g.value(c, PROV.generatedAtTime)
        assert isinstance(when, Literal) and when.datatype == XSD.dateTime, c
        derived = g.value(c, PROV.wasDerivedFrom)
        assert derived is not None and str(derived).startswith("ni:///sha-256;"), c

    origins: dict[str, int] = {}
    for c in companies:
        kvk = parse_iri(str(c))[1]  # type: ignore[index]
        for cap in g.objects(c, PA.hasCapability):
            st = statement_iri(kvk, parse_iri(str(cap))[1])  # type: ignore[index]
            assert (st, RDF.type, RDF.Statement) in g
            assert (st, RDF.subject, c) in g and (st, RDF.object, cap) in g
            source = str(g.value(st, PA.capabilitySource))
            conf = g.value(st, PA.confidence)
            assert isinstance(conf, Literal) and conf.datatype == XSD.decimal
            origins[source] = origins.get(source, 0) + 1
            if source == "inferred":
                assert g.value(st, DCTERMS.description) is not None  # the evidence
    assert set(origins) == {"declared", "inferred"}, origins

    # Blank nodes only where the ontology itself has them (OWL datatype restrictions, lists):
    # instance data has fixed IRIs, so diffs between exports stay readable.
    ontology = load_taxonomy().graph(include_shapes=False)
    with_bnodes = {t for t in g if any(isinstance(x, BNode) for x in t)}
    assert with_bnodes <= set(ontology)
    # Companies in the export conform to the registration shapes (one pa:description etc.).
    conforms, _, report = pyshacl.validate(g, shacl_graph=shapes_graph(), inference="none")
    assert conforms, report
    # Derived and internal values stay out.
    teijin = iri_for("company", "99000001")
    preds = {str(p) for p in g.predicates(teijin)}
    assert not any(p.endswith(("embedding", "record_hash", "concept_terms")) for p in preds)


BAD_INPUTS: list[tuple[str, str | bytes, str, str]] = [
    ("garbage bytes", b"\x89PNG\r\n\x1a\n\x00\xff\xfe garbage", "turtle", "not UTF-8"),
    ("not JSON", "{ this is not json", "json-ld", "Cannot parse"),
    ("remote context", '{"@context": "https://example.org/ctx.jsonld", "@id": "x"}',
     "json-ld", "remote JSON-LD context"),
    ("no Paraat data", "<http://example.org/a> <http://example.org/b> \"c\" .", "nt",
     "no Paraat data"),
    ("unknown municipality",
     "@prefix pa: <https://w3id.org/paraat/ontology#> .\n"
     "<https://w3id.org/paraat/id/company/12345678> a pa:Company ;\n"
     "  pa:locatedIn <https://w3id.org/paraat/id/municipality/atlantis> .\n",
     "turtle", "not defined in the file"),
    ("bad company",
     "@prefix pa: <https://w3id.org/paraat/ontology#> .\n"
     "@prefix schema: <https://schema.org/> .\n"
     "<https://w3id.org/paraat/id/company/12345678> a pa:Company ;\n"
     "  schema:name \"X\" ; pa:employees \"many\" .\n",
     "turtle", "pa:employees"),
]


def test_bad_rdf_raises_and_leaves_the_graph_unchanged(seeded: Driver) -> None:
    ttl = serialize(export_rdf(seeded), "turtle")
    # Cut inside a statement: the parser must not accept a silently shorter graph.
    truncated = ttl[: ttl.index(" ;\n", len(ttl) // 2)]
    cases = [("truncated Turtle", truncated, "turtle", "Cannot parse"), *BAD_INPUTS]
    before = _counts(seeded)
    for name, data, fmt, expected in cases:
        with pytest.raises(IngestError) as info:
            import_rdf(seeded, data, fmt)
        msg = str(info.value)
        assert expected in msg, f"{name}: {msg}"
        assert "\n" not in msg, f"{name}: message is not one line: {msg!r}"
        assert _counts(seeded) == before, f"{name} changed the graph"


def _paraat(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, env={**base, **env}, timeout=300)


def test_cli_export_and_ingest(seeded: Driver, neo4j_env: dict[str, str],
                               tmp_path: Path) -> None:
    out = tmp_path / "graph.nt"
    run = _paraat("export", "rdf", "--format", "nt", "--out", str(out), env=neo4j_env)
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""  # the data went to the file, the progress line to stderr
    exported = Graph().parse(out, format="nt")
    assert_isomorphic(export_rdf(seeded), exported, "CLI export")

    _empty(seeded)
    run = _paraat("ingest", "rdf", str(out), "--no-embed", env=neo4j_env)
    assert run.returncode == 0, run.stderr
    assert_isomorphic(exported, export_rdf(seeded), "CLI ingest")


def test_unknown_extension_needs_a_format(session_driver: Driver, tmp_path: Path) -> None:
    path = tmp_path / "graph.rdfx"
    path.write_text("", "utf-8")
    with pytest.raises(IngestError, match="--format"):
        import_rdf(session_driver, path)


def _help_text(*args: str) -> str:
    run = subprocess.run([sys.executable, "-m", "app.cli", *args, "--help"],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    assert run.returncode == 0, run.stderr
    return " ".join(run.stdout.replace("│", " ").split())


def test_export_help_tells_the_truth_about_blank_nodes(seeded: Driver, neo4j_env: dict[str, str],
                                                       tmp_path: Path) -> None:
    # What `paraat export rdf --help` promises about blank nodes, checked against a real
    # export made by the same command: it said "no blank nodes" over a file that had 11.
    out = tmp_path / "export.ttl"
    run = subprocess.run([sys.executable, "-m", "app.cli", "export", "rdf", "-o", str(out)],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, **neo4j_env})
    assert run.returncode == 0, run.stderr
    g = Graph().parse(out, format="turtle")
    bnodes = {x for t in g for x in t if isinstance(x, BNode)}
    ontology = load_taxonomy().graph(include_shapes=False)
    in_ontology = {x for t in ontology for x in t if isinstance(x, BNode)}

    text = _help_text("export", "rdf").lower()
    assert len(bnodes) == len(in_ontology) > 0
    assert "no blank nodes)" not in text and not text.rstrip(".").endswith("no blank nodes")
    # The help names where the blank nodes are: the ontology's OWL axioms, not instance data.
    assert "instance data" in text and "no blank nodes" in text, text
    assert "blank nodes are those of the ontology's own owl axioms" in text, text
    # ... and that is so: no triple with a blank node touches an instance IRI, and there
    # are as many of them as the ontology has.
    with_bnodes = [t for t in g if any(isinstance(x, BNode) for x in t)]
    assert not [t for t in with_bnodes if any(str(x).startswith(ID_BASE) for x in t)]
    assert len(with_bnodes) == sum(1 for t in ontology if any(isinstance(x, BNode) for x in t))
