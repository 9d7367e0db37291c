"""The catalog database layout, in one place.

The catalog is a build artefact: it is rebuilt from the OpenAPI definition, never
migrated. ``FORMAT_VERSION`` is stored in ``PRAGMA user_version``; a reader that
finds another version asks for a rebuild instead of guessing.

The DDL is the one list of each table's columns. The builder writes rows as dicts through
``insert_statement`` (named parameters for every column the DDL declares); the store reads
rows by name into its dataclasses (``store.Operation``, ``store.Parameter``), whose fields
name the columns they select. Adding a column: a line here, its value in the builder's row,
and a field on the dataclass if readers need it.
"""

from __future__ import annotations

import sqlite3

FORMAT_VERSION = 5  # 5: a bound prefix stays part of its word (subcategory, reset); 4: no responses table

DDL = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per (path, method). Schemas are stored as JSON with their $refs intact;
-- they are expanded on demand from the schemas table.
CREATE TABLE operations (
    id                      INTEGER PRIMARY KEY,
    method                  TEXT NOT NULL,
    path                    TEXT NOT NULL,
    operation_id            TEXT NOT NULL,
    category                TEXT NOT NULL,
    summary                 TEXT NOT NULL,   -- first line, .NET type-name noise removed
    raw_summary             TEXT NOT NULL,
    description             TEXT NOT NULL,
    deprecated              INTEGER NOT NULL,
    replacement             TEXT,            -- the path ConnectWise recommends instead
    original_path           TEXT,            -- x-original-path of a repaired template
    segment_count           INTEGER NOT NULL,
    resource_schema         TEXT,            -- component schema of the resource (list items)
    returns_list            INTEGER NOT NULL,
    request_media_type      TEXT,
    request_schema          TEXT,
    request_required        INTEGER NOT NULL,
    request_missing_schema  TEXT,            -- x-missing-schema: named but not defined
    response_status         TEXT,
    response_media_type     TEXT,
    response_schema         TEXT,
    response_missing_schema TEXT,
    -- Search tokens (catalog.text), read by the ranking for its candidates.
    resource_terms          TEXT NOT NULL,   -- the resource: last literal segment but modifiers
    path_terms              TEXT NOT NULL,   -- every segment, "/"-separated, placeholders as {}
    category_terms          TEXT NOT NULL,
    summary_terms           TEXT NOT NULL,
    field_terms             TEXT NOT NULL,   -- property names of the resource schema
    UNIQUE (path, method)
);
CREATE INDEX operations_by_category ON operations (category COLLATE NOCASE);
CREATE INDEX operations_by_segments ON operations (segment_count);

CREATE TABLE parameters (
    operation   INTEGER NOT NULL REFERENCES operations (id),
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    location    TEXT NOT NULL,               -- path | query | header | cookie
    required    INTEGER NOT NULL,
    type        TEXT,
    format      TEXT,
    description TEXT NOT NULL,
    schema      TEXT,
    auth        INTEGER NOT NULL,            -- supplied by the gateway (clientId), not by the user
    PRIMARY KEY (operation, position)
);

CREATE TABLE schemas (
    name       TEXT PRIMARY KEY,
    definition TEXT NOT NULL
);

-- Every search token with the number of operations using it: the dictionary that
-- typo correction draws from, and the rarity that weighs a word in ranking. A word
-- that only names fields ("responded") says less about which operation is meant.
CREATE TABLE vocabulary (
    word       TEXT PRIMARY KEY,
    doc_count  INTEGER NOT NULL,
    name_count INTEGER NOT NULL   -- operations whose path or category uses the word
) WITHOUT ROWID;

CREATE VIRTUAL TABLE vocabulary_trigrams USING fts5 (word, tokenize = 'trigram');

-- Field-aware full-text index; rowid = operations.id. Text is pre-tokenised by
-- catalog.text so that the query side can use exactly the same rules.
CREATE VIRTUAL TABLE operations_fts USING fts5 (
    resource, path, category, summary, operation_id,
    tokenize = 'unicode61', content = ''
);

-- Schema property names, indexed apart: bm25 normalises by row length, and a resource
-- with a hundred fields must not rank below its own DELETE for the resource's name.
CREATE VIRTUAL TABLE fields_fts USING fts5 (fields, tokenize = 'unicode61', content = '');
"""


def insert_statement(conn: sqlite3.Connection, table: str) -> str:
    """``INSERT INTO table (a, b) VALUES (:a, :b)`` over every column of ``table`` in ``DDL``.

    Rows are then dicts by column name: one that lacks a column fails loudly (sqlite3 raises
    ProgrammingError) instead of shifting its neighbours into the wrong columns.
    """
    columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    if not columns:
        raise ValueError(f"no table {table!r} in the catalog layout")
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
