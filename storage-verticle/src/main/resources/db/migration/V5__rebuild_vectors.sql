-- V5: online rebuild. The vectors of the model a rebuild re-embeds with wait here until every
-- memory has one, while the old vectors keep answering recall; then one transaction moves them into
-- vectors. updated_at is the memory's when it was embedded: a memory changed since is embedded again.
-- The target model is meta 'rebuild_model' / 'rebuild_dimension'.
CREATE TABLE rebuild_vectors (
  memory_seq INTEGER PRIMARY KEY REFERENCES memories(seq) ON DELETE CASCADE,
  updated_at INTEGER NOT NULL,
  dim        INTEGER NOT NULL,
  vector     BLOB    NOT NULL
);
