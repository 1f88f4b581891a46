package dev.memorymcp.storage.qdrant;

import dev.memorymcp.storage.internal.KeywordTerms;
import dev.memorymcp.storage.internal.CjkGrams;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.text.JapaneseWords;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.tartarus.snowball.ext.PorterStemmer;

/**
 * The keyword index of the Qdrant store: client-computed sparse vectors whose dimensions are
 * hashed tokens of the same three kinds as the SQLite store's FTS5 tables, so one query per kind
 * gives the same candidates: {@code w:} Porter-stemmed unicode61-like words (Latin terms),
 * {@code t:} lower-cased character trigrams holding a CJK character (CJK terms of three or more
 * characters), {@code g:} exact CJK unigrams and bigrams (shorter CJK terms, see {@link CjkGrams}),
 * {@code j:} Kuromoji's Japanese words ({@link JapaneseWords}).
 * A document's weight per token is BM25's saturated term frequency (k1 = 1.2, b = 0.75, against a
 * fixed average length, as Qdrant's own BM25 does); Qdrant's IDF modifier supplies the inverse
 * document frequency at query time, so scores are BM25 over the namespace's collection.
 *
 * <p>Differences from FTS5 (documented in ARCHITECTURE.md): a multi-word Latin term or a CJK term
 * of three or more characters matches a memory holding any of its words / trigrams (ranked by how
 * many), where FTS5 needs the whole phrase.
 */
final class QdrantKeywords {
  private QdrantKeywords() {}

  static final double K1 = 1.2;
  static final double B = 0.75;
  /** Average tokens per kind assumed for length normalisation (memories are short). */
  static final double AVG_LEN = 32;

  /** A sparse vector: ascending unique indices and their values. */
  record Sparse(List<Integer> indices, List<Float> values) {
    boolean isEmpty() {
      return indices.isEmpty();
    }
  }

  /** The document vector of a memory's name, content, summary and tags. */
  static Sparse document(Memory m) {
    List<String> fields = new ArrayList<>();
    fields.add(m.name());
    fields.add(m.content());
    fields.add(m.summary());
    if (m.tags() != null) {
      fields.addAll(m.tags());
    }
    Map<Integer, Float> out = new TreeMap<>();
    addBm25(out, wordTokens(fields));
    addBm25(out, trigramTokens(fields));
    List<String> grams = new ArrayList<>();
    String g = CjkGrams.of(m.name(), m.content(), m.summary(), m.tags());
    if (!g.isEmpty()) {
      for (String t : g.split(" ")) {
        grams.add("g:" + t);
      }
    }
    addBm25(out, grams);
    String words = JapaneseWords.joined(fields);
    addBm25(out, words.isEmpty() ? List.of() : java.util.Arrays.stream(words.split(" ")).map(w -> "j:" + w).toList());
    return new Sparse(List.copyOf(out.keySet()), List.copyOf(out.values()));
  }

  /** The query vectors of the terms, one per kind that has terms (latin, cjk, short cjk). */
  static List<Sparse> queries(KeywordTerms terms) {
    List<Sparse> out = new ArrayList<>();
    if (!terms.latin().isEmpty()) {
      out.add(query(wordTokens(terms.latin())));
    }
    if (!terms.cjk().isEmpty()) {
      out.add(query(trigramTokens(terms.cjk())));
    }
    if (!terms.shortCjk().isEmpty()) {
      out.add(query(terms.shortCjk().stream().map(t -> "g:" + CjkGrams.token(t)).toList()));
    }
    if (!terms.japaneseWords().isEmpty()) {
      out.add(query(terms.japaneseWords().stream().map(w -> "j:" + w).toList()));
    }
    return out.stream().filter(s -> !s.isEmpty()).toList();
  }

  private static Sparse query(List<String> tokens) {
    Map<Integer, Float> out = new TreeMap<>();
    tokens.forEach(t -> out.put(index(t), 1f));
    return new Sparse(List.copyOf(out.keySet()), List.copyOf(out.values()));
  }

  private static void addBm25(Map<Integer, Float> out, List<String> tokens) {
    if (tokens.isEmpty()) {
      return;
    }
    Map<String, Integer> tf = new LinkedHashMap<>();
    tokens.forEach(t -> tf.merge(t, 1, Integer::sum));
    double norm = K1 * (1 - B + B * tokens.size() / AVG_LEN);
    tf.forEach((t, n) -> out.merge(index(t), (float) (n * (K1 + 1) / (n + norm)), Float::sum));
  }

  /** unicode61-like words (letters and digits, lower-cased, diacritics removed), Porter-stemmed. */
  static List<String> wordTokens(List<String> texts) {
    List<String> out = new ArrayList<>();
    for (String text : texts) {
      if (text == null) {
        continue;
      }
      String folded = Normalizer.normalize(text.toLowerCase(Locale.ROOT), Normalizer.Form.NFD)
          .replaceAll("\\p{M}+", "");
      StringBuilder word = new StringBuilder();
      for (int i = 0; i <= folded.length(); ) {
        int cp = i < folded.length() ? folded.codePointAt(i) : ' ';
        i += i < folded.length() ? Character.charCount(cp) : 1;
        if (Character.isLetterOrDigit(cp) && !CjkGrams.isCjk(cp)) {
          word.appendCodePoint(cp);
        } else if (word.length() > 0) {
          out.add("w:" + stem(word.toString()));
          word.setLength(0);
        }
      }
    }
    return out;
  }

  /** Snowball's implementation of the original Porter algorithm (the one FTS5's porter tokenizer uses). */
  static String stem(String word) {
    PorterStemmer s = new PorterStemmer(); // not thread-safe, and cheap to make
    s.setCurrent(word);
    s.stem();
    return s.getCurrent();
  }

  /** Lower-cased trigrams (by code point, within one text) that hold a CJK character. */
  static List<String> trigramTokens(List<String> texts) {
    List<String> out = new ArrayList<>();
    for (String text : texts) {
      if (text == null) {
        continue;
      }
      int[] cps = text.toLowerCase(Locale.ROOT).codePoints().toArray();
      for (int i = 0; i + 3 <= cps.length; i++) {
        if (CjkGrams.isCjk(cps[i]) || CjkGrams.isCjk(cps[i + 1]) || CjkGrams.isCjk(cps[i + 2])) {
          out.add("t:" + new String(cps, i, 3));
        }
      }
    }
    return out;
  }

  /** The sparse dimension of a token: 31-bit FNV-1a of its UTF-8 bytes. */
  static int index(String token) {
    int h = 0x811c9dc5;
    for (byte x : token.getBytes(StandardCharsets.UTF_8)) {
      h ^= x & 0xff;
      h *= 0x01000193;
    }
    return h & 0x7fffffff;
  }
}
