package dev.memorymcp.storage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Ingest queue contract: SQLite (a real ingest.db file)")
class SqliteIngestQueueTest extends IngestQueueContract {
  @Override
  IngestQueue create(int depth) {
    return new SqliteIngestQueue(vertx, dir.resolve("ingest.db"), "FULL", depth, this::nextId);
  }

  @Test
  @DisplayName("jobs a crash left running are queued again on open, with their checkpoint (the file has one owner)")
  void runningJobsRequeuedOnOpen() {
    String id = on(() -> queue.enqueue("ns", request("I prefer dark mode"), null)).getString("job_id");
    on(() -> queue.claim("w", 1, 600_000));
    JsonObject extraction = new JsonObject().put("extractor", "heuristic").put("facts", new JsonArray());
    on(() -> queue.checkpoint(id, "w", extraction, 600_000));
    on(() -> queue.close()); // the process "dies" with the job running

    queue = open(100);
    assertThat(on(() -> queue.get("ns", id)).getString("status")).isEqualTo("queued");
    JsonObject again = on(() -> queue.claim("w2", 1, 600_000)).get(0);
    assertThat(again.getString("id")).isEqualTo(id);
    assertThat(again.getInteger("attempts")).isEqualTo(2);
    assertThat(again.getJsonObject("extraction")).isEqualTo(extraction);
  }
}
