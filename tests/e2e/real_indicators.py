"""Independent computation of the product.md indicators from the raw real files
(../shared/data/real), at commune, EPCI, département and France levels, compared
with `ctgdiag export` to the last printed digit (15 significant digits, with a
relative tolerance of 1e-12 for the order of additions).

Written from the definitions (product.md, ../shared/docs/indicators.md), not
from ctgdiag's code: a commune row gives its commune; an arrondissement row
counts only when its file has no row for the commune (Paris, Lyon, Marseille
once); an IRIS row adds up into the commune of its DEPCOM (an arrondissement's
into its commune); a delegated or associated commune (COG COMD/COMA) into its
commune; groups are ratios of sums over their communes whose every input is
known; a group is ok when all its communes are known, else partial.

usage: python3 real_indicators.py REAL_DIR EXPORT_CSV   (export --year all
--level commune, epci, dep and fr concatenated, header lines included)
"""
import csv
import math
import sys
from collections import defaultdict

REAL, EXPORT = sys.argv[1], sys.argv[2]


def rows(path, sep=';', skip=0, encoding='utf-8-sig'):
    with open(path, newline='', encoding=encoding) as f:
        for _ in range(skip):
            next(f)
        yield from csv.DictReader(f, delimiter=sep)


# ------------------------------------------------------------- geography 2022
commune_of = {}          # commune code -> (epci, dep)
for r in rows(f'{REAL}/insee/table-appartenance-geo-communes-22_COM.csv', skip=5):
    commune_of[r['CODGEO']] = (r['EPCI'], r['DEP'])
arm_parent = {}
for r in rows(f'{REAL}/insee/table-appartenance-geo-communes-22_ARM.csv', skip=5):
    arm_parent[r['CODGEO']] = r['COM']
merged_into = {}
for r in rows(f'{REAL}/insee/cog_commune_2022.csv', sep=','):
    if r['TYPECOM'] in ('COMD', 'COMA') and r['COMPARENT'] and r['COM'] not in commune_of:
        merged_into[r['COM']] = r['COMPARENT']


def place(code):
    """The commune a commune-level code of the files goes to, or None."""
    if code in commune_of:
        return code
    if code in merged_into and merged_into[code] in commune_of:
        return merged_into[code]
    return None


def number(text):
    text = text.strip()
    if text in ('', 's', 'nd'):
        return None
    return float(text.replace(',', '.'))


# ------------------------------------------------------------- commune sums
# sums[(indicator, year)][commune] = list of input sums, None when unknown
def commune_sums(records):
    """records: (commune, [values]) -> commune -> summed values (None if any
    part unknown: a partial commune is not complete and is left out of ratios
    only when an input is wholly unknown, see below)."""
    acc = {}
    for commune, vals in records:
        a = acc.setdefault(commune, [[0.0, 0, 0] for _ in vals])
        for k, v in enumerate(vals):
            a[k][1] += 1
            if v is not None:
                a[k][0] += v
                a[k][2] += 1
    out = {}
    for commune, a in acc.items():
        # a commune whose input has no known part is unknown; with some known
        # parts it is partial: the known parts count
        out[commune] = [x[0] if x[2] > 0 else None for x in a]
    return out


expected = {}            # (level, code, indicator, year) -> value


def add_indicator(indicator, year, sums, formula):
    groups = defaultdict(list)
    for commune, (epci, dep) in commune_of.items():
        groups[('commune', commune)].append(commune)
        if epci and epci != 'ZZZZZZZZZ':
            groups[('epci', epci)].append(commune)
        groups[('dep', dep)].append(commune)
        groups[('fr', 'FR')].append(commune)
    for (level, code), members in groups.items():
        total = None
        for m in members:
            s = sums.get(m)
            if s is None or any(v is None for v in s):
                continue
            total = list(s) if total is None else [t + v for t, v in zip(total, s)]
        if total is None:
            continue
        value = formula(total)
        if value is not None:
            expected[(level, code, indicator, year)] = value


# comparateur: commune rows, and arrondissements only for a commune without one
comp = list(rows(f'{REAL}/insee/base_cc_comparateur.CSV'))
comp_codes = {r['CODGEO'] for r in comp}


def comparateur(columns):
    recs = []
    for r in comp:
        code = r['CODGEO']
        if code in arm_parent:
            if arm_parent[code] in comp_codes:
                continue
            code = arm_parent[code]
        c = place(code)
        if c:
            recs.append((c, [number(r[col]) for col in columns]))
    return commune_sums(recs)


add_indicator('pop_total', '2018', comparateur(['P18_POP']), lambda s: s[0])
add_indicator('pop_total', '2013', comparateur(['P13_POP']), lambda s: s[0])
add_indicator('pop_growth_rate', '2018', comparateur(['P18_POP', 'P13_POP']),
              lambda s: 100 * ((s[0] / s[1]) ** (1 / 5) - 1) if s[0] > 0 and s[1] > 0 else None)
add_indicator('vacancy_rate', '2018', comparateur(['P18_LOGVAC', 'P18_LOG']),
              lambda s: 100 * s[0] / s[1] if s[1] > 0 else None)
add_indicator('secondary_home_share', '2018', comparateur(['P18_RSECOCC', 'P18_LOG']),
              lambda s: 100 * s[0] / s[1] if s[1] > 0 else None)

# CAF IRIS files: IRIS summed into the commune of their DEPCOM (2018), else
# of the first five characters of their code
for year in ('2018', '2019', '2020'):
    recs_a, recs_sp = [], []
    for r in rows(f'{REAL}/caf/data_CAF_{year}_IRIS.csv'):
        code = r.get('DEPCOM') or r['CODGEO'][:5]  # 2019, 2020: no DEPCOM
        code = arm_parent.get(code, code)
        c = place(code)
        if not c:
            continue
        recs_a.append((c, [number(r['A'])]))
        am, acav = number(r['AM']), number(r['ACAVENF'])
        recs_sp.append((c, [am, am, acav]))
    add_indicator('caf_allocataires', year, commune_sums(recs_a), lambda s: s[0])
    add_indicator('single_parent_share', year, commune_sums(recs_sp),
                  lambda s: 100 * s[0] / (s[1] + s[2]) if s[1] + s[2] > 0 else None)

# ------------------------------------------------------------------ compare
got = {}
with open(EXPORT, newline='') as f:
    for r in csv.reader(f, delimiter=';'):
        if r[0] == 'level' or r[5] == '':
            continue
        got[(r[0], r[1], r[3], r[4])] = (float(r[5]), r[6])

checked = bad = 0
for key, want in sorted(expected.items()):
    if key not in got:
        print('missing in export:', key, want, file=sys.stderr)
        bad += 1
        continue
    value, status = got[key]
    checked += 1
    if not math.isclose(value, want, rel_tol=1e-12, abs_tol=1e-9):
        bad += 1
        if bad < 20:
            print(f'{key}: export {value!r} ({status}), raw files {want!r}', file=sys.stderr)
pairs = {(i, y) for (_, _, i, y) in expected}
extra = [k for k in got if (k[2], k[3]) in pairs and k not in expected]
print(f'checked {checked} values, {bad} differ, {len(extra)} in export only')
for k in extra[:10]:
    print('in export only:', k, got[k], file=sys.stderr)
sys.exit(1 if bad or extra else 0)
