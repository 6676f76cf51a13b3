#!/usr/bin/env python3
"""Peer (e) of bench/run.sh: pandas read_csv(sep, dtype=str) + to_sql, one table per file.

    python3 bench/peer_pandas.py ITEMS.json DB

ITEMS.json comes from bench/lists.py. The loop is pd_load.py of ../shared/bench/README.md.
"""
import json
import sqlite3
import sys

import pandas as pd


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: peer_pandas.py ITEMS.json DB')
    with open(sys.argv[1], encoding='utf-8') as f:
        items = json.load(f)
    con = sqlite3.connect(sys.argv[2])
    rows_total = 0
    for it in items:
        df = pd.read_csv(it['path'], sep=it['delim'], dtype=str, encoding='utf-8-sig',
                         skiprows=it['skip'])
        df.to_sql(it['table'], con, index=False)
        rows_total += len(df)
    con.close()
    print(len(items), 'tables', rows_total, 'rows', 'pandas', pd.__version__)


if __name__ == '__main__':
    main()
