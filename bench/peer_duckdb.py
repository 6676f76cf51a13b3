#!/usr/bin/env python3
"""Peer (f') of bench/run.sh, through the duckdb Python module (used when no duckdb CLI is
on the PATH): one table per file with read_csv(..., all_varchar=true).

    python3 bench/peer_duckdb.py ITEMS.json DB

ITEMS.json comes from bench/lists.py. all_varchar=true stores text, as the other peers do;
DuckDB's default type sniffing fails on the rpls files of the national workload (see
../shared/bench/README.md). Any failed file makes the run fail.
"""
import json
import sys

import duckdb


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: peer_duckdb.py ITEMS.json DB')
    with open(sys.argv[1], encoding='utf-8') as f:
        items = json.load(f)
    con = duckdb.connect(sys.argv[2])
    rows_total = 0
    for it in items:
        skip = ', skip=%d' % it['skip'] if it['skip'] else ''
        con.execute("CREATE TABLE \"%s\" AS SELECT * FROM read_csv('%s', delim='%s', header=true%s, "
                    "all_varchar=true)" % (it['table'], it['path'].replace("'", "''"), it['delim'], skip))
        rows_total += con.execute('SELECT count(*) FROM "%s"' % it['table']).fetchone()[0]
    con.close()
    print(len(items), 'tables', rows_total, 'rows', 'duckdb', duckdb.__version__)


if __name__ == '__main__':
    main()
