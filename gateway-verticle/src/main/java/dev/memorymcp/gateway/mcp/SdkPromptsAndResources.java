package dev.memorymcp.gateway.mcp;

import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * MCP prompts and resources for clients that offer them (Claude Desktop and VS Code list prompts as
 * slash commands and resources as attachments). They sit outside tools/list, so they cost an agent
 * no context until a user picks one. Each is answered by calling the memory tools for the same
 * caller and namespace, so the tools' role and namespace checks apply unchanged (a viewer may read
 * them; a key without the namespace gets the tool's error).
 */
public final class SdkPromptsAndResources {
  /** The project context resource: rules and recent memories of one project. */
  public static final String CONTEXT_TEMPLATE = "memory://context/{project}";
  static final String CONTEXT_PREFIX = "memory://context/";
  static final int RECENT_MEMORIES = 20;

  private SdkPromptsAndResources() {}

  /** Capabilities the server announces beside tools. */
  public static McpSchema.ServerCapabilities capabilities() {
    return McpSchema.ServerCapabilities.builder().tools(false).prompts(false).resources(false, false).build();
  }

  public static List<McpServerFeatures.AsyncResourceTemplateSpecification> resourceTemplates(
      McpToolbox toolbox, String defaultNamespace) {
    McpSchema.ResourceTemplate template = McpSchema.ResourceTemplate.builder()
        .uriTemplate(CONTEXT_TEMPLATE).name("project-context").title("Project memory")
        .description("The standing rules and the 20 newest memories of a project (scope_id), as text.")
        .mimeType("text/markdown").build();
    return List.of(new McpServerFeatures.AsyncResourceTemplateSpecification(template,
        (exchange, req) -> projectContext(toolbox, exchange, defaultNamespace, req.uri())));
  }

  public static List<McpServerFeatures.AsyncPromptSpecification> prompts(McpToolbox toolbox, String defaultNamespace) {
    McpSchema.Prompt recall = new McpSchema.Prompt("recall_before_answering", "Answer with memory",
        "Loads the memories relevant to a question, then asks it.", List.of(
            new McpSchema.PromptArgument("question", "The question to answer.", true),
            new McpSchema.PromptArgument("project", "Project id (scope_id) to prefer.", false)));
    McpSchema.Prompt save = new McpSchema.Prompt("save_session_memories", "Save this session",
        "Asks the assistant to store the durable facts, preferences and decisions of this conversation.", List.of(
            new McpSchema.PromptArgument("project", "Project id (scope_id) for project-specific memories.", false)));
    return List.of(
        new McpServerFeatures.AsyncPromptSpecification(recall,
            (exchange, req) -> recallPrompt(toolbox, exchange, defaultNamespace, req.arguments())),
        new McpServerFeatures.AsyncPromptSpecification(save,
            (exchange, req) -> Mono.just(savePrompt(req.arguments()))));
  }

  static Mono<McpSchema.GetPromptResult> recallPrompt(McpToolbox toolbox, McpAsyncServerExchange exchange,
      String defaultNamespace, Map<String, Object> arguments) {
    String question = arguments == null ? null : (String) arguments.get("question");
    if (question == null || question.isBlank()) {
      return Mono.error(McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS)
          .message("question: required").data(Map.of("field", "question")).build());
    }
    Object project = arguments.get("project");
    Map<String, Object> args = project instanceof String p && !p.isBlank()
        ? Map.of("query", question, "scope_id", p) : Map.of("query", question);
    return text(toolbox, exchange, defaultNamespace, "get_context", args).map(context -> new McpSchema.GetPromptResult(
        "Memories relevant to the question, then the question.", List.of(new McpSchema.PromptMessage(McpSchema.Role.USER,
            new McpSchema.TextContent(context + "\n\nUse these memories where they apply (they may be outdated: prefer"
                + " what I say now), and say which ones you relied on. Question: " + question)))));
  }

  static McpSchema.GetPromptResult savePrompt(Map<String, Object> arguments) {
    Object project = arguments == null ? null : arguments.get("project");
    String scope = project instanceof String p && !p.isBlank()
        ? " Facts about this project get scope \"project\" and scope_id \"" + p + "\"; the rest stay global." : "";
    return new McpSchema.GetPromptResult("Store what this conversation established.", List.of(
        new McpSchema.PromptMessage(McpSchema.Role.USER, new McpSchema.TextContent(
            "Go through this conversation and call remember once for each durable fact, preference, decision or"
                + " standing rule it established (type rule for instructions to follow), one self-contained"
                + " sentence each, in the language it was said in. Skip small talk, one-off details and anything"
                + " already recalled unchanged; use update_memory to correct a memory instead of adding a"
                + " near-copy." + scope + " Then list what you stored."))));
  }

  static Mono<McpSchema.ReadResourceResult> projectContext(McpToolbox toolbox, McpAsyncServerExchange exchange,
      String defaultNamespace, String uri) {
    String project = uri.startsWith(CONTEXT_PREFIX)
        ? URLDecoder.decode(uri.substring(CONTEXT_PREFIX.length()), StandardCharsets.UTF_8) : "";
    if (project.isBlank() || project.contains("/")) {
      return Mono.error(McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS)
          .message("uri: expected " + CONTEXT_TEMPLATE + " with a project id").data(Map.of("field", "uri")).build());
    }
    Mono<String> rules = text(toolbox, exchange, defaultNamespace, "get_project_rules", Map.of("scope_id", project));
    Mono<String> recent = text(toolbox, exchange, defaultNamespace, "list_memories",
        Map.of("scope_id", project, "limit", RECENT_MEMORIES));
    return Mono.zip(rules, recent).map(both -> new McpSchema.ReadResourceResult(List.of(
        new McpSchema.TextResourceContents(uri, "text/markdown", "# Project " + project + "\n\n## Rules (project and global)\n"
            + both.getT1() + "\n\n## Newest memories of the project\n" + both.getT2()))));
  }

  /** A tool's text; a tool error becomes an MCP error carrying its message (e.g. a namespace the key may not use). */
  private static Mono<String> text(McpToolbox toolbox, McpAsyncServerExchange exchange, String defaultNamespace,
      String tool, Map<String, Object> args) {
    return Mono.fromCompletionStage(() -> toolbox.call(SdkTools.caller(exchange),
        SdkTools.namespace(exchange, defaultNamespace), tool, args).toCompletionStage()).flatMap(r -> {
          String text = r.content().stream().filter(c -> c instanceof McpSchema.TextContent)
              .map(c -> ((McpSchema.TextContent) c).text()).collect(Collectors.joining("\n"));
          return Boolean.TRUE.equals(r.isError())
              ? Mono.error(McpError.builder(McpSchema.ErrorCodes.INVALID_REQUEST).message(text).build())
              : Mono.just(text);
        });
  }
}
