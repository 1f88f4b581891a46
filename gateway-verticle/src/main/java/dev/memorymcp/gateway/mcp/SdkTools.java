package dev.memorymcp.gateway.mcp;

import dev.memorymcp.bus.Namespaces;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Adapts an {@link McpToolbox} to the SDK's tool specifications, for the Streamable HTTP sessions
 * and for stdio. The namespace comes from the transport context (key {@value #NAMESPACE}).
 */
public final class SdkTools {
  /** The McpTransportContext key carrying the request's namespace. */
  public static final String NAMESPACE = "namespace";

  private SdkTools() {}

  /** One specification per tool; calls run in the context's namespace, else {@code defaultNamespace}. */
  public static List<McpServerFeatures.AsyncToolSpecification> specifications(
      McpToolbox toolbox, String defaultNamespace) {
    return toolbox.tools().stream().map(tool -> McpServerFeatures.AsyncToolSpecification.builder()
        .tool(tool)
        .callHandler((exchange, req) -> call(toolbox, namespace(exchange, defaultNamespace), req))
        .build()).toList();
  }

  static String namespace(McpAsyncServerExchange exchange, String defaultNamespace) {
    Object ns = exchange.transportContext() == null ? null : exchange.transportContext().get(NAMESPACE);
    return ns instanceof String s && !s.isBlank() ? s : Namespaces.check("namespace", defaultNamespace);
  }

  /** Calls the tool; an unknown tool becomes JSON-RPC error -32602, as the SDK itself answers. */
  public static Mono<McpSchema.CallToolResult> call(McpToolbox toolbox, String namespace,
      McpSchema.CallToolRequest req) {
    Map<String, Object> args = req.arguments() == null ? Map.of() : req.arguments();
    return Mono.fromCompletionStage(() -> toolbox.call(namespace, req.name(), args).toCompletionStage())
        .onErrorMap(McpToolbox.UnknownToolException.class, e -> unknownTool(req.name()));
  }

  /** The SDK's own error for an unknown tool name (McpAsyncServer.toolsCallRequestHandler). */
  public static McpError unknownTool(String name) {
    return McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS).message("Unknown tool: " + name)
        .data("Tool not found: " + name).build();
  }
}
