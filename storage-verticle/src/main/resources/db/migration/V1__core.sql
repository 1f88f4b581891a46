-- V1: memories, their keyword indexes, vectors, events, relations and the model stamp.
-- Statements end with ';' at the end of a line (Migrations splits there). Times are epoch ms.

CREATE TABLE memories (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT    NOT NULL UNIQUE,
  namespace       TEXT    NOT NULL,
  scope           TEXT    NOT NULL,
  scope_id        TEXT,
  type            TEXT    NOT NULL,
  name            TEXT,
  content         TEXT    NOT NULL,
  summary         TEXT,
  tags            TEXT    NOT NULL DEFAULT '[]',
  category        TEXT,
  importance      REAL    NOT NULL,
  confidence      REAL    NOT NULL,
  metadata        TEXT    NOT NULL DEFAULT '{}',
  source          TEXT    NOT NULL,
  session_id      TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  expires_at      INTEGER,
  access_count    INTEGER NOT NULL DEFAULT 0,
  last_accessed   INTEGER,
  embedding_model TEXT
);

-- Listing is newest first (created_at DESC, seq DESC): a backward scan of this index.
CREATE INDEX idx_memories_ns_created ON memories(namespace, created_at, seq);
CREATE INDEX idx_memories_ns_type ON memories(namespace, type);
CREATE INDEX idx_memories_ns_session ON memories(namespace, session_id);

-- float32 little-endian vectors, one per memory.
CREATE TABLE vectors (
  memory_seq INTEGER PRIMARY KEY REFERENCES memories(seq) ON DELETE CASCADE,
  memory_id  TEXT    NOT NULL UNIQUE,
  namespace  TEXT    NOT NULL,
  dim        INTEGER NOT NULL,
  vector     BLOB    NOT NULL
);

-- Keyword indexes; rowid = memories.seq, tags as space-separated words.
CREATE VIRTUAL TABLE memories_fts USING fts5(
  name, content, summary, tags,
  tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE memories_fts_trigram USING fts5(
  name, content, summary, tags,
  tokenize = 'trigram'
);

-- Append-only history; kept after a memory is deleted.
CREATE TABLE events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  memory_id  TEXT    NOT NULL,
  namespace  TEXT    NOT NULL,
  type       TEXT    NOT NULL,
  actor      TEXT,
  session_id TEXT,
  data       TEXT    NOT NULL DEFAULT '{}',
  at         INTEGER NOT NULL
);
CREATE INDEX idx_events_memory ON events(memory_id, seq);

-- The unique index also serves lookups by (namespace, source_id).
CREATE TABLE relations (
  namespace     TEXT    NOT NULL,
  source_id     TEXT    NOT NULL,
  target_id     TEXT    NOT NULL,
  relation_type TEXT    NOT NULL,
  properties    TEXT    NOT NULL DEFAULT '{}',
  confidence    REAL    NOT NULL,
  created_at    INTEGER NOT NULL,
  UNIQUE (namespace, source_id, target_id, relation_type)
);
CREATE INDEX idx_relations_target ON relations(namespace, target_id);

-- Store-wide settings: embedding_model, embedding_dimension.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT
);
