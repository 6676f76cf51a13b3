-- warehouse.sql: the schema of the ctgdiag warehouse (SQLite).
--
-- Compiled into the binary (cmake/Embed.cmake) and applied when a warehouse
-- is created; `meta.schema_version` says which version a file holds.
-- docs/warehouse.md describes every table for analysts who query it.
--
-- Conventions
--   * codes are TEXT in their full width ('01001', '2A004', '971'), never integers;
--   * a level is one of commune, arm, iris, epci, dep, reg, fr, pseudo;
--   * a period is TEXT: a year '2021', a CAF reference month '2021-06', or a
--     span '2013-2018' (counts over several years);
--   * every observed value knows its source file (source_file.id), which knows
--     its family, vintage, geography year, sha256 and when it was loaded.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per command run that writes (ingest, compute, run...).
CREATE TABLE IF NOT EXISTS run (
    id          INTEGER PRIMARY KEY,
    command     TEXT NOT NULL,            -- 'ingest', ...
    arguments   TEXT NOT NULL,            -- the command line, as given
    started_at  TEXT NOT NULL,            -- UTC, ISO 8601
    finished_at TEXT,                     -- NULL while running or if killed
    exit_code   INTEGER,                  -- sysexits code the run ended with
    files_loaded    INTEGER NOT NULL DEFAULT 0,
    files_unchanged INTEGER NOT NULL DEFAULT 0,
    files_rejected  INTEGER NOT NULL DEFAULT 0,
    files_skipped   INTEGER NOT NULL DEFAULT 0
);

-- The families of files known when a file was loaded (schemas/families/*.family).
CREATE TABLE IF NOT EXISTS family (
    id        TEXT PRIMARY KEY,           -- e.g. 'census_cc_pop'
    label     TEXT NOT NULL,
    producer  TEXT NOT NULL,              -- 'Insee', 'Cnaf', 'SDES'...
    target    TEXT NOT NULL,              -- observations, geo_commune, ... (docs/schemas.md)
    definition_sha256 TEXT NOT NULL,      -- hash of the .family file used
    definition TEXT NOT NULL              -- its text, for provenance
);

-- One row per file currently loaded. A replaced or rejected file leaves no row.
CREATE TABLE IF NOT EXISTS source_file (
    id            INTEGER PRIMARY KEY,
    path          TEXT NOT NULL,          -- as given on the command line
    name          TEXT NOT NULL,          -- base name, the identity of a corrected version
    size          INTEGER NOT NULL,       -- bytes
    sha256        TEXT NOT NULL,          -- of the bytes as read
    family        TEXT NOT NULL REFERENCES family(id),
    family_sha256 TEXT NOT NULL,          -- the definition it was read with (family.definition_sha256)
    vintage       TEXT NOT NULL,          -- the file's year (or YYYY-MM)
    vintage_from  TEXT NOT NULL DEFAULT '', -- what gave it: column, period, title, filename, option
    geo_year      INTEGER,                -- geography vintage its codes belong to
    encoding      TEXT NOT NULL,          -- 'UTF-8', 'UTF-8 BOM', 'Windows-1252', 'ASCII'
    separator     TEXT NOT NULL,          -- ';' ',' or 'TAB'
    decimal_mark  TEXT,                   -- '.' ',' or NULL when no decimal seen
    header_line   INTEGER NOT NULL,       -- 1-based line of the column header
    loaded_at     TEXT NOT NULL,          -- UTC, ISO 8601
    run_id        INTEGER REFERENCES run(id),
    rows_read     INTEGER NOT NULL,       -- data rows (after the header)
    rows_loaded   INTEGER NOT NULL,       -- stored
    rows_rejected INTEGER NOT NULL,       -- in the reject table
    rows_duplicate INTEGER NOT NULL,      -- repeated rows stored once
    values_secret INTEGER NOT NULL,       -- cells secret (empty where the family says so, 's'...)
    values_missing INTEGER NOT NULL,      -- cells missing
    units_pseudo  INTEGER NOT NULL,       -- rows that name no place (99999, empty code, totals)
    rounded_to    INTEGER,                -- the producer rounds counts to this multiple (CAF: 5)
    absent_zero   INTEGER NOT NULL DEFAULT 0 -- 1: a commune of the départements the file covers
                                          -- that it does not list has 0 of its counts (Sitadel)
);
CREATE INDEX IF NOT EXISTS source_file_sha ON source_file(sha256);
CREATE INDEX IF NOT EXISTS source_file_family ON source_file(family, vintage);

-- The variables a file provides, in the order of its packed values.
CREATE TABLE IF NOT EXISTS file_variable (
    file_id   INTEGER NOT NULL REFERENCES source_file(id),
    idx       INTEGER NOT NULL,           -- position in obs_row.vals
    variable  TEXT NOT NULL,              -- canonical name: 'pop', 'pop0002', 'indfoy_ndur'...
                                          -- ('' in a long file: each row names it, obs_row.measure)
    period    TEXT NOT NULL,              -- '2018', '2013-2018', or '' = the row's period
    column_name TEXT NOT NULL,            -- header as written in the file
    kind      TEXT NOT NULL,              -- count, rate, ratio, amount, real
    PRIMARY KEY (file_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS file_variable_var ON file_variable(variable, period);

-- Observations: one row per (file, unit, period) holding the values the file
-- gives for that unit, packed (see docs/warehouse.md; the view `observation`
-- unpacks them inside ctgdiag, which registers the functions obs_value and
-- obs_status).
CREATE TABLE IF NOT EXISTS obs_row (
    id       INTEGER PRIMARY KEY,
    file_id  INTEGER NOT NULL REFERENCES source_file(id),
    level    TEXT NOT NULL,               -- commune, arm, iris, epci, dep, reg, fr, pseudo
    code     TEXT NOT NULL,               -- normalised code ('' for an unplaced row)
    period   TEXT NOT NULL,               -- the row's period ('' when the variables carry it)
    name     TEXT,                        -- the unit's name as the file writes it, if any
    parent   TEXT,                        -- commune of an IRIS row as the file gives it
    line     INTEGER NOT NULL,            -- 1-based line in the file
    vals     BLOB NOT NULL,               -- packed values, one per file_variable
    measure  TEXT                         -- long files: the variable this row gives (its
                                          -- file_variable.variable is then '')
);
CREATE INDEX IF NOT EXISTS obs_row_key ON obs_row(file_id, level, code, period);
-- No index on (level, code) here: keeping one up to date during a load
-- costs a quarter of the ingest time; the stages that look units up across
-- files create the indexes they need.

-- Rows rejected alone (the rest of their file loaded), with their reason.
CREATE TABLE IF NOT EXISTS reject (
    file_id  INTEGER NOT NULL REFERENCES source_file(id),
    line     INTEGER NOT NULL,            -- 1-based line where the row starts
    reason   TEXT NOT NULL,
    raw      TEXT NOT NULL                -- the row as read (UTF-8), cut at 4,096 bytes
);
CREATE INDEX IF NOT EXISTS reject_file ON reject(file_id, line);

-- Units a file names that the geography of its year does not hold, or pseudo-codes.
CREATE TABLE IF NOT EXISTS file_notice (
    file_id  INTEGER NOT NULL REFERENCES source_file(id),
    line     INTEGER NOT NULL,
    kind     TEXT NOT NULL,               -- 'pseudo', 'total', 'withheld', ...
    code     TEXT NOT NULL,
    detail   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS file_notice_file ON file_notice(file_id);

-- Variable dictionaries (INSEE meta_*.CSV): labels for indicators and reports.
CREATE TABLE IF NOT EXISTS dictionary (
    file_id     INTEGER NOT NULL REFERENCES source_file(id),
    line        INTEGER NOT NULL,
    column_name TEXT NOT NULL,            -- COD_VAR as written: 'P18_POP'
    variable    TEXT,                     -- canonical name when the rules give one: 'pop'
    period      TEXT,                     -- '2018'
    label       TEXT NOT NULL,            -- LIB_VAR
    label_long  TEXT,                     -- LIB_VAR_LONG
    modality    TEXT,                     -- COD_MOD (a value of a categorical variable)
    modality_label TEXT,                  -- LIB_MOD
    type        TEXT,                     -- NUM, CHAR
    length      TEXT
);
CREATE INDEX IF NOT EXISTS dictionary_var ON dictionary(column_name);

-- ------------------------------------------------------------- geography
-- Communes and their kin from the Code officiel géographique of one year:
-- typecom COM (current commune), COMA (associated), COMD (delegated), ARM
-- (arrondissement municipal of Paris, Lyon, Marseille).
CREATE TABLE IF NOT EXISTS geo_commune (
    geo_year INTEGER NOT NULL,
    typecom  TEXT NOT NULL,
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,               -- LIBELLE, with its article: 'L''Abergement-Clémenciat'
    dep      TEXT,
    reg      TEXT,
    arr      TEXT,
    parent   TEXT,                        -- COMPARENT: the commune a COMD/COMA/ARM belongs to
    file_id  INTEGER NOT NULL REFERENCES source_file(id),
    PRIMARY KEY (geo_year, typecom, code)
) WITHOUT ROWID;

-- Membership of communes and arrondissements in EPCI and other zonings
-- (table d'appartenance géographique, sheets COM and ARM).
CREATE TABLE IF NOT EXISTS geo_membership (
    geo_year INTEGER NOT NULL,
    level    TEXT NOT NULL,               -- 'commune' or 'arm'
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,
    dep      TEXT,
    reg      TEXT,
    epci     TEXT,                        -- NULL for a commune in no EPCI (ZZZZZZZZZ in the file)
    epci_nature TEXT,                     -- CA, CC, CU, ME, ZZ
    arr      TEXT,
    cv       TEXT,
    ze       TEXT,
    uu       TEXT,
    aav      TEXT,
    bv       TEXT,
    parent   TEXT,                        -- commune of an arrondissement
    file_id  INTEGER NOT NULL REFERENCES source_file(id),
    PRIMARY KEY (geo_year, level, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS geo_membership_epci ON geo_membership(geo_year, epci);

-- IRIS and the commune each belongs to (reference IRIS file).
CREATE TABLE IF NOT EXISTS geo_iris (
    geo_year INTEGER NOT NULL,
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,
    typ      TEXT,                        -- H habitat, A activité, D divers, Z commune not split
    commune  TEXT NOT NULL,
    file_id  INTEGER NOT NULL REFERENCES source_file(id),
    PRIMARY KEY (geo_year, code)
) WITHOUT ROWID;

-- Names of EPCI, départements and régions of a year.
CREATE TABLE IF NOT EXISTS geo_area (
    geo_year INTEGER NOT NULL,
    level    TEXT NOT NULL,               -- 'epci', 'dep', 'reg'
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,
    parent   TEXT,                        -- région of a département
    nature   TEXT,                        -- nature of an EPCI
    file_id  INTEGER NOT NULL REFERENCES source_file(id),
    PRIMARY KEY (geo_year, level, code)
) WITHOUT ROWID;

-- Commune events (historiq before 2019, v_mvt_commune since): merges, splits,
-- code and name changes.
CREATE TABLE IF NOT EXISTS geo_event (
    file_id     INTEGER NOT NULL REFERENCES source_file(id),
    line        INTEGER NOT NULL,
    mod         TEXT NOT NULL,            -- event type code as the file gives it
    date_eff    TEXT,                     -- ISO date the event took effect
    code_before TEXT NOT NULL,
    name_before TEXT,
    code_after  TEXT,
    name_after  TEXT
);
CREATE INDEX IF NOT EXISTS geo_event_before ON geo_event(code_before);
CREATE INDEX IF NOT EXISTS geo_event_after ON geo_event(code_after);

-- Passage tables between two geography years: code_from (year_from) goes
-- into code_to (year_to) with the share `ratio` of its population
-- (1 for a merge; < 1 for each part of a split).
CREATE TABLE IF NOT EXISTS geo_passage (
    file_id   INTEGER NOT NULL REFERENCES source_file(id),
    line      INTEGER NOT NULL,
    year_from INTEGER NOT NULL,
    year_to   INTEGER NOT NULL,
    code_from TEXT NOT NULL,
    code_to   TEXT NOT NULL,
    kind      TEXT,                       -- f fusion, d défusion...
    ratio     REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS geo_passage_from ON geo_passage(year_from, code_from);

-- ------------------------------------------------------------- compute
-- Written by `ctgdiag compute` for one geography year, replaced as a whole
-- by the next compute of that year.

-- The units of a geography year and their parents (from geo_commune,
-- geo_membership and geo_area): what indicator values are attached to.
CREATE TABLE IF NOT EXISTS geo_unit (
    geo_year INTEGER NOT NULL,
    level    TEXT NOT NULL,               -- commune, arm, epci, dep, reg, fr
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,               -- '' when no list of names is loaded
    commune  TEXT,                        -- commune of an arrondissement
    epci     TEXT,
    dep      TEXT,
    reg      TEXT,
    PRIMARY KEY (geo_year, level, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS geo_unit_epci ON geo_unit(geo_year, epci);
CREATE INDEX IF NOT EXISTS geo_unit_commune ON geo_unit(geo_year, commune);

-- One value of one indicator for one unit and year.
CREATE TABLE IF NOT EXISTS indicator_value (
    geo_year  INTEGER NOT NULL,           -- the geography the value is computed on
    indicator TEXT NOT NULL,              -- catalogue id
    year      TEXT NOT NULL,              -- '2021', or '2021-06' for a CAF month but December
    level     TEXT NOT NULL,
    code      TEXT NOT NULL,
    value     REAL,                       -- NULL exactly when status is secret or missing
    status    TEXT NOT NULL,              -- secret, missing, partial, approx, rounded, ok
    coverage  REAL,                       -- groups and summed units: share of the population known
    flags     TEXT NOT NULL,              -- rounded, approx, caution, small, unmapped (comma list)
    inputs    BLOB,                       -- communes: the sums a group adds up (doubles), NULL when not known
    low       REAL,                       -- rounded counts: the least value they allow (sum, ratio)
    high      REAL,                       -- and the greatest; NULL when not rounded or unbounded
    PRIMARY KEY (geo_year, indicator, year, level, code)
) WITHOUT ROWID;

-- What each (indicator, year) was computed from: the same for all its units.
CREATE TABLE IF NOT EXISTS indicator_year (
    geo_year  INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    year      TEXT NOT NULL,
    source_rank INTEGER NOT NULL,         -- which alternative of the catalogue
    sources   TEXT NOT NULL,              -- family:variable period (file ids) of each input
    PRIMARY KEY (geo_year, indicator, year)
) WITHOUT ROWID;

-- ------------------------------------------------------------- refresh
-- Written by `ctgdiag compute` and `ctgdiag run` (docs/operations.md).

-- What each indicator was last computed from on a geography year: the
-- SHA-256 of its catalogue lines, of every loaded file of the families it
-- reads (and of the census that weighs it), of the geography files and of
-- the ctgdiag version. `run` recomputes an indicator only when this changes.
CREATE TABLE IF NOT EXISTS indicator_state (
    geo_year    INTEGER NOT NULL,
    indicator   TEXT NOT NULL,
    fingerprint TEXT NOT NULL,            -- 64 hex digits
    run_id      INTEGER,                  -- the run that computed it
    PRIMARY KEY (geo_year, indicator)
) WITHOUT ROWID;

-- The reports `run` wrote, and what they showed: re-rendered only when the
-- fingerprint of their plan, options and indicators changes.
CREATE TABLE IF NOT EXISTS report_state (
    out_dir     TEXT NOT NULL,            -- the reports folder, as the configuration names it
    territory   TEXT NOT NULL,            -- LEVEL:CODE or communes:...
    stem        TEXT NOT NULL,            -- the file names' territory part: STEM-diagnostic.pdf
    fingerprint TEXT NOT NULL,            -- of the plan, the options and the indicators shown
    files       INTEGER NOT NULL,         -- PDF files written (axes + diagnosis)
    run_id      INTEGER,
    PRIMARY KEY (out_dir, territory)
) WITHOUT ROWID;

-- What changed, one row per event, until a change report has listed it
-- (`reported` = 1). Written in the transaction of the change itself when it
-- is one (values), right after it otherwise (files, reports).
CREATE TABLE IF NOT EXISTS change (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER,
    kind       TEXT NOT NULL,             -- file_loaded, file_replaced, file_rejected,
                                          -- year_new, year_removed, value_changed, report_written
    family     TEXT,                      -- files: the family; values: '' 
    file       TEXT,                      -- files: the path; reports: the diagnosis path
    indicator  TEXT,
    year       TEXT,                      -- a vintage (files) or an indicator's year
    level      TEXT,
    code       TEXT,
    old_value  REAL,
    new_value  REAL,
    old_status TEXT,
    new_status TEXT,
    units      INTEGER,                   -- year_new / year_removed: units with a row
    detail     TEXT NOT NULL DEFAULT '',  -- reason of a rejection, file replaced, ...
    reported   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS change_unreported ON change(reported, id);
