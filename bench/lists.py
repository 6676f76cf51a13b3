#!/usr/bin/env python3
"""The lists bench/run.sh feeds the loaders, from one workload folder.

    python3 bench/lists.py WORKLOAD OUTDIR

Writes into OUTDIR:
  files.txt            every *.csv file of WORKLOAD (any case, recursively, hidden entries
                       skipped), sorted by path relative to WORKLOAD: the order a folder
                       ingest reads them in
  items.json           one object per file: path, table, delim, skip (the peers' loop)
  sqlite_import.sql    .mode csv, then .separator and .import [--skip N] per file
  duckdb_import.sql    CREATE TABLE ... AS SELECT * FROM read_csv(..., all_varchar=true)
and prints "FILES BYTES" on stdout.

As in ../shared/bench/README.md: a table is named after the file's path relative to the
workload, non-alphanumerics turned into '_' and lower-cased (geo_cog_commune_2022); the
separator is ';' or ',', whichever the first line holds more of (';' on a tie; a first line
with neither defers to the first 64 KiB, as bench/csvparse.c does); the table d'appartenance
(appartenance_YYYY.csv) has 5 lines above its CODGEO header.
"""
import json
import os
import re
import sys


def sniff(path):
    with open(path, 'rb') as f:
        head = f.read(65536)
    first = head.split(b'\n', 1)[0]
    semi, comma = first.count(b';'), first.count(b',')
    if semi == 0 and comma == 0:
        semi, comma = head.count(b';'), head.count(b',')
    return ',' if comma > semi else ';'


def sqlite_arg(s):
    # sqlite3 dot-command argument: '...' has no escapes, "..." takes backslash escapes
    if "'" not in s:
        return "'%s'" % s
    return '"%s"' % s.replace('\\', '\\\\').replace('"', '\\"')


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: lists.py WORKLOAD OUTDIR')
    wl, out = sys.argv[1], sys.argv[2]
    files = []
    for root, dirs, names in os.walk(wl):
        dirs[:] = [d for d in dirs if not d.startswith('.')]
        for n in names:
            if not n.startswith('.') and n.lower().endswith('.csv'):
                files.append(os.path.join(root, n))
    files.sort(key=lambda p: os.path.relpath(p, wl))
    if not files:
        sys.exit('lists.py: no .csv file in %s' % wl)
    items, used, total = [], set(), 0
    for p in files:
        rel = os.path.relpath(p, wl)
        table = re.sub(r'[^A-Za-z0-9]+', '_', os.path.splitext(rel)[0]).strip('_').lower() or 't'
        base, k = table, 2
        while table in used:
            table, k = '%s_%d' % (base, k), k + 1
        used.add(table)
        skip = 5 if re.fullmatch(r'appartenance_\d{4}\.csv', os.path.basename(rel), re.I) else 0
        items.append(dict(path=p, table=table, delim=sniff(p), skip=skip))
        total += os.path.getsize(p)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'files.txt'), 'w', encoding='utf-8') as f:
        f.write(''.join(p + '\n' for p in files))
    with open(os.path.join(out, 'items.json'), 'w', encoding='utf-8') as f:
        json.dump(items, f, indent=0)
    with open(os.path.join(out, 'sqlite_import.sql'), 'w', encoding='utf-8') as f:
        f.write('.mode csv\n')
        for it in items:
            f.write('.separator "%s"\n' % it['delim'])
            f.write('.import %s%s %s\n' % ('--skip %d ' % it['skip'] if it['skip'] else '',
                                          sqlite_arg(it['path']), it['table']))
    with open(os.path.join(out, 'duckdb_import.sql'), 'w', encoding='utf-8') as f:
        for it in items:
            skip = ', skip=%d' % it['skip'] if it['skip'] else ''
            f.write("CREATE TABLE \"%s\" AS SELECT * FROM read_csv('%s', delim='%s', header=true%s, "
                    "all_varchar=true);\n" % (it['table'], it['path'].replace("'", "''"), it['delim'], skip))
    print(len(files), total)


if __name__ == '__main__':
    main()
