"""Every Cypher statement Paraat runs, as a named constant, one module per area (what the
statements serve): admin, schema, taxonomy, seed, companies, matching, rdf, users, audit,
idempotency, lists, loket, demand, registrations, groups, explorer, bulk.

Values always travel as parameters (`$name`); batches go through `UNWIND $rows`. Labels,
relationship types and property keys are fixed here, never built from user input. This
package re-exports nothing: callers import the areas they use, named `<area>_q`
(`from graph.queries import matching as matching_q`).
"""
