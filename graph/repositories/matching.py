"""The matcher's reads (the three signals, the shortlist, filter choices) and the stored
demand question: every call the matcher makes to Neo4j, each one round trip."""

from __future__ import annotations

from typing import Any

from neo4j import Record

from graph.queries import matching as matching_q
from graph.repositories.base import Repository


class MatchingRepository(Repository):
    """Reads run as single auto-commit transactions (`base.read`): one round trip each."""

    def concept_vectors(self) -> list[Record]:
        return self._read(matching_q.MATCH_CONCEPT_VECTORS)

    def lexical(self, lucene: str, *, filtered: bool, k: int, limit: int,
                filters: dict[str, Any]) -> list[Record]:
        query = matching_q.with_trust(matching_q.MATCH_LEXICAL, filters) if filtered \
            else matching_q.MATCH_LEXICAL_ALL
        return self._read(query, question={"lucene": lucene}, k=k, limit=limit,
                          filters=filters)

    def graph_paths(self, concepts: list[dict[str, Any]], *, filtered: bool,
                    weights: dict[str, float], per_path: int,
                    filters: dict[str, Any]) -> list[Record]:
        """`weights`: w_direct, w_narrower, w_broader, w_cluster."""
        query = matching_q.with_trust(matching_q.MATCH_GRAPH, filters) if filtered \
            else matching_q.MATCH_GRAPH_ALL
        return self._read(query, question={"concepts": concepts}, per_path=per_path,
                          filters=filters, **weights)

    def count_filtered(self, filters: dict[str, Any]) -> int:
        query = matching_q.with_trust(matching_q.COUNT_FILTERED_COMPANIES, filters)
        return int(self._read(query, filters=filters)[0]["n"])

    def dense_exact(self, vector: list[float], limit: int, filters: dict[str, Any]
                    ) -> list[Record]:
        return self._read(matching_q.with_trust(matching_q.MATCH_DENSE_EXACT, filters),
                          vector=vector, limit=limit, filters=filters)

    def dense_index(self, vector: list[float], *, filtered: bool, k: int, limit: int,
                    filters: dict[str, Any]) -> list[Record]:
        query = matching_q.with_trust(matching_q.MATCH_DENSE_INDEX, filters) if filtered \
            else matching_q.MATCH_DENSE_INDEX_ALL
        return self._read(query, vector=vector, k=k, limit=limit, filters=filters)

    def vector_index_top(self, vector: list[float], k: int) -> list[Record]:
        """The company vector index alone, its own scores (benchmarks compare it)."""
        return self._read(matching_q.VECTOR_INDEX_TOP, vector=vector, k=k)

    def candidates(self, kvks: list[str], vector: list[float]) -> list[Record]:
        return self._read(matching_q.MATCH_CANDIDATES, shortlist={"kvks": kvks},
                          vector=vector)

    def candidate_cosines(self, kvks: list[str], vector: list[float]) -> list[Record]:
        return self._read(matching_q.MATCH_CANDIDATE_COSINES, kvks=kvks, vector=vector)

    def supply_embeddings(self, kvks: list[str]) -> list[Record]:
        return self._read(matching_q.MATCH_SUPPLY_EMBEDDINGS, shortlist={"kvks": kvks})

    def question_bank(self, dimension: int, limit: int) -> list[Record]:
        """The newest stored questions' embeddings of this dimension (the hub penalty)."""
        return self._read(matching_q.MATCH_QUESTION_BANK, dimension=dimension, limit=limit)

    def replace_bank_questions(self, questions: list[dict[str, Any]]) -> None:
        """`paraat eval` only: its bank questions (id, question, lang, embedding) replaced."""
        self._write(matching_q.DELETE_BANK_QUESTIONS)
        if questions:
            self._write(matching_q.CREATE_BANK_QUESTIONS, questions=questions)

    def count_companies(self) -> int:
        return int(self._read(matching_q.MATCH_COUNT_COMPANIES)[0]["n"])

    def filter_choices(self) -> Record:
        return self._read(matching_q.FILTER_CHOICES)[0]

    def create_demand_question(self, q: dict[str, Any]) -> None:
        """One map parameter: one plan whether or not there are hits, concepts or areas."""
        self._write(matching_q.CREATE_DEMAND_QUESTION, q=q)

    def supply_attributes(self, keys: list[str]) -> list[Record]:
        """Area and access of the candidates that have them (a question states either)."""
        return self._read(matching_q.MATCH_SUPPLY_ATTRIBUTES, shortlist={"kvks": keys})
