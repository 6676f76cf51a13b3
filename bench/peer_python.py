#!/usr/bin/env python3
"""Peer (d) of bench/run.sh: Python csv + sqlite3.executemany, one TEXT table per file.

    python3 bench/peer_python.py ITEMS.json DB

ITEMS.json comes from bench/lists.py. The loop is py_load.py of ../shared/bench/README.md:
files opened as utf-8-sig (the CAF BOM), `skip` lines dropped above the header, one
transaction per file. Prints the number of tables and rows.
"""
import csv
import json
import sqlite3
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: peer_python.py ITEMS.json DB')
    with open(sys.argv[1], encoding='utf-8') as f:
        items = json.load(f)
    con = sqlite3.connect(sys.argv[2])
    rows_total = 0
    for it in items:
        with open(it['path'], encoding='utf-8-sig', newline='') as f:
            for _ in range(it['skip']):
                f.readline()
            rd = csv.reader(f, delimiter=it['delim'])
            header = next(rd)
            cols = ', '.join('"%s" TEXT' % h.replace('"', '""') for h in header)
            con.execute('CREATE TABLE "%s" (%s)' % (it['table'], cols))
            before = con.total_changes
            con.executemany('INSERT INTO "%s" VALUES (%s)' % (it['table'], ','.join('?' * len(header))), rd)
            con.commit()
            rows_total += con.total_changes - before
    con.close()
    print(len(items), 'tables', rows_total, 'rows')


if __name__ == '__main__':
    main()
