package dev.memorymcp.storage.ingest;

import dev.memorymcp.storage.qdrant.QdrantCalls;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.qdrant.QdrantContainer;

/**
 * The contract against a real Qdrant in Docker (conditional upserts need 1.17+); skipped where
 * Docker is not available, as here: {@link QdrantIngestQueueTest} runs the same contract on the
 * test double.
 */
@Testcontainers(disabledWithoutDocker = true)
@DisplayName("Ingest queue contract: shared queue on a real Qdrant (Testcontainers)")
class QdrantContainerIngestQueueTest extends IngestQueueContract {
  @Container
  static final QdrantContainer QDRANT =
      new QdrantContainer(System.getProperty("qdrant.image", "qdrant/qdrant:v1.18.2"));

  private final String prefix = "queue_" + UUID.randomUUID().toString().substring(0, 8);

  @Override
  IngestQueue create(int depth) {
    String url = "http://" + QDRANT.getGrpcHostAddress();
    return new QdrantIngestQueue(vertx, new QdrantCalls(vertx, QdrantCalls.connect(url, null), url,
        Duration.ofSeconds(30)), prefix, depth, this::nextId);
  }
}
