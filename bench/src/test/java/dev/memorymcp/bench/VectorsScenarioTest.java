package dev.memorymcp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("vectors scenario: the exact truth it measures recall against, and the export it reads")
class VectorsScenarioTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("exact top k is by descending dot product")
  void exactTopK() {
    float[][] data = {{1, 0}, {0, 1}, {0.8f, 0.6f}, {-1, 0}, {0.6f, 0.8f}};
    assertThat(VectorsScenario.exact(data, new float[] {1, 0}, 3)).containsExactly(0, 2, 4);
    assertThat(VectorsScenario.exact(data, new float[] {0, 1}, 2)).containsExactly(1, 4);
  }

  @Test
  @DisplayName("reads the little-endian float32 vectors of an export, skipping the header and lines without one")
  void readsExport() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.25f).putFloat(-1.5f);
    Path export = dir.resolve("export.jsonl");
    Files.writeString(export, String.join("\n",
        new JsonObject().put("format", "memory-export").encode(),
        new JsonObject().put("id", "a").put("vector", Base64.getEncoder().encodeToString(b.array())).encode(),
        new JsonObject().put("id", "b").encode(), ""));
    List<float[]> vectors = VectorsScenario.readVectors(export);
    assertThat(vectors).hasSize(1);
    assertThat(vectors.get(0)).containsExactly(0.25f, -1.5f);
  }
}
