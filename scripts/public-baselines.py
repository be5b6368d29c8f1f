"""Baselines for the public matching benchmarks, measured in the same run as Aurum.

  splink DIR      Splink (Fellegi-Sunter, DuckDB) on the customer columns of DIR/records.csv:
                  u from random pairs, m by EM on two blocking passes, pairs at p >= 0.5.
  tokenset DIR    Each item's best match by token-set similarity of the names, with the threshold
                  that gives the best F1 against the truth (an oracle: no real system knows it).

  across DIR REPORT  The linkage measure of the item sets: only pairs of records from the two shops
                  (DIR/sides.csv) count, for Aurum's pairs in REPORT (an `aurum dedupe --json`
                  report) and for each record's best token-set match in the other shop with an
                  oracle threshold; against the truth with identical listings joined (the pairs
                  across the shops within one DIR/truth.csv cluster) and against the labelled
                  matches alone (DIR/links.csv). Prints {"aurum", "baseline", "aurum_labelled",
                  "baseline_labelled"}.

Prints one JSON object: precision, recall, f1, seconds, pairs (predicted).
"""
import csv
import itertools
import json
import re
import sys
import time


def truth_pairs(directory, name="truth.csv"):
    clusters = {}
    for row in csv.DictReader(open(f"{directory}/{name}")):
        clusters.setdefault(row["cluster"], []).append(row["source_key"])
    pairs = set()
    for members in clusters.values():
        for a, b in itertools.combinations(sorted(members), 2):
            pairs.add((a, b))
    return pairs


def scores(found, truth):
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": len(found)}


def splink(directory):
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    start = time.time()
    df = pd.read_csv(f"{directory}/records.csv", dtype=str, keep_default_na=False).rename(columns={"source_key": "unique_id"})
    df = df.replace({"": None})
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("street", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("street2", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("city", [0.92, 0.8]),
            cl.DamerauLevenshteinAtThresholds("zip", [1]),
            cl.ExactMatch("state"),
            cl.DamerauLevenshteinAtThresholds("ref", [1, 2]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name"), block_on("zip"), block_on("ref"), block_on("street"), block_on("city", "state"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(df, settings, db_api=DuckDBAPI())
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("zip"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    found = {tuple(sorted((a, b))) for a, b in zip(predictions.unique_id_l, predictions.unique_id_r)}
    result = scores(found, truth_pairs(directory))
    result["seconds"] = time.time() - start
    return result


def words(text):
    text = re.sub(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ", text.lower())
    return {w for w in re.split(r"[^a-z0-9.]+", text) if w}


def tokenset(directory, truth_name="truth.csv"):
    start = time.time()
    rows = list(csv.DictReader(open(f"{directory}/records.csv")))
    names = [words(r["name"]) for r in rows]
    best = {}
    for i, j in itertools.combinations(range(len(rows)), 2):
        a, b = names[i], names[j]
        if not a or not b:
            continue
        similarity = len(a & b) / min(len(a), len(b))
        for x, y in ((i, j), (j, i)):
            if x not in best or similarity > best[x][0]:
                best[x] = (similarity, y)
    candidates = {}
    for x, (similarity, y) in best.items():
        pair = tuple(sorted((rows[x]["source_key"], rows[y]["source_key"])))
        candidates[pair] = max(similarity, candidates.get(pair, 0))
    truth = truth_pairs(directory, truth_name)
    result = {"f1": -1}
    for threshold in sorted(set(candidates.values())):
        found = {p for p, s in candidates.items() if s >= threshold}
        scored = scores(found, truth)
        if scored["f1"] > result["f1"]:
            result = dict(scored, threshold=threshold)
    result["seconds"] = time.time() - start
    return result


def across(directory, report):
    sides = {row["source_key"]: row["side"] for row in csv.DictReader(open(f"{directory}/sides.csv"))}

    def oriented(a, b):
        if sides.get(a) == "right" and sides.get(b) == "left":
            a, b = b, a
        return (a, b) if sides.get(a) == "left" and sides.get(b) == "right" else None
    labelled = {(row["left"], row["right"]) for row in csv.DictReader(open(f"{directory}/links.csv"))}
    joined = {p for p in (oriented(a, b) for a, b in truth_pairs(directory)) if p}
    found = {p for p in (oriented(pair["a"], pair["b"]) for pair in json.load(open(report))["pairs"]) if p}
    rows = list(csv.DictReader(open(f"{directory}/records.csv")))
    names = {r["source_key"]: words(r["name"]) for r in rows}
    left = [k for k in names if sides.get(k) == "left"]
    right = [k for k in names if sides.get(k) == "right"]
    candidates = {}
    for mine, others in ((left, right), (right, left)):
        for x in mine:
            best = None
            for y in others:
                a, b = names[x], names[y]
                if a and b:
                    similarity = len(a & b) / min(len(a), len(b))
                    if best is None or similarity > best[0]:
                        best = (similarity, y)
            if best:
                pair = oriented(x, best[1])
                candidates[pair] = max(best[0], candidates.get(pair, 0))

    def baseline(truth):
        best = {"f1": -1}
        for threshold in sorted(set(candidates.values())):
            scored = scores({p for p, s in candidates.items() if s >= threshold}, truth)
            if scored["f1"] > best["f1"]:
                best = dict(scored, threshold=threshold)
        return best
    return {"aurum": scores(found, joined), "baseline": baseline(joined),
            "aurum_labelled": scores(found, labelled), "baseline_labelled": baseline(labelled)}

if __name__ == "__main__":
    kind, directory = sys.argv[1], sys.argv[2]
    if kind == "across":
        print(json.dumps(across(directory, sys.argv[3])))
        sys.exit(0)
    truth_name = sys.argv[3] if len(sys.argv) > 3 else "truth.csv"
    print(json.dumps(splink(directory) if kind == "splink" else tokenset(directory, truth_name)))
