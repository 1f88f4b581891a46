package dev.memorymcp.storage.qdrant;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** The contract against the Qdrant named by MEMORY_MCP_QDRANT_URL; skipped when it is not set. */
@EnabledIfEnvironmentVariable(named = "MEMORY_MCP_QDRANT_URL", matches = ".+")
@DisplayName("MemoryStore contract: Qdrant store against MEMORY_MCP_QDRANT_URL")
class QdrantUrlContractTest extends RealQdrantContract {
  @Override
  String url() {
    return System.getenv("MEMORY_MCP_QDRANT_URL");
  }
}
