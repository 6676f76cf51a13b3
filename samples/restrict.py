#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Restrict the real INSEE / CAF files of ../shared/data/real to départements 81 and 31.

    python3 samples/restrict.py [--src ../shared/data/real] [--out samples]

Standard library only.  Byte-faithful: every kept line (header, title and data lines) is copied
byte for byte from the original, terminator included, in the original order; the encoding, BOM,
line endings and quoting are therefore those of the original.  If the original's last line has no
terminator, the restricted file's last line has none either.  A line is only decoded to decide
whether it is kept.  See samples/README.md for the rule used for each file.

Generator support rows: gen_workload.py names each EPCI after its most populous member commune,
looked up in the whole COG.  When an EPCI of 81/31 has its most populous member in another
département, the restricted inputs alone would give it another name.  For those EPCI (and only
those), the member's rows of cog_commune_2022.csv, table-appartenance-geo-communes-22_COM.csv and
base_cc_comparateur.CSV are kept too, so that the generator writes the same files from samples/insee
as from the national files.  They are listed on stderr and in samples/README.md.
"""
import argparse
import csv
import os
import re
import sys

DEPS = ('81', '31')
HERE = os.path.dirname(os.path.abspath(__file__))


def in_deps(code):
    return code.startswith(DEPS)


# file -> (folder, encoding, separator, rule)
#   rule: ('col', NAME)          keep the row when column NAME starts with 81 / 31
#         ('any', NAME1, NAME2)  ... when either column does
#         ('meta',)              dictionaries: variable rows (COD_MOD empty) all kept,
#                                CODGEO modality rows restricted on COD_MOD
FILES = [
    ('insee', 'base_cc_comparateur.CSV', 'utf-8', ';', ('col', 'CODGEO')),
    ('insee', 'cc_filosofi_2020_COM.csv', 'utf-8', ';', ('col', 'CODGEO')),
    ('insee', 'cc_filosofi_2021_COM.csv', 'utf-8', ';', ('col', 'CODGEO')),
    ('insee', 'cog_commune_2022.csv', 'utf-8', ',', ('col', 'DEP')),
    ('insee', 'historiq2017.txt', 'cp1252', '\t', ('col', 'DEP')),
    ('insee', 'meta_base-cc-logement-2021.CSV', 'utf-8', ';', ('meta',)),
    ('insee', 'meta_base_cc_comparateur.CSV', 'utf-8', ';', ('meta',)),
    ('insee', 'passage_2016_2017.csv', 'utf-8', ';', ('any', 'cod2016', 'cod2017')),
    ('insee', 'reference_IRIS_2021.csv', 'utf-8-sig', ';', ('col', 'DEP')),
    ('insee', 'table-appartenance-geo-communes-22_COM.csv', 'utf-8', ';', ('col', 'DEP')),
    ('caf', 'data_CAF_2018_IRIS.csv', 'utf-8', ';', ('col', 'CODGEO')),
    ('caf', 'data_CAF_2019_IRIS.csv', 'utf-8', ';', ('col', 'CODGEO')),
    ('caf', 'data_CAF_2020_IRIS.csv', 'utf-8', ';', ('col', 'CODGEO')),
]
# table-appartenance-geo-communes-22_ARM.csv is skipped: no arrondissement of 81 / 31.

# files that carry the generator support rows, and the column holding the commune code
SUPPORT = {'cog_commune_2022.csv': 'COM',
           'table-appartenance-geo-communes-22_COM.csv': 'CODGEO',
           'base_cc_comparateur.CSV': 'CODGEO'}


def split_lines(data):
    """lines with their terminators (LF or CRLF); the last one may have none."""
    return re.findall(rb'[^\n]*\n|[^\n]+$', data)


def fields(line, enc, sep):
    text = line.decode(enc).rstrip('\r\n')
    return next(csv.reader([text], delimiter=sep))


def header_count(lines, enc, sep):
    """number of lines up to and including the code header (title lines above it)."""
    for i, l in enumerate(lines[:20]):
        f = fields(l, enc, sep)
        if f and f[0] in ('CODGEO', 'COD_VAR', 'TYPECOM', 'DEP', 'cod2016', 'CODE_IRIS'):
            return i + 1
    raise SystemExit('no header line found')


def read(path, enc, sep):
    with open(path, 'rb') as f:
        data = f.read()
    lines = split_lines(data)
    nh = header_count(lines, enc, sep)
    hdr = fields(lines[nh - 1], enc, sep)
    rows = [fields(l, enc, sep) for l in lines[nh:]]
    return data, lines, nh, hdr, rows


def keep_row(rule, ix, r):
    if not r or r == ['']:
        return False
    if rule[0] == 'col':
        return in_deps(r[ix[rule[1]]])
    if rule[0] == 'any':
        return in_deps(r[ix[rule[1]]]) or in_deps(r[ix[rule[2]]])
    if rule[0] == 'meta':
        if r[ix['COD_MOD']] == '':
            return True
        if r[ix['COD_VAR']] == 'CODGEO':
            return in_deps(r[ix['COD_MOD']])
        return True
    raise ValueError(rule)


def support_codes(src):
    """communes outside 81/31 that name an EPCI of 81/31 in gen_workload.py (see above)."""
    _, _, _, h, cog = read(os.path.join(src, 'insee', 'cog_commune_2022.csv'), 'utf-8', ',')
    ci = {k: i for i, k in enumerate(h)}
    _, _, _, h, app = read(os.path.join(src, 'insee', 'table-appartenance-geo-communes-22_COM.csv'),
                           'utf-8', ';')
    ai = {k: i for i, k in enumerate(h)}
    epci = {r[0]: r[ai['EPCI']] for r in app if len(r) == len(h) and r[0]}
    _, _, _, h, cmp_ = read(os.path.join(src, 'insee', 'base_cc_comparateur.CSV'), 'utf-8', ';')
    pi = h.index('P18_POP')
    pop = {}
    for r in cmp_:
        if r:
            try:
                pop[r[0]] = float(r[pi])
            except ValueError:
                pass
    # same rule as gen_workload.build(): first COM in COG order with the largest P18_POP
    best = {}
    mine = set()
    for r in cog:
        if not r or r[ci['TYPECOM']] != 'COM':
            continue
        code = r[ci['COM']]
        e = epci.get(code, '')
        if not e or e.startswith('ZZ'):
            continue
        if in_deps(r[ci['DEP']]):
            mine.add(e)
        p = pop.get(code) or 0.0
        if e not in best or p > best[e][0]:
            best[e] = (p, code)
    out = {}
    for e in sorted(mine):
        code = best[e][1]
        if not in_deps(code):
            out[code] = e
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--src', default=os.path.join(HERE, '..', '..', 'shared', 'data', 'real'),
                    help='folder of the real files (with insee/ and caf/)')
    ap.add_argument('--out', default=HERE, help='samples folder (insee/ and caf/ are written there)')
    a = ap.parse_args(argv)
    extra = support_codes(a.src)
    for code, e in sorted(extra.items()):
        sys.stderr.write('restrict: support row %s (most populous member of EPCI %s)\n' % (code, e))
    for folder, name, enc, sep, rule in FILES:
        data, lines, nh, hdr, rows = read(os.path.join(a.src, folder, name), enc, sep)
        ix = {k: i for i, k in enumerate(hdr)}
        kept = list(lines[:nh])
        n = nsup = 0
        for line, r in zip(lines[nh:], rows):
            if keep_row(rule, ix, r):
                kept.append(line)
                n += 1
            elif name in SUPPORT and r and r[ix[SUPPORT[name]]] in extra:
                kept.append(line)
                nsup += 1
        if n == 0:
            raise SystemExit('restrict: %s: no data row of %s' % (name, '/'.join(DEPS)))
        if not lines[-1].endswith(b'\n'):          # original without a final terminator
            kept[-1] = kept[-1].rstrip(b'\r\n')
        os.makedirs(os.path.join(a.out, folder), exist_ok=True)
        with open(os.path.join(a.out, folder, name), 'wb') as f:
            f.write(b''.join(kept))
        sys.stderr.write('restrict: %s/%s: %d header line(s), %d data rows%s\n' % (
            folder, name, nh, n + nsup, ' (%d support)' % nsup if nsup else ''))


if __name__ == '__main__':
    main()
