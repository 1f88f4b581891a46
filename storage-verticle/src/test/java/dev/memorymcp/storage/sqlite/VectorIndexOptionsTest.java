package dev.memorymcp.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("vector_index.* settings")
class VectorIndexOptionsTest {

  @Test
  @DisplayName("defaults: hnsw from 10,000 memories, ef 100, int8 vectors, served namespaces' vectors off the heap, segments of 250,000")
  void defaults() {
    VectorIndexOptions o = VectorIndexOptions.from(new JsonObject());
    assertThat(o).isEqualTo(new VectorIndexOptions(true, 10_000, 100, VectorIndexOptions.Format.INT8, false, 250_000));
  }

  @Test
  @DisplayName("vector_index.segment_docs is read; fewer than 1,000 is refused naming the setting")
  void segmentDocs() {
    assertThat(VectorIndexOptions.from(new JsonObject().put("vector_index.segment_docs", 1_000_000)).segmentDocs())
        .isEqualTo(1_000_000);
    assertThatThrownBy(() -> VectorIndexOptions.from(new JsonObject().put("vector_index.segment_docs", 999)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vector_index.segment_docs").hasMessageContaining("999");
  }

  @Test
  @DisplayName("vector_index.heap_vectors is read as a boolean or its text (an environment variable); another value is refused naming it")
  void heapVectors() {
    assertThat(VectorIndexOptions.from(new JsonObject().put("vector_index.heap_vectors", true)).heapVectors()).isTrue();
    assertThat(VectorIndexOptions.from(new JsonObject().put("vector_index.heap_vectors", "true")).heapVectors()).isTrue();
    assertThat(VectorIndexOptions.from(new JsonObject().put("vector_index.heap_vectors", "false")).heapVectors()).isFalse();
    assertThatThrownBy(() -> VectorIndexOptions.from(new JsonObject().put("vector_index.heap_vectors", "yes")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vector_index.heap_vectors").hasMessageContaining("yes");
  }

  @Test
  @DisplayName("ef grows by one step per full 250,000 memories of a graph: 100 up to 499,999, 400 at 1M")
  void efGrowsWithTheNamespace() {
    VectorIndexOptions o = VectorIndexOptions.DEFAULTS;
    assertThat(o.efFor(0)).isEqualTo(100);
    assertThat(o.efFor(102_100)).isEqualTo(100);
    assertThat(o.efFor(499_999)).isEqualTo(100);
    assertThat(o.efFor(500_000)).isEqualTo(200);
    assertThat(o.efFor(1_000_330)).isEqualTo(400);
    assertThat(new VectorIndexOptions(true, 0, 40).efFor(750_000)).isEqualTo(120);
    assertThat(new VectorIndexOptions(true, 0, 5_000).efFor(1_000_000)).as("capped").isEqualTo(10_000);
  }

  @Test
  @DisplayName("vector_index.format float32 is read; another value is refused naming the setting")
  void format() {
    assertThat(VectorIndexOptions.from(new JsonObject().put("vector_index.format", "float32")).format())
        .isEqualTo(VectorIndexOptions.Format.FLOAT32);
    assertThatThrownBy(() -> VectorIndexOptions.from(new JsonObject().put("vector_index.format", "int4")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vector_index.format").hasMessageContaining("int4");
    assertThatThrownBy(() -> VectorIndexOptions.from(new JsonObject().put("vector_index.kind", "flat")))
        .hasMessageContaining("vector_index.kind");
  }
}
