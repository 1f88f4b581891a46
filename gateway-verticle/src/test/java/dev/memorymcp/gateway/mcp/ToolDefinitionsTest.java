package dev.memorymcp.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.json.schema.jackson3.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The tool definitions are complete and their schemas are valid JSON Schema 2020-12. */
@DisplayName("tool definitions")
class ToolDefinitionsTest {

  @Test
  @DisplayName("every tool, each with a description, schemas and behaviour hints; input schemas closed")
  void complete() {
    Vertx vertx = Vertx.vertx();
    try {
      List<McpSchema.Tool> tools = new MemoryTools(vertx, new JsonObject()).tools();
      assertThat(tools).extracting(McpSchema.Tool::name).containsExactly("remember", "recall", "forget",
          "relate", "update_memory", "list_memories", "memory_history", "get_context", "get_project_rules",
          "ingest_conversation", "ingest_status", "migrate_sqlite_to_qdrant", "migrate_qdrant_to_sqlite",
          "migration_status", "find_duplicates", "merge_memories", "restore_memory", "clean_duplicates", "memory_graph",
          "rebuild_embeddings");
      DefaultJsonSchemaValidator v = new DefaultJsonSchemaValidator();
      for (McpSchema.Tool t : tools) {
        assertThat(t.description()).as(t.name()).hasSizeGreaterThan(40).endsWith(".");
        assertThat(t.title()).isNotBlank();
        assertThat(t.inputSchema().get("additionalProperties")).as(t.name()).isEqualTo(false);
        assertThat(t.outputSchema().get("type")).isEqualTo("object");
        assertThat(v.validateSchema(t.inputSchema()).valid()).as(t.name() + " input").isTrue();
        assertThat(v.validateSchema(t.outputSchema()).valid()).as(t.name() + " output").isTrue();
        McpSchema.ToolAnnotations a = t.annotations();
        assertThat(a.openWorldHint()).isFalse();
        assertThat(a.readOnlyHint()).isNotNull();
        if (!a.readOnlyHint()) { // MCP: the other two hints mean something only for a tool that writes
          assertThat(a.destructiveHint()).as(t.name()).isNotNull();
          assertThat(a.idempotentHint()).as(t.name()).isNotNull();
        }
      }
      assertThat(tools.stream().filter(t -> !t.annotations().readOnlyHint()).map(McpSchema.Tool::name))
          .containsExactly("remember", "forget", "relate", "update_memory", "ingest_conversation",
              "migrate_sqlite_to_qdrant", "migrate_qdrant_to_sqlite", "merge_memories", "restore_memory",
              "clean_duplicates", "rebuild_embeddings");
      assertThat(tools.stream().filter(t -> Boolean.TRUE.equals(t.annotations().destructiveHint()))
          .map(McpSchema.Tool::name)).containsExactly("forget", "merge_memories", "clean_duplicates");
    } finally {
      vertx.close();
    }
  }
}
