package dev.memorymcp.storage.dedupe;

import dev.memorymcp.bus.text.JapaneseWords;
import dev.memorymcp.bus.text.Scripts;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides what remembering a text means given its nearest stored neighbours, so that nothing is
 * lost or silently changed:
 * <ul>
 *   <li>MERGE: near-identical (dense score above the model's merge threshold, high trigram overlap,
 *       no conflicting key tokens) and the new text adds no word the stored one lacks, in the same order;</li>
 *   <li>UPDATE: the new text holds every word of the stored one, in order, and adds detail (no negation),
 *       with a dense score above the merge threshold: the stored memory takes the fuller text (the
 *       old text stays in its history);</li>
 *   <li>SUPERSEDE: the same statement frame with conflicting key tokens ("PostgreSQL 16" then
 *       "MySQL 8"): a new memory that {@code supersedes} the old;</li>
 *   <li>RELATE: similar: a new memory {@code related_to} the neighbours;</li>
 *   <li>CREATE: nothing close.</li>
 * </ul>
 * Text in a script the model does not cover (Japanese under an English-only model) is judged on
 * lexical overlap alone: its dense scores are high for unrelated sentences.
 */
public final class DedupePolicy {

  public enum Action { CREATE, RELATE, SUPERSEDE, MERGE, UPDATE }

  /** A stored neighbour: id, text, dense cosine to the new text. */
  public record Neighbour(String id, String content, double dense) {}

  /** The decision: the target of a MERGE/UPDATE/SUPERSEDE, and the ids to relate to. */
  public record Decision(Action action, String targetId, List<String> relatedIds, double dense,
      double lexical, String reason) {}

  /** Trigram overlap a supersede needs: the two must share their frame, not just a topic. */
  static final double SUPERSEDE_LEXICAL = 0.35;
  /** Trigram overlap an elaboration needs besides containing every word of the stored text. */
  static final double ELABORATION_LEXICAL = 0.5;
  /** Words whose arrival turns an elaboration into a contradiction ("... no longer ..."). */
  static final Set<String> NEGATIONS = Set.of("not", "no", "never", "t", "cannot", "anymore",
      "longer", "nobody", "nothing", "none", "neither", "nor", "stopped", "without", "無", "不",
      "非", "没", "ず");
  static final int MAX_RELATED = 3;

  private final DedupeThresholds t;
  private final boolean multilingual;

  public DedupePolicy(DedupeThresholds thresholds, boolean modelMultilingual) {
    this.t = thresholds;
    this.multilingual = modelMultilingual;
  }

  public DedupeThresholds thresholds() {
    return t;
  }

  /** Whether the dense score can be trusted for this text. */
  public boolean covered(String text) {
    return multilingual || !Scripts.mostlyCjk(text);
  }

  public Decision decide(String content, List<Neighbour> neighbours) {
    Set<String> keys = Lexical.keyTokens(content);
    List<String> sequence = Lexical.sequence(content);
    Set<String> units = new HashSet<>(sequence);
    boolean coveredNew = covered(content);
    Decision supersede = null;
    List<String> related = new ArrayList<>();
    for (Neighbour n : neighbours) {
      boolean dense = coveredNew && covered(n.content());
      double lex = Lexical.similarity(content, n.content());
      List<String> oldSequence = Lexical.sequence(n.content());
      Set<String> old = new HashSet<>(oldSequence);
      boolean superset = units.containsAll(old) && !old.containsAll(units);
      // a negation added or dropped, in either language, makes the pair a contradiction
      boolean negates = superset && addsNegation(units, old) || negations(content) != negations(n.content());
      boolean conflict = negates || conflicting(keys, Lexical.keyTokens(n.content()));
      boolean close = dense ? n.dense() >= t.merge() && lex >= t.lexicalMerge()
          : lex >= t.lexicalMergeUncovered();
      boolean similar = dense ? n.dense() >= t.relate() : lex >= t.lexicalRelateUncovered();
      // the same words in another order can say another thing ("the fish follows the turtle"): in order only
      if (close && !conflict && old.containsAll(units) && Lexical.inOrder(sequence, oldSequence)) {
        return new Decision(Action.MERGE, n.id(), List.of(), n.dense(), lex,
            "near-identical and adds nothing new");
      }
      boolean elaborates = superset && !conflict && lex >= ELABORATION_LEXICAL
          && (!dense || n.dense() >= t.merge()) && Lexical.inOrder(oldSequence, sequence);
      if (elaborates) {
        return new Decision(Action.UPDATE, n.id(), List.of(), n.dense(), lex,
            "keeps every word of the stored text and adds detail");
      }
      if (conflict && similar && lex >= SUPERSEDE_LEXICAL && supersede == null) {
        supersede = new Decision(Action.SUPERSEDE, n.id(), List.of(), n.dense(), lex,
            "same statement with different " + diff(keys, Lexical.keyTokens(n.content())));
      } else if (similar && related.size() < MAX_RELATED) {
        related.add(n.id());
      }
    }
    if (supersede != null) {
      related.remove(supersede.targetId());
      return new Decision(Action.SUPERSEDE, supersede.targetId(), related, supersede.dense(),
          supersede.lexical(), supersede.reason());
    }
    if (!related.isEmpty()) {
      return new Decision(Action.RELATE, null, related, 0, 0, "similar to existing memories");
    }
    return new Decision(Action.CREATE, null, List.of(), 0, 0, "nothing similar");
  }

  /** English negation words (not, no, never, n't …) plus Japanese negative auxiliaries (ない, ません, ず …). */
  static int negations(String text) {
    int n = 0;
    for (String w : Lexical.units(text)) {
      if (NEGATIONS.contains(w) && w.codePoints().noneMatch(Scripts::isCjk)) {
        n++;
      }
    }
    return n + JapaneseWords.negations(text);
  }

  /** Whether the words the new text adds include a negation (English words; Japanese ない / ません / 無 ...). */
  static boolean addsNegation(Set<String> units, Set<String> old) {
    Set<String> added = new HashSet<>(units);
    added.removeAll(old);
    for (String w : added) {
      if (NEGATIONS.contains(w)) {
        return true;
      }
    }
    return added.contains("な") && added.contains("い") || added.contains("せ") && added.contains("ん");
  }

  /** Each side names something the other does not: a replacement, not an elaboration. */
  static boolean conflicting(Set<String> a, Set<String> b) {
    return !b.containsAll(a) && !a.containsAll(b);
  }

  private static String diff(Set<String> a, Set<String> b) {
    Set<String> x = new HashSet<>(a);
    x.removeAll(b);
    return x.toString();
  }
}
