"""`paraat export rdf` / `paraat ingest rdf`: the graph as RDF in the ontology's own terms.

The export is the ontology (`ontology/paraat.ttl`, the NLD-area and capability schemes) plus
every instance under `https://w3id.org/paraat/id/{kind}/{id}`, so a file can be opened in any
RDF tool and read back into an empty Neo4j. Reading it back and exporting again gives an
isomorphic graph: instance data has no blank nodes (only the ontology's OWL restrictions do),
and every value has one fixed RDF form.

Mapping (Neo4j -> RDF):

- labels -> classes (`pa:Company`, `pa:Cluster` …); capabilities and NLD areas are the SKOS
  concepts of the ontology (`skos:prefLabel`/`altLabel`/`definition`, `skos:broader`, and
  `pa:relevantTo` for IN_AREA, as in `capabilities.ttl`);
- LOCATED_IN, MEMBER_OF, PART_OF, RELEVANT_TO, HAS_CAPABILITY -> `pa:locatedIn`, `pa:memberOf`,
  `pa:partOf`, `pa:relevantTo`, `pa:hasCapability`; KNOWLEDGE_PARTNER is stored
  institution -> ecosystem but `pa:knowledgePartner` has the institution as its range, so the
  triple reads ecosystem `pa:knowledgePartner` institution;
- a company's capability edge also gets a reified `rdf:Statement` (IRI
  `…/company/{kvk}/capability/{id}`), as `paraat.ttl` intends, with `pa:capabilitySource`
  (declared/inferred), `pa:confidence` (xsd:decimal), the evidence as `dct:description`, and
  `prov:wasAttributedTo` the company when the company set it itself (`set_by = 'company'`);
- values: `pa:kvkNumber`, `schema:name`, `pa:description`@nl (Dutch text),
  `schema:description`@en (English text; the shapes allow one `pa:description`),
  `pa:website` (xsd:anyURI; `schema:url` is implied by rdfs:subPropertyOf), `pa:employees`
  (xsd:integer), `pa:sbiCode`, `pa:kvkStatus`, `pa:lastVerified` (xsd:date),
  `geo:lat`/`geo:long` (xsd:decimal), `dct:source`;
- company provenance: `dct:source` (source text), `prov:generatedAtTime` (imported_at,
  xsd:dateTime) and `prov:wasDerivedFrom` the imported file, named by its SHA-256 as an RFC 6920
  `ni:///sha-256;…` IRI (the ontology has no file-hash property, and this needs none);
- the ontology has no terms for a few seed columns, so schema.org ones carry them: `kind` ->
  `schema:additionalType`, `activity` -> `schema:disambiguatingDescription`@nl, a municipality's
  `province`/`main_town` -> `schema:addressRegion`/`schema:addressLocality`, a facility's
  `units` -> `schema:department` (unordered in RDF: read back sorted).

Not exported, because they are derived or internal: embeddings and their hashes,
`record_hash`, `concept_terms`, `import_run` (cleared on import: the provenance is now the
file's), `synthetic` (read back as kvk_status == 'synthetic', which is how the synthetic
generator marks them), `ParaatMeta` and `ImportRun` nodes, and the app's own nodes (demand
questions, users, shortlists …).

The import parses and checks the whole file before it writes anything, so a bad file raises
IngestError and leaves the graph as it was. It then writes the file's concepts (so concept
nodes are exactly what was exported), the reference entities with the seed's queries, and the
companies with queries that set exactly the file's edge properties and provenance (the registry
path would re-infer capabilities and stamp imported_at with now). A company's links are
replaced by the file's. Derived values are computed again: `concept_terms` and `record_hash`
with the packaged taxonomy, like every other pipeline, and embeddings when an encoder is given.

The package: `common` (formats, IRIs, the property mapping, parsing), `export` and `import_`
(`import` is a keyword). It re-exports nothing.
"""
