-- V2: CJK unigram / bigram index for one- and two-character CJK terms; rowid = memories.seq.
-- One column of space-separated grams, each as 6 hex digits per code point (see CjkGrams); rows
-- exist only for memories with CJK text. Existing memories are backfilled by a Java step.

CREATE VIRTUAL TABLE memories_fts_cjk USING fts5(
  grams,
  tokenize = 'ascii'
);
