package dev.memorymcp.storage.sqlite;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.util.CharTokenizer;

/**
 * Lucene's counterpart of the FTS5 table {@code memories_fts} ({@code porter unicode61
 * remove_diacritics 2}): tokens are runs of letters and digits, lower-cased, folded to ASCII and
 * Porter-stemmed, so a term matches the same memories in both. Fields of one memory (name,
 * content, summary, tags) are separate values with a gap, so a phrase does not span two.
 */
final class LatinAnalyzer extends Analyzer {
  @Override
  protected TokenStreamComponents createComponents(String fieldName) {
    CharTokenizer tokenizer = new CharTokenizer() {
      @Override
      protected boolean isTokenChar(int c) {
        return Character.isLetterOrDigit(c);
      }
    };
    TokenStream stream = new PorterStemFilter(new ASCIIFoldingFilter(new LowerCaseFilter(tokenizer)));
    return new TokenStreamComponents(tokenizer, stream);
  }

  @Override
  public int getPositionIncrementGap(String fieldName) {
    return 100;
  }
}
