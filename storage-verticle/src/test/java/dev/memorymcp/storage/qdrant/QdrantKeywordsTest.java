package dev.memorymcp.storage.qdrant;

import dev.memorymcp.storage.Fixtures;
import dev.memorymcp.storage.internal.KeywordTerms;

import static dev.memorymcp.storage.Fixtures.memory;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Qdrant keyword vectors: Porter stems and token kinds like the FTS5 tables")
class QdrantKeywordsTest {

  @Test
  @DisplayName("the Porter stemmer gives the algorithm's published outputs")
  void porter() {
    String[][] pairs = {{"caresses", "caress"}, {"ponies", "poni"}, {"relational", "relat"},
        {"generalization", "gener"}, {"agreed", "agre"}, {"motoring", "motor"},
        {"hopping", "hop"}, {"filing", "file"}, {"sky", "sky"}, {"deploying", "deploi"},
        {"deployed", "deploi"}, {"deployments", "deploy"}, {"happy", "happi"}};
    for (String[] p : pairs) {
      assertThat(QdrantKeywords.stem(p[0])).as(p[0]).isEqualTo(p[1]);
    }
    assertThat(QdrantKeywords.stem("東京")).isEqualTo("東京");
  }

  @Test
  @DisplayName("words are folded and stemmed; trigrams keep only those holding a CJK character")
  void tokens() {
    assertThat(QdrantKeywords.wordTokens(List.of("Café DEPLOYING, v2!")))
        .containsExactly("w:cafe", "w:deploi", "w:v2");
    assertThat(QdrantKeywords.trigramTokens(List.of("xab東京", "abcd")))
        .containsExactly("t:ab東", "t:b東京");
  }

  @Test
  @DisplayName("a document vector has unique ascending indices, one query per term kind")
  void vectors() {
    QdrantKeywords.Sparse doc = QdrantKeywords.document(memory("ns", "m", "deploy deploy 東京タワー")
        .tags("東").build());
    assertThat(doc.indices()).isSorted().doesNotHaveDuplicates();
    assertThat(doc.values()).allSatisfy(v -> assertThat(v).isPositive());
    assertThat(QdrantKeywords.queries(KeywordTerms.of(List.of("deploy", "東京タワー", "東"))))
        .hasSize(3).allSatisfy(q -> assertThat(doc.indices()).containsAll(q.indices()));
  }
}
