package dev.memorymcp.server;

import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Settings;
import dev.memorymcp.bus.Version;
import dev.memorymcp.gateway.mcp.MemoryTools;
import dev.memorymcp.gateway.mcp.SdkPromptsAndResources;
import dev.memorymcp.gateway.mcp.SdkTools;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mcp-stdio}: the memory tools over the MCP stdio transport, for clients that start the
 * server as a child process. Embedding, storage and search run in this JVM (no HTTP gateway).
 * stdout carries only protocol messages; logs go to stderr. The process stops cleanly (undeploy,
 * database closed) and exits 0 when stdin closes or on SIGTERM.
 */
final class StdioServer {
  private static final Logger LOG = LoggerFactory.getLogger(StdioServer.class);

  private final JsonObject cfg;
  private final Vertx vertx;
  private final Node node;
  private final CompletableFuture<Void> inputClosed = new CompletableFuture<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CompletableFuture<Boolean> stopped = new CompletableFuture<>();
  private volatile boolean failed;
  private McpAsyncServer server;

  private StdioServer(JsonObject cfg) {
    this.cfg = cfg;
    this.vertx = Vertx.vertx();
    this.node = new Node(vertx, cfg);
  }

  /** Runs until stdin closes; returns the exit code. */
  static int run() {
    // The real stdout is the protocol channel (the transport flushes after each message);
    // anything else that prints goes to stderr.
    OutputStream protocol = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
    System.setOut(System.err);
    JsonObject cfg = Settings.load(System.getenv());
    String persona;
    try {
      persona = Namespaces.check("MEMORY_MCP_MCP_PERSONA", cfg.getString("mcp.persona"));
    } catch (MemoryException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    Main.djlCache(cfg);
    StdioServer s = new StdioServer(cfg);
    return s.serve(persona, new FileInputStream(FileDescriptor.in), protocol);
  }

  private int serve(String persona, InputStream in, OutputStream out) {
    long t0 = System.nanoTime();
    try {
      node.deploy(List.of(Node.Role.EMBEDDING, Node.Role.STORAGE, Node.Role.AUTH, Node.Role.SEARCH, Node.Role.INGEST)).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      System.err.println("startup failed: " + Main.rootMessage(e));
      vertx.close().await();
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::onSignal, "shutdown"));
    try {
      var json = McpJsonDefaults.getMapper();
      MemoryTools tools = new MemoryTools(vertx, cfg);
      server = McpServer.async(new StdioServerTransportProvider(json, new EofSignal(in, inputClosed), out))
          .jsonMapper(json)
          .serverInfo("memory-service", Version.get())
          .capabilities(SdkPromptsAndResources.capabilities())
          .instructions(MemoryTools.INSTRUCTIONS)
          .tools(stdioTools(tools, persona, cfg))
          .prompts(SdkPromptsAndResources.prompts(tools, persona))
          .resourceTemplates(SdkPromptsAndResources.resourceTemplates(tools, persona))
          // MemoryTools checks arguments itself, with the REST API's messages (code and field)
          .validateToolInputs(false)
          .build();
    } catch (RuntimeException | LinkageError e) {
      LOG.error("MCP server failed to start", e);
      failed = true;
      stop();
      return 1;
    }
    LOG.info("memory service {} ready in {} ms: MCP over stdio, namespace {} (data {})", Version.get(),
        (System.nanoTime() - t0) / 1_000_000, persona, cfg.getString("data_dir"));
    inputClosed.join();
    LOG.info("stdin closed: shutting down");
    return stop() ? 0 : 1;
  }

  /** SIGTERM / SIGINT: stop cleanly and exit 0, as when stdin closes (clients may send either). */
  private void onSignal() {
    boolean clean = stop() && !failed;
    System.err.flush();
    // halt: the exit code is ours (0 after a clean stop), not 143; every resource is already released
    Runtime.getRuntime().halt(clean ? 0 : 1);
  }

  /** Closes the MCP session, undeploys the verticles (storage drains and closes) and Vert.x; once. */
  private boolean stop() {
    if (stopping.compareAndSet(false, true)) {
      boolean clean = true;
      try {
        if (server != null) {
          server.closeGracefully().block(Duration.ofSeconds(5));
        }
      } catch (RuntimeException e) {
        LOG.debug("MCP session close: {}", Main.rootMessage(e));
      }
      try {
        node.undeploy().await(30, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
        LOG.info("stopped cleanly");
      } catch (Exception e) {
        LOG.error("unclean shutdown: {}", Main.rootMessage(e));
        clean = false;
      }
      stopped.complete(clean);
    }
    try {
      return stopped.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      return false;
    }
  }

  /** Completes {@code eof} when the wrapped stream ends or fails: the client has gone. */
  private static final class EofSignal extends FilterInputStream {
    private final CompletableFuture<Void> eof;

    EofSignal(InputStream in, CompletableFuture<Void> eof) {
      super(in);
      this.eof = eof;
    }

    @Override
    public int read() throws IOException {
      return check(guard(super::read));
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return check(guard(() -> super.read(b, off, len)));
    }

    private int check(int n) {
      if (n < 0) {
        eof.complete(null);
      }
      return n;
    }

    private int guard(IoRead r) throws IOException {
      try {
        return r.read();
      } catch (IOException e) {
        eof.complete(null);
        throw e;
      }
    }

    @FunctionalInterface
    private interface IoRead {
      int read() throws IOException;
    }
  }

  /** The tools stdio serves: the default profile, or with {@code mcp.profile=admin} the operator tools too. */
  static List<io.modelcontextprotocol.server.McpServerFeatures.AsyncToolSpecification> stdioTools(MemoryTools tools,
      String persona, JsonObject cfg) {
    String profile = cfg.getString("mcp.profile", "default").strip().toLowerCase(java.util.Locale.ROOT);
    if (!profile.equals("default") && !profile.equals("admin")) {
      throw new IllegalArgumentException("mcp.profile must be default or admin, not '" + profile + "'");
    }
    boolean admin = profile.equals("admin");
    return SdkTools.specifications(tools, persona, tools.tools(dev.memorymcp.gateway.auth.Caller.LOCAL, admin));
  }
}
