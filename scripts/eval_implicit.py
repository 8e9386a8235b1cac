#!/usr/bin/env python3
"""Centralized peers for the next-basket evaluation: the `implicit` library's item-kNN
(CosineRecommender) and AlternatingLeastSquares (64 factors), trained on every training customer
of the split that `vitrine-eval uci` writes, recommending without filtering already bought items.

    python3 scripts/eval_implicit.py target/eval/uci      # reads train.csv, test.csv; writes implicit.json

Metrics are defined exactly as in src/eval/metrics.rs (Recall@k, HR@k, NDCG@k; test items the
training data never saw stay in the denominator).
"""
import csv
import json
import math
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import implicit  # noqa: E402
from implicit.als import AlternatingLeastSquares  # noqa: E402
from implicit.nearest_neighbours import CosineRecommender  # noqa: E402

K = 10


def load(folder):
    users, items = {}, {}
    counts = {}
    with open(os.path.join(folder, "train.csv"), newline="") as f:
        for r in csv.DictReader(f):
            u = users.setdefault(r["user_id"], len(users))
            i = items.setdefault(r["item_id"], len(items))
            # One line per item and order: the value is the number of orders holding the item.
            counts[(u, i)] = counts.get((u, i), 0) + 1
    rows, cols = zip(*counts.keys())
    m = sp.csr_matrix(
        (np.fromiter(counts.values(), dtype=np.float32), (rows, cols)),
        shape=(len(users), len(items)),
    )
    test = {}
    with open(os.path.join(folder, "test.csv"), newline="") as f:
        for r in csv.DictReader(f):
            test.setdefault(r["user_id"], set()).add(r["item_id"])
    return users, items, m, test


def score(lists, test):
    n = recall = hr = ndcg = 0.0
    for user, rel in test.items():
        ranked = lists.get(user, [])[:K]
        hits = [r for r, item in enumerate(ranked) if item in rel]
        ideal = sum(1 / math.log2(r + 2) for r in range(min(len(rel), K)))
        n += 1
        recall += len(hits) / len(rel)
        hr += 1.0 if hits else 0.0
        ndcg += sum(1 / math.log2(r + 2) for r in hits) / ideal
    return {"cases": int(n), "recall": recall / n, "hit_rate": hr / n, "ndcg": ndcg / n}


def recommend(model, users, items, m, test):
    names = {v: k for k, v in items.items()}
    ids = [u for u in test if u in users]
    rows = np.array([users[u] for u in ids])
    got, _ = model.recommend(rows, m[rows], N=K, filter_already_liked_items=False)
    return {u: [names[int(i)] for i in got[n] if i >= 0] for n, u in enumerate(ids)}


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "target/eval/uci"
    users, items, m, test = load(folder)
    out = {"implicit_version": implicit.__version__}
    peers = {
        "implicit CosineRecommender (K=20)": CosineRecommender(),
        "implicit CosineRecommender (K=100)": CosineRecommender(K=100),
        "implicit ALS (64 factors)": AlternatingLeastSquares(
            factors=64, random_state=42, use_gpu=False
        ),
    }
    for name, model in peers.items():
        model.fit(m, show_progress=False)
        out[name] = score(recommend(model, users, items, m, test), test)
        print(name, json.dumps(out[name]), file=sys.stderr)
    with open(os.path.join(folder, "implicit.json"), "w") as f:
        json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
