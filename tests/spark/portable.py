"""Runs Rollcall's portable SQL (queries/sql/portable/) on Spark over one lake snapshot.

    python3 tests/spark/portable.py SNAPSHOT_DIR JOBS.json OUT.json

JOBS.json: [{"query": "figures_by_academy", "from": "2023-09-01", "to": "2025-03-14",
             "first_year": 2023, "last_year": 2024, "dfe": false}, ...]
OUT.json:  [{"job": <the job>, "rows": [[label..., count x 7], ...], "seconds": s}, ...]

Each table is read from its own directory of the snapshot as Spark discovers it
(academic_year partitions included), registered under the lake's table name, and each
query runs with its parameters bound in order, as docs/scaling.md shows. Spark runs in
local mode (PySpark from PyPI, Java 17).
"""

import datetime
import json
import os
import sys
import time

from pyspark.sql import SparkSession

QUERIES = os.path.join(os.path.dirname(__file__), "..", "..", "queries", "sql", "portable")


def main(snapshot, jobs_path, out_path):
    started = time.monotonic()
    spark = (
        SparkSession.builder.master(os.environ.get("ROLLCALL_SPARK_MASTER", "local[2]"))
        .appName("rollcall-portable")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("ROLLCALL_SPARK_PARTITIONS", "4"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    startup = time.monotonic() - started
    with open(os.path.join(snapshot, "_manifest.json")) as f:
        manifest = json.load(f)
    for table in sorted({f["table"] for f in manifest["files"]}):
        # Trusts with and without identifiers write pupils with other columns.
        spark.read.option("mergeSchema", "true").parquet(
            os.path.join(snapshot, table)
        ).createOrReplaceTempView(table)
    # The sessions both queries read, as a view over those tables.
    with open(os.path.join(QUERIES, "possible_sessions.sql")) as f:
        spark.sql(f.read()).createOrReplaceTempView("possible_sessions")
    with open(jobs_path) as f:
        jobs = json.load(f)
    results = []
    for job in jobs:
        with open(os.path.join(QUERIES, job["query"] + ".sql")) as f:
            sql = f.read()
        args = [
            datetime.date.fromisoformat(job["from"]),
            datetime.date.fromisoformat(job["to"]),
            job["first_year"],
            job["last_year"],
            job["dfe"],
        ]
        began = time.monotonic()
        rows = spark.sql(sql, args=args).collect()
        results.append(
            {
                "job": job,
                "seconds": time.monotonic() - began,
                "rows": [[v if isinstance(v, str) else int(v) for v in row] for row in rows],
            }
        )
    with open(out_path, "w") as f:
        json.dump({"startup_seconds": startup, "results": results}, f)
    spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:4])
