package dev.memorymcp.storage.qdrant;

import dev.memorymcp.storage.MemoryStoreContract;

import dev.memorymcp.storage.MemoryStore;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.UUID;

/**
 * The contract against a real Qdrant at {@link #url()}: each test uses its own collection prefix
 * and deletes its collections afterwards, so a shared Qdrant is left as it was.
 */
abstract class RealQdrantContract extends MemoryStoreContract {
  private String prefix;

  /** The gRPC URL of the Qdrant under test. */
  abstract String url();

  /** Its API key, or null. */
  String apiKey() {
    return System.getenv("MEMORY_MCP_QDRANT_API_KEY");
  }

  @Override
  protected MemoryStore newStore(Vertx vertx) {
    prefix = "contract_" + UUID.randomUUID().toString().substring(0, 8) + "_";
    return new QdrantMemoryStore(vertx, url(), apiKey(), prefix);
  }

  @Override
  protected void cleanUp() throws Exception {
    URI uri = URI.create(url());
    QdrantGrpcClient.Builder b = QdrantGrpcClient.newBuilder(uri.getHost(), uri.getPort(),
        "https".equals(uri.getScheme()), false);
    if (apiKey() != null && !apiKey().isBlank()) {
      b.withApiKey(apiKey());
    }
    try (QdrantClient client = new QdrantClient(b.build())) {
      for (String c : client.listCollectionsAsync().get()) {
        if (c.startsWith(prefix)) {
          client.deleteCollectionAsync(c).get();
        }
      }
    }
  }
}
