#!/usr/bin/env python3
"""Runs sql/cooccurrence.sql on DuckDB over an interactions file (the builder's CSV format) and
writes pairs.csv and popularity.csv for `vitrine-model build --pairs … --popularity …`.

    python3 scripts/cooccurrence_duckdb.py interactions.csv OUTDIR

Only the loading of `vitrine_interactions` is DuckDB-specific (docs/SCALE.md shows the Spark
equivalent); the SQL file runs as it is. Timestamps: epoch ms, or ISO-8601 without an offset
(read as UTC).
"""
import os
import sys

import duckdb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    cols = [r[0].lower() for r in con.execute(
        "DESCRIBE SELECT * FROM read_csv(?, header = true, all_varchar = true)", [source]).fetchall()]
    event = "event" if "event" in cols else "NULL"
    quantity = "TRY_CAST(quantity AS DOUBLE)" if "quantity" in cols else "NULL"
    price = "TRY_CAST(NULLIF(price, '') AS DOUBLE)" if "price" in cols else "NULL"
    user = "user_id" if "user_id" in cols else "NULL"
    con.execute(f"""
        CREATE VIEW vitrine_interactions AS
        SELECT {user} AS user_id, order_id, item_id, {quantity} AS quantity, {price} AS price, {event} AS event,
               CASE WHEN regexp_full_match(timestamp, '-?[0-9]+(\\.[0-9]+)?')
                    THEN CAST(floor(CAST(timestamp AS DOUBLE)) AS BIGINT)
                    ELSE epoch_ms(CAST(timestamp AS TIMESTAMP)) END AS ts_ms
        FROM read_csv(SOURCE, header = true, all_varchar = true)
    """.replace("SOURCE", "'" + source.replace("'", "''") + "'"))
    with open(os.path.join(ROOT, "sql", "cooccurrence.sql")) as f:
        text = f.read()
    lines = [line for line in text.splitlines() if not line.strip().startswith("--")]
    for statement in "\n".join(lines).split(";"):
        if statement.strip():
            con.execute(statement)
    for view, name in [("vitrine_pairs", "pairs.csv"), ("vitrine_popularity", "popularity.csv")]:
        path = os.path.join(out, name).replace("'", "''")
        con.execute(f"COPY (SELECT * FROM {view}) TO '{path}' (HEADER, DELIMITER ',')")


if __name__ == "__main__":
    main()
