package dev.memorymcp.bus.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import java.io.StringReader;
import org.apache.lucene.analysis.ja.JapaneseAnalyzer;
import org.apache.lucene.analysis.ja.JapaneseTokenizer;
import org.apache.lucene.analysis.ja.tokenattributes.BaseFormAttribute;
import org.apache.lucene.analysis.ja.tokenattributes.PartOfSpeechAttribute;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * Japanese words for keyword search, by Lucene's Kuromoji analyser (IPADIC, inside the jar): search
 * mode (compounds split: 関西国際空港 → 関西 / 国際 / 空港), base forms (食べた → 食べる), full- and
 * half-width folded, katakana long-vowel stems (コンピューター → コンピュータ), particles, auxiliaries
 * and other stop tags and stop words dropped, lower-cased. Only words holding a Han, Hiragana or
 * Katakana character are kept: Latin words go through the English analysis. The same function
 * indexes memories and analyses queries, so both sides agree.
 */
public final class JapaneseWords {
  private JapaneseWords() {}

  /** Thread-safe: Lucene keeps one token stream per thread. Loading the dictionary takes ~0.3 s once. */
  private static final Analyzer ANALYZER = new JapaneseAnalyzer();

  /** The words of {@code text} in order (repeats kept, for term frequency); empty without CJK. */
  public static List<String> of(String text) {
    List<String> out = new ArrayList<>();
    if (text == null || text.codePoints().noneMatch(Scripts::isCjk)) {
      return out;
    }
    try (TokenStream ts = ANALYZER.tokenStream("text", text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        String w = term.toString();
        if (w.codePoints().anyMatch(Scripts::isCjk)) {
          out.add(w);
        }
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringReader does not fail
    }
    return out;
  }

  /**
   * How many negations the text holds: the negative auxiliaries ない, ぬ (ず) and ん (ません), and the
   * adjective ない / 無い ("there is no"). Two statements whose counts differ say opposite things.
   */
  public static int negations(String text) {
    if (text == null || text.codePoints().noneMatch(Scripts::isCjk)) {
      return 0;
    }
    int n = 0;
    try (JapaneseTokenizer t = new JapaneseTokenizer(null, true, JapaneseTokenizer.Mode.NORMAL)) {
      t.setReader(new StringReader(text));
      CharTermAttribute term = t.addAttribute(CharTermAttribute.class);
      BaseFormAttribute base = t.addAttribute(BaseFormAttribute.class);
      PartOfSpeechAttribute pos = t.addAttribute(PartOfSpeechAttribute.class);
      t.reset();
      while (t.incrementToken()) {
        String form = base.getBaseForm() != null ? base.getBaseForm() : term.toString();
        String p = pos.getPartOfSpeech() == null ? "" : pos.getPartOfSpeech();
        if (p.startsWith("助動詞") && NEGATIVE_AUXILIARIES.contains(form)
            || p.startsWith("形容詞") && (form.equals("ない") || form.equals("無い"))) {
          n++;
        }
      }
      t.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    java.util.regex.Matcher failed = FAILING.matcher(text);
    while (failed.find()) {
      n++;
    }
    return n;
  }

  private static final java.util.Set<String> NEGATIVE_AUXILIARIES = java.util.Set.of("ない", "ぬ", "ん");
  /**
   * Verbs after a verb stem that turn the action into its failure (打ちそこなう: to miss the ball),
   * counted like a negation. Matched on the text: Kuromoji splits hiragana そこなっ into そこ + なっ.
   */
  private static final java.util.regex.Pattern FAILING = java.util.regex.Pattern.compile(
      "(?<=[\\p{IsHan}\\p{IsHiragana}])(?:そこな[わいうえっ]|損な[わいうえっ]|そこね|損ね|損じ|しそび|しくじ)");

  /** The words of several texts (a memory's name, content, summary, tags), space-separated. */
  public static String joined(List<String> texts) {
    StringBuilder sb = new StringBuilder();
    for (String t : texts) {
      for (String w : of(t)) {
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(w);
      }
    }
    return sb.toString();
  }
}
