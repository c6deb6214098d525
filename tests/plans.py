"""The work PostgreSQL does for what a test runs: EXPLAIN ANALYZE of every query it sent.

Counting queries is not enough (a single query can read every row of a table). The planner may
prefer reading a whole table when it is tiny (a sequential scan, or a hash or merge join of whole
tables), and which it prefers depends on statistics that other tests leave behind, so those plans
are discouraged here: a query that still reads more rows when the data grow has no index to read
its rows from.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

# What the planner prefers on tiny tables but cannot afford on large ones: reading a whole table,
# or joining by hashing or merging whole tables instead of looking rows up by index.
DISCOURAGED = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")
SCANS = {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan"}


@dataclass
class Work:
    rows: int = 0  # rows the scans read, kept or not (filtered out, or a lossy index's misses)
    indexes: set[str] = field(default_factory=set)  # every index a plan read
    scans: set[tuple[str, str]] = field(default_factory=set)  # (how, table): ("Seq Scan", "accounts_user")

    def read(self, table: str) -> set[str]:
        """How the plans read ``table``: "Index Scan" (in the index's order), "Bitmap Heap Scan"
        (the rows an index found, in no order), "Seq Scan" (all of it)..."""
        return {how for how, name in self.scans if name == table}


def work_of(run: Callable[[], object]) -> Work:
    """Run ``run`` and explain every SELECT it sent (a server-side cursor's too)."""
    with CaptureQueriesContext(connection) as queries:
        run()
    work = Work()
    with connection.cursor() as cursor:
        for setting in DISCOURAGED:
            cursor.execute(f"SET {setting} = off")
        for query in queries.captured_queries:
            sql = query["sql"].strip()
            if sql.startswith("DECLARE"):  # a server-side cursor (QuerySet.iterator()): its SELECT
                sql = sql.partition(" FOR ")[2]
            if not sql.upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            _add(work, (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])
        for setting in DISCOURAGED:
            cursor.execute(f"RESET {setting}")
    return work


def _add(work: Work, node: dict) -> None:
    if node["Node Type"] in SCANS:
        read = (
            node["Actual Rows"] + node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
        )
        work.rows += read * node["Actual Loops"]
    if "Index Name" in node:
        work.indexes.add(node["Index Name"])
    if node["Node Type"] in SCANS:
        work.scans.add((node["Node Type"], node["Relation Name"]))
    for child in node.get("Plans", []):
        _add(work, child)


def analyze() -> None:
    """What autovacuum does after the data grew: the planner's statistics refreshed and, outside a
    transaction (a test with ``transactional_db``), the tables vacuumed, which keeps a GIN index's
    own statistics current and merges the rows written into its pending list (without it, the
    planner prices a grown GIN index by guesswork)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
