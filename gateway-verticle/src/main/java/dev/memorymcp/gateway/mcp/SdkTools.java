package dev.memorymcp.gateway.mcp;

import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.gateway.auth.Caller;
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
  /** The McpTransportContext key carrying the request's {@link Caller} (absent on stdio: a local caller). */
  public static final String CALLER = "caller";

  private SdkTools() {}

  /** One specification per tool; calls run in the context's namespace, else {@code defaultNamespace}. */
  public static List<McpServerFeatures.AsyncToolSpecification> specifications(
      McpToolbox toolbox, String defaultNamespace) {
    return specifications(toolbox, defaultNamespace, toolbox.tools());
  }

  /** The same for a chosen subset of the tools (stdio lists only its profile's). */
  public static List<McpServerFeatures.AsyncToolSpecification> specifications(
      McpToolbox toolbox, String defaultNamespace, List<McpSchema.Tool> tools) {
    return tools.stream().map(tool -> McpServerFeatures.AsyncToolSpecification.builder()
        .tool(tool)
        .callHandler((exchange, req) -> call(toolbox, caller(exchange), namespace(exchange, defaultNamespace), req))
        .build()).toList();
  }

  static String namespace(McpAsyncServerExchange exchange, String defaultNamespace) {
    Object ns = exchange.transportContext() == null ? null : exchange.transportContext().get(NAMESPACE);
    return ns instanceof String s && !s.isBlank() ? s : Namespaces.check("namespace", defaultNamespace);
  }

  static Caller caller(McpAsyncServerExchange exchange) {
    Object c = exchange.transportContext() == null ? null : exchange.transportContext().get(CALLER);
    return c instanceof Caller caller ? caller : Caller.LOCAL;
  }

  /** Calls the tool; an unknown tool becomes JSON-RPC error -32602, as the SDK itself answers. */
  public static Mono<McpSchema.CallToolResult> call(McpToolbox toolbox, Caller caller, String namespace,
      McpSchema.CallToolRequest req) {
    Map<String, Object> args = req.arguments() == null ? Map.of() : req.arguments();
    return Mono.fromCompletionStage(() -> toolbox.call(caller, namespace, req.name(), args).toCompletionStage())
        .onErrorMap(McpToolbox.UnknownToolException.class, e -> unknownTool(req.name()));
  }

  /** The SDK's own error for an unknown tool name (McpAsyncServer.toolsCallRequestHandler). */
  public static McpError unknownTool(String name) {
    return McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS).message("Unknown tool: " + name)
        .data("Tool not found: " + name).build();
  }
}
