#!/usr/bin/env python3
"""The table and the target checks of bench/run.sh (issue 6), from its raw figures.

    python3 bench/report.py SCRATCH

Reads SCRATCH/runs.tsv (one line per timed run) and SCRATCH/meta.tsv (what was run), prints
the Markdown report on stdout and writes it to SCRATCH/results.md. Standard library only.

runs.tsv columns: step, run, wall_s (from the clock around the process, ns resolution),
user_s, sys_s, maxrss_kib, exit (from /usr/bin/time -v), time_wall_s (time -v's own
"Elapsed", 10 ms resolution).
meta.tsv lines:  info KEY VALUE  |  step ID LABEL KIND STATUS NOTE  |  scale VINTAGES FILES BYTES STATUS
KIND: load (reads every file of the workload: MB/s and ratios apply), compute (ratios apply),
report, batch. STATUS: ok, failed, not installed, skipped.
"""
import os
import statistics
import sys

RSS_LIMIT_MB = 64.0          # issue 6: "peak RSS of every command <= 64 MB" (10^6 bytes)
SCALE_FLAT = 1.25            # "costs linear in the input": max/min of s/MB over the series
EPCI_FRANCE = 1255
FULL_BYTES = 1197975947      # gen_workload.py, all France, 10 vintages (../shared/bench/README.md)


def fmt_s(x):
    if x is None:
        return ''
    return '%.3f' % x if x < 10 else '%.2f' % x if x < 100 else '%.1f' % x


def fmt_r(x):
    if x is None:
        return ''
    return '%.2f' % x if x < 100 else '%.0f' % x


def mb(kib):
    return kib * 1024 / 1e6


def verdict(value, limit, unit):
    """'met by ...' or 'missed by ...' for a value that must stay <= limit."""
    if value <= limit:
        under = 100 * (limit - value) / limit if limit > 0 else 0
        return 'met by %s%s (%.0f %% under the limit)' % (fmt_s(limit - value), unit and ' ' + unit, under)
    factor = value / limit if limit > 0 else float('inf')
    return 'missed by %s%s (%s x the limit)' % (fmt_s(value - limit), unit and ' ' + unit, fmt_r(factor))


def load(scratch):
    runs = {}
    with open(os.path.join(scratch, 'runs.tsv'), encoding='utf-8') as f:
        for line in f:
            c = line.rstrip('\n').split('\t')
            if c[0] == 'step' or len(c) < 8:
                continue
            runs.setdefault(c[0], []).append(dict(
                run=int(c[1]), wall=float(c[2]), user=float(c[3]), sys=float(c[4]),
                rss=int(c[5]), exit=int(c[6])))
    info, steps, scale = {}, [], []
    with open(os.path.join(scratch, 'meta.tsv'), encoding='utf-8') as f:
        for line in f:
            c = line.rstrip('\n').split('\t')
            if c[0] == 'info' and len(c) >= 3:
                info[c[1]] = c[2]
            elif c[0] == 'step' and len(c) >= 6:
                steps.append(dict(id=c[1], label=c[2], kind=c[3], status=c[4], note=c[5]))
            elif c[0] == 'scale' and len(c) >= 5:
                scale.append(dict(v=int(c[1]), files=int(c[2]), bytes=int(c[3]), status=c[4]))
    return runs, info, steps, scale


def summary(rs):
    """Medians of the successful runs (all runs when none succeeded)."""
    ok = [r for r in rs if r['exit'] == 0] or rs
    if not ok:
        return None
    return dict(n=len(rs), wall=statistics.median(r['wall'] for r in ok),
                user=statistics.median(r['user'] for r in ok),
                sys=statistics.median(r['sys'] for r in ok),
                rss=statistics.median(r['rss'] for r in ok),
                rss_max=max(r['rss'] for r in ok),
                walls=[r['wall'] for r in rs])


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: report.py SCRATCH')
    scratch = sys.argv[1]
    runs, info, steps, scale = load(scratch)
    nbytes = int(info.get('bytes', '0') or 0)
    sm = {s['id']: summary(runs.get(s['id'], [])) for s in steps}
    ok = {s['id']: s['status'] == 'ok' and sm[s['id']] is not None for s in steps}

    def wall(i):
        return sm[i]['wall'] if ok.get(i) else None

    ref_sqlite, ref_parse = wall('sqlite3'), wall('csvparse')
    out = []
    w = out.append
    w('# ctgdiag benchmark (issue 6)')
    w('')
    for key, label in (('date', 'date (UTC)'), ('machine', 'machine'), ('cpu', 'CPU'),
                       ('memory', 'memory'), ('ctgdiag', 'ctgdiag'), ('commit', 'commit'),
                       ('build', 'ctgdiag build'), ('sqlite3', 'sqlite3 CLI'),
                       ('python', 'python3'), ('cc', 'cc'), ('libcsv', 'libcsv'),
                       ('workload', 'workload'), ('command', 'command')):
        if info.get(key):
            w('- %s: %s' % (label, info[key].replace('|', '\\|')))
    if info.get('load_start') or info.get('load_end'):
        # the load at the end counts the bench's own last steps (about 1 for a one-thread
        # step); only the load at the start says whether something else was running
        start = float(info['load_start']) if info.get('load_start') else 0.0
        w('- load average (1 min) at start / end: %s / %s (the end counts the bench\'s own steps)%s' % (
            info.get('load_start', '?'), info.get('load_end', '?'),
            ': other processes were running at the start, wall times may be inflated'
            if start > 0.5 else ''))
    w('- input: %s files, %s bytes (%.1f MB); geography year %s' % (
        info.get('files', '?'), '{:,}'.format(nbytes), nbytes / 1e6, info.get('geo_year') or 'default'))
    w('- method: each step is one process under `/usr/bin/time -v`; wall from the clock around it; '
      'median of %s run(s) (the EPCI batch: one run); page cache warmed first; output deleted, then `sync`, '
      'before each run; %s' % (info.get('runs', '?'),
      'the load steps (floors, peers, ctgdiag ingest + compute) in rounds, each round one run of every '
      'one, so that the drift of the machine falls on all alike' if info.get('order') == 'rounds'
      else 'the runs of each step one after the other (--grouped)'))
    w('')
    w('| step | wall s (median) | runs | user s | sys s | peak RSS MiB | MB/s | x sqlite3 .import '
      '| x parse floor | wall of each run (s) |')
    w('|---|---|---|---|---|---|---|---|---|---|')
    for s in steps:
        i, m = s['id'], sm[s['id']]
        label = s['label']
        if s['status'] != 'ok' or m is None:
            st = s['status'] if s['status'] != 'ok' else 'no run'
            if s['status'] == 'failed' and runs.get(i):
                st = 'FAILED (exit %d)' % runs[i][-1]['exit']
            note = (' (%s)' % s['note']) if s['note'] else ''
            w('| %s | %s%s | %s | | | | | | | |' % (label, st, note, len(runs.get(i, [])) or ''))
            continue
        rate = r_sql = r_parse = None
        if s['kind'] in ('load', 'compute') and m['wall'] > 0:
            rate = nbytes / 1e6 / m['wall'] if s['kind'] == 'load' else None
            r_sql = m['wall'] / ref_sqlite if ref_sqlite else None
            r_parse = m['wall'] / ref_parse if ref_parse else None
        w('| %s | **%s** | %d | %s | %s | %.1f | %s | %s | %s | %s |' % (
            label, fmt_s(m['wall']), m['n'], fmt_s(m['user']), fmt_s(m['sys']), m['rss'] / 1024,
            '%.1f' % rate if rate is not None else '', fmt_r(r_sql), fmt_r(r_parse),
            ' / '.join(fmt_s(x) for x in m['walls'])))
    notes = [s for s in steps if s['note'] and s['status'] == 'ok']
    if notes:
        w('')
        for s in notes:
            w('- %s: %s' % (s['label'], s['note']))

    # ------------------------------------------------------------------ targets
    w('')
    w('## Targets (issue 6)')
    w('')
    if info.get('small') == '1' or nbytes < FULL_BYTES // 2:
        w('The targets are set on the full national workload (%s bytes); on this one (%s bytes) the '
          'figures only show that every step runs, and fixed costs weigh more.' % (
              '{:,}'.format(FULL_BYTES), '{:,}'.format(nbytes)))
        w('')
    ing = wall('ingest')

    if ing is not None and ref_sqlite:
        w('- target ingest <= 0.5 x sqlite3 .import: measured %s s = %s x sqlite3 .import (%s s), '
          'limit %s s: %s' % (fmt_s(ing), fmt_r(ing / ref_sqlite), fmt_s(ref_sqlite),
                              fmt_s(0.5 * ref_sqlite), verdict(ing, 0.5 * ref_sqlite, 's')))
    else:
        w('- target ingest <= 0.5 x sqlite3 .import: not measured (%s)' % (
            'ingest failed or not run' if ing is None else 'sqlite3 .import failed or not run'))
    if ing is not None and ref_parse:
        w('- target ingest <= 3 x parse floor: measured %s s = %s x the libcsv parse (%s s), '
          'limit %s s: %s' % (fmt_s(ing), fmt_r(ing / ref_parse), fmt_s(ref_parse),
                              fmt_s(3 * ref_parse), verdict(ing, 3 * ref_parse, 's')))
    else:
        w('- target ingest <= 3 x parse floor: not measured')

    ctg = [s for s in steps if s['id'] in ('ingest', 'compute', 'report', 'batch') and ok[s['id']]]
    short = {'ingest': 'ingest', 'compute': 'compute', 'report': 'Gaillac-Graulhet report',
             'batch': 'EPCI batch (largest process)'}
    ctg_rss = [(mb(sm[s['id']]['rss_max']), short[s['id']]) for s in ctg]
    for sc in scale:
        for part in ('ingest', 'compute'):
            m = summary(runs.get('scale%d-%s' % (sc['v'], part), []))
            if m:
                ctg_rss.append((mb(m['rss_max']), '%s, %d vintage(s)' % (part, sc['v'])))
    if ctg_rss:
        worst = max(ctg_rss)
        w('- target peak RSS <= %.0f MB for every ctgdiag command: measured %.1f MB (%.1f MiB, %s); '
          'all: %s: %s' % (RSS_LIMIT_MB, worst[0], worst[0] * 1e6 / 1048576, worst[1],
                           ', '.join('%s %.1f MB' % (l, v) for v, l in ctg_rss),
                           verdict(worst[0], RSS_LIMIT_MB, 'MB')))
    else:
        w('- target peak RSS <= 64 MB for every ctgdiag command: not measured')

    comp = wall('compute')
    if comp is not None and ing is not None:
        w('- target compute <= ingest: measured compute %s s, ingest %s s: %s' % (
            fmt_s(comp), fmt_s(ing), verdict(comp, ing, 's')))
    else:
        w('- target compute <= ingest: not measured')

    rep = wall('report')
    if rep is not None:
        w('- target complete CA Gaillac-Graulhet diagnosis <= 0.5 s: measured %s s: %s' % (
            fmt_s(rep), verdict(rep, 0.5, 's')))
    else:
        w('- target complete CA Gaillac-Graulhet diagnosis <= 0.5 s: not measured')

    bat = wall('batch')
    n_epci = int(info.get('epci_count', '0') or 0)
    if bat is not None and n_epci > 0:
        scaled = bat * EPCI_FRANCE / n_epci if n_epci < EPCI_FRANCE else bat
        how = ('measured %s s for %d EPCI (%s s each on %s jobs), scaled to %s EPCI: %s s' % (
            fmt_s(bat), n_epci, fmt_s(bat / n_epci), info.get('jobs', '?'), '{:,}'.format(EPCI_FRANCE),
            fmt_s(scaled)) if n_epci < EPCI_FRANCE else 'measured %s s for %d EPCI on %s jobs' % (
            fmt_s(bat), n_epci, info.get('jobs', '?')))
        w('- target all 1,255 EPCI diagnoses <= 120 s on 2 cores: %s: %s' % (how, verdict(scaled, 120, 's')))
    else:
        w('- target all 1,255 EPCI diagnoses <= 120 s on 2 cores: not measured%s' % (
            ' (--skip-batch)' if info.get('skip_batch') == '1' else ''))

    # ------------------------------------------------------------------ scaling
    if scale:
        w('')
        w('## Scaling: ctgdiag ingest + compute against the input size')
        w('')
        w('| vintages | files | MB | ingest s | compute s | ingest + compute s | s per MB | ingest s/MB '
          '| compute s/MB | peak RSS MiB |')
        w('|---|---|---|---|---|---|---|---|---|---|')
        per_mb = []
        for sc in scale:
            mi = summary(runs.get('scale%d-ingest' % sc['v'], []))
            mc = summary(runs.get('scale%d-compute' % sc['v'], []))
            size = sc['bytes'] / 1e6
            if sc['status'] != 'ok' or not mi or not mc or size <= 0:
                w('| %d | %d | %.1f | %s | | | | | | |' % (sc['v'], sc['files'], size, sc['status']))
                continue
            tot = mi['wall'] + mc['wall']
            per_mb.append((sc['v'], tot / size))
            w('| %d | %d | %.1f | %s | %s | %s | %.4f | %.4f | %.4f | %.1f |' % (
                sc['v'], sc['files'], size, fmt_s(mi['wall']), fmt_s(mc['wall']), fmt_s(tot),
                tot / size, mi['wall'] / size, mc['wall'] / size,
                max(mi['rss_max'], mc['rss_max']) / 1024))
        w('')
        if len(per_mb) >= 2:
            lo, hi = min(v for _, v in per_mb), max(v for _, v in per_mb)
            w('- target costs linear in the input (ingest + compute s/MB flat over the series, max/min '
              '<= %.2f): measured %s s/MB, max/min %.2f: %s' % (
                  SCALE_FLAT, ' / '.join('%.4f (%d)' % (v, n) for n, v in per_mb), hi / lo,
                  verdict(hi / lo, SCALE_FLAT, '')))
        else:
            w('- target costs linear in the input: not measured')

    text = '\n'.join(out) + '\n'
    with open(os.path.join(scratch, 'results.md'), 'w', encoding='utf-8') as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == '__main__':
    main()
