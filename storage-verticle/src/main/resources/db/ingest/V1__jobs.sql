-- The durable ingest queue (its own file, ingest.db, so enqueueing never waits behind memory
-- writes on the single writer connection). Times are epoch ms.
CREATE TABLE ingest_jobs (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT    NOT NULL UNIQUE,
  namespace       TEXT    NOT NULL,
  session_id      TEXT,
  idempotency_key TEXT,
  request_hash    TEXT    NOT NULL,
  request         TEXT    NOT NULL,
  message_count   INTEGER NOT NULL,
  status          TEXT    NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  error           TEXT,
  extraction      TEXT,
  result          TEXT,
  worker          TEXT,
  lease_until     INTEGER,
  next_attempt_at INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  finished_at     INTEGER
);
CREATE UNIQUE INDEX idx_ingest_jobs_idempotency ON ingest_jobs(namespace, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX idx_ingest_jobs_ready ON ingest_jobs(status, next_attempt_at, seq);
