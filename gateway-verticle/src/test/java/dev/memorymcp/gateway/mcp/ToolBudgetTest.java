package dev.memorymcp.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.memorymcp.gateway.auth.Caller;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What tools/list costs an agent's context: the list as the SDK serialises it, counted with
 * cl100k_base (the tokenizer get_context budgets with). The figures are printed for the CI log.
 */
@DisplayName("tools/list token budget")
class ToolBudgetTest {
  /** The default profile's whole tools/list, output schemas included (issue 17). */
  static final int DEFAULT_PROFILE_BUDGET = 2_500;

  static final Encoding CL100K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  static Vertx vertx;
  static MemoryTools toolbox;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    toolbox = new MemoryTools(vertx, new JsonObject());
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static int tokens(Object value) throws Exception {
    return CL100K.countTokens(McpJsonDefaults.getMapper().writeValueAsString(value));
  }

  static int listTokens(List<McpSchema.Tool> tools) throws Exception {
    return tokens(new McpSchema.ListToolsResult(tools, null));
  }

  static McpSchema.Tool withoutOutputSchema(McpSchema.Tool t) {
    return McpSchema.Tool.builder().name(t.name()).title(t.title()).description(t.description())
        .inputSchema(t.inputSchema()).annotations(t.annotations()).build();
  }

  @Test
  @DisplayName("the default profile's tools/list costs at most 2,500 cl100k tokens, output schemas included")
  void defaultProfileWithinBudget() throws Exception {
    List<McpSchema.Tool> all = toolbox.tools();
    List<McpSchema.Tool> lean = toolbox.tools(Caller.LOCAL, false);
    int leanTokens = listTokens(lean);
    int allTokens = listTokens(all);
    StringBuilder report = new StringBuilder("tools/list cl100k tokens (output schemas included):\n");
    for (McpSchema.Tool t : all) {
      report.append(String.format("  %-26s %5d  (without output schema %d)%s%n", t.name(), tokens(t),
          tokens(withoutOutputSchema(t)), lean.contains(t) ? "" : "  [admin profile only]"));
    }
    report.append(String.format("  default profile: %d tools, %d tokens (budget %d; without output schemas %d)%n",
        lean.size(), leanTokens, DEFAULT_PROFILE_BUDGET, listTokens(lean.stream().map(ToolBudgetTest::withoutOutputSchema).toList())));
    report.append(String.format("  admin profile:   %d tools, %d tokens%n", all.size(), allTokens));
    System.out.print(report);
    assertThat(lean).extracting(McpSchema.Tool::name).contains("remember", "recall", "forget", "relate",
        "update_memory", "get_context", "get_project_rules", "ingest_conversation");
    assertThat(leanTokens).as(report.toString()).isLessThanOrEqualTo(DEFAULT_PROFILE_BUDGET);
  }
}
