package dev.memorymcp.storage.qdrant;

import org.junit.jupiter.api.DisplayName;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.qdrant.QdrantContainer;

/** The contract against a real Qdrant in Docker; skipped where Docker is not available. */
@Testcontainers(disabledWithoutDocker = true)
@DisplayName("MemoryStore contract: Qdrant store against a real Qdrant (Testcontainers)")
class QdrantContainerContractTest extends RealQdrantContract {
  @Container
  static final QdrantContainer QDRANT =
      new QdrantContainer(System.getProperty("qdrant.image", "qdrant/qdrant:v1.18.2"));

  @Override
  String url() {
    return "http://" + QDRANT.getGrpcHostAddress();
  }

  @Override
  String apiKey() {
    return null;
  }
}
