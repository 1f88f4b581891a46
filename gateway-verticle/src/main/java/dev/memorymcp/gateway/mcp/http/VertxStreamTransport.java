package dev.memorymcp.gateway.mcp.http;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerTransport;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One HTTP response as an SDK stream. For a POST request it answers with plain JSON when the first
 * message is the response, and switches to an SSE stream when the server sends notifications or
 * requests first; a GET listening stream is SSE from the start.
 */
final class VertxStreamTransport implements McpStreamableServerTransport {
  private static final Logger LOG = LoggerFactory.getLogger(VertxStreamTransport.class);
  private final HttpServerResponse resp;
  private final McpJsonMapper mapper;
  private final String sessionId;
  private final java.util.function.UnaryOperator<McpSchema.JSONRPCMessage> outgoing;
  private boolean sse;
  private boolean closed;

  VertxStreamTransport(HttpServerResponse resp, McpJsonMapper mapper, String sessionId) {
    this(resp, mapper, sessionId, m -> m);
  }

  /** {@code outgoing} rewrites each message before it is written (see the provider). */
  VertxStreamTransport(HttpServerResponse resp, McpJsonMapper mapper, String sessionId,
      java.util.function.UnaryOperator<McpSchema.JSONRPCMessage> outgoing) {
    this.resp = resp;
    this.mapper = mapper;
    this.sessionId = sessionId;
    this.outgoing = outgoing;
  }

  /** Starts the SSE stream now (GET): the client gets the headers before any event. */
  synchronized VertxStreamTransport openSse() {
    startSse();
    resp.write(": stream open\n\n");
    return this;
  }

  @Override
  public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
    return sendMessage(message, null);
  }

  @Override
  public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message, String messageId) {
    return Mono.fromRunnable(() -> write(message, messageId));
  }

  private synchronized void write(McpSchema.JSONRPCMessage message, String messageId) {
    if (closed || resp.closed()) {
      LOG.debug("dropping a message for closed stream of session {}", sessionId);
      return;
    }
    String json;
    try {
      json = mapper.writeValueAsString(outgoing.apply(message));
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise " + message, e);
    }
    if (!sse && message instanceof McpSchema.JSONRPCResponse) {
      closed = true;
      resp.setStatusCode(200).putHeader("Content-Type", "application/json; charset=utf-8").end(json);
      return;
    }
    startSse();
    resp.write((messageId == null ? "" : "id: " + messageId + "\n") + "event: message\ndata: " + json + "\n\n");
  }

  private void startSse() {
    if (!sse) {
      sse = true;
      resp.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
          .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
    }
  }

  @Override
  public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
    return mapper.convertValue(data, typeRef);
  }

  @Override
  public Mono<Void> closeGracefully() {
    return Mono.fromRunnable(this::close);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!resp.ended() && !resp.closed()) {
      if (!sse) {
        resp.setStatusCode(202);
      }
      resp.end();
    }
  }
}
