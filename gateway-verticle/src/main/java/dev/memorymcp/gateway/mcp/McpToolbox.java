package dev.memorymcp.gateway.mcp;

import dev.memorymcp.gateway.auth.Caller;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * The memory tools as the MCP transports see them: one implementation ({@code MemoryTools}) serves
 * Streamable HTTP (both protocol eras) and stdio alike.
 */
public interface McpToolbox {

  /** Raised (as a failed future) for a tool name that does not exist: a JSON-RPC error, not a tool error. */
  final class UnknownToolException extends RuntimeException {
    public UnknownToolException(String name) {
      super("Unknown tool: " + name);
    }
  }

  /** The tool definitions: names, descriptions, input and output schemas, annotations. */
  List<McpSchema.Tool> tools();

  /**
   * What {@code tools/list} shows a caller: the tools its role may call; operator tools only in the
   * admin profile ({@code adminProfile}: {@code /mcp?profile=admin}) or to an admin API key.
   */
  default List<McpSchema.Tool> tools(Caller caller, boolean adminProfile) {
    return tools();
  }

  /**
   * Calls a tool in a namespace for a caller (its role and grants decide what it may do). Invalid arguments and failures of the service complete with a
   * result whose {@code isError} is true and whose text names the field; an unknown tool fails
   * with {@link UnknownToolException}.
   */
  Future<McpSchema.CallToolResult> call(Caller caller, String namespace, String tool, Map<String, Object> arguments);

  /** A call by a local caller with no key (stdio, tests): the anonymous admin. */
  default Future<McpSchema.CallToolResult> call(String namespace, String tool, Map<String, Object> arguments) {
    return call(Caller.LOCAL, namespace, tool, arguments);
  }
}
