package dev.memorymcp.storage.qdrant;

import dev.memorymcp.storage.MemoryStoreContract;

import dev.memorymcp.qdrantdouble.QdrantDouble;
import dev.memorymcp.storage.MemoryStore;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.DisplayName;

/**
 * The contract over a real TCP connection: the Qdrant store built from a URL (as the server
 * builds it from MEMORY_MCP_QDRANT_URL) against the Qdrant TEST DOUBLE on a loopback port.
 */
@DisplayName("MemoryStore contract: Qdrant store by URL against the Qdrant test double on 127.0.0.1")
class QdrantLoopbackContractTest extends MemoryStoreContract {
  private QdrantDouble qdrant;

  @Override
  protected MemoryStore newStore(Vertx vertx) {
    qdrant = QdrantDouble.onLoopback(0);
    return new QdrantMemoryStore(vertx, qdrant.url(), null, "memory_");
  }

  @Override
  protected void cleanUp() {
    qdrant.close();
  }
}
