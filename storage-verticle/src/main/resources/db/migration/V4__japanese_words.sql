-- V4: Japanese word index (Kuromoji: base forms, compounds split, stop tags dropped); rowid =
-- memories.seq. One column of space-separated words (see JapaneseWordIndex); rows exist only for
-- memories with CJK text. Existing memories are backfilled by a Java step.

CREATE VIRTUAL TABLE memories_fts_ja USING fts5(
  words,
  tokenize = 'unicode61 remove_diacritics 0'
);
