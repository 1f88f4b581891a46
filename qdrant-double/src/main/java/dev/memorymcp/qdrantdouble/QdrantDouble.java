package dev.memorymcp.qdrantdouble;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.UUID;

/**
 * A TEST DOUBLE of Qdrant, not Qdrant: an in-memory gRPC server implementing the subset of
 * Qdrant's Qdrant, Collections and Points services that the memory service's Qdrant store uses
 * ({@link DoubleCollections}, {@link DoublePoints}), with Qdrant's documented semantics for those
 * calls. Every other call, and every option of a supported call that the double does not model,
 * fails with UNIMPLEMENTED naming it. Start it in-process ({@link #inProcess()}) or on a loopback
 * port ({@link #onLoopback(int)}, port 0 picks a free one) so a server process can point
 * {@code MEMORY_MCP_QDRANT_URL} at {@link #url()}. Run {@code main} to start it standalone.
 */
public final class QdrantDouble implements AutoCloseable {
  /** The version the health check reports, so clients see it is the double. */
  public static final String VERSION = "1.18.0-double";

  private final DoubleState state;
  private final Faults faults;
  private final Server server;
  private final String inProcessName;

  private QdrantDouble(DoubleState state, Faults faults, Server server, String inProcessName) {
    this.state = state;
    this.faults = faults;
    this.server = server;
    this.inProcessName = inProcessName;
  }

  /** A double reachable only through {@link #channel()}. */
  public static QdrantDouble inProcess() {
    return inProcess(null);
  }

  /** An in-process double that requires {@code apiKey} in the api-key header (null: none). */
  public static QdrantDouble inProcess(String apiKey) {
    String name = "qdrant-double-" + UUID.randomUUID();
    DoubleState state = new DoubleState();
    Faults faults = new Faults();
    Server server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(ServerInterceptors.intercept(new DoubleHealth(), faults, auth(apiKey)))
        .addService(ServerInterceptors.intercept(new DoubleCollections(state), faults, auth(apiKey)))
        .addService(ServerInterceptors.intercept(new DoublePoints(state), faults, auth(apiKey)))
        .build();
    return start(state, faults, server, name);
  }

  /** A double listening on 127.0.0.1:{@code port} (0: any free port, see {@link #port()}). */
  public static QdrantDouble onLoopback(int port) {
    DoubleState state = new DoubleState();
    Faults faults = new Faults();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(ServerInterceptors.intercept(new DoubleHealth(), faults))
        .addService(ServerInterceptors.intercept(new DoubleCollections(state), faults))
        .addService(ServerInterceptors.intercept(new DoublePoints(state), faults))
        .build();
    return start(state, faults, server, null);
  }

  private static QdrantDouble start(DoubleState state, Faults faults, Server server, String name) {
    try {
      server.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Qdrant double: " + e.getMessage(), e);
    }
    return new QdrantDouble(state, faults, server, name);
  }

  /** A new channel to the double (the caller closes it, or hands it to a client that does). */
  public ManagedChannel channel() {
    if (inProcessName != null) {
      return InProcessChannelBuilder.forName(inProcessName).directExecutor().build();
    }
    return io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
        .forAddress("127.0.0.1", port()).usePlaintext().build();
  }

  /** The loopback port (-1 in-process). */
  public int port() {
    return inProcessName != null ? -1 : server.getPort();
  }

  /** The URL a QdrantMemoryStore takes (loopback only). */
  public String url() {
    if (inProcessName != null) {
      throw new IllegalStateException("an in-process double has no URL: use channel()");
    }
    return "http://127.0.0.1:" + port();
  }

  /**
   * Fault injection for crash tests: the {@code nth} next call (1 = the next one) of the gRPC
   * method {@code method} (e.g. "qdrant.Points/Upsert") fails with UNAVAILABLE without being
   * applied, as if the connection dropped before Qdrant saw it.
   */
  public void failCall(String method, int nth) {
    faults.add(method, nth);
  }

  /** Number of collections, for tests of the double. */
  int collectionCount() {
    return state.collections.size();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  /** Pending injected failures per method: counts down, fails at zero. */
  private static final class Faults implements ServerInterceptor {
    private final java.util.Map<String, java.util.List<Integer>> pending =
        new java.util.concurrent.ConcurrentHashMap<>();

    synchronized void add(String method, int nth) {
      if (nth < 1) {
        throw new IllegalArgumentException("nth must be at least 1");
      }
      pending.computeIfAbsent(method, m -> new java.util.ArrayList<>()).add(nth);
    }

    private synchronized boolean fails(String method) {
      java.util.List<Integer> counts = pending.get(method);
      if (counts == null) {
        return false;
      }
      boolean fail = false;
      for (int i = 0; i < counts.size(); i++) {
        int left = counts.get(i) - 1;
        counts.set(i, left);
        fail |= left == 0;
      }
      counts.removeIf(c -> c <= 0);
      return fail;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      if (fails(call.getMethodDescriptor().getFullMethodName())) {
        call.close(Status.UNAVAILABLE.withDescription("injected failure (Qdrant test double)"),
            new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }

  private static ServerInterceptor auth(String apiKey) {
    Metadata.Key<String> header = Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        if (apiKey != null && !apiKey.equals(headers.get(header))) {
          call.close(Status.UNAUTHENTICATED.withDescription("Invalid api-key"), new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
      }
    };
  }

  /** Runs a loopback double: {@code [port]} (default 6334; 0 = any), printing its URL. */
  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 6334;
    QdrantDouble d = onLoopback(port);
    System.out.println("Qdrant TEST DOUBLE listening at " + d.url());
    Runtime.getRuntime().addShutdownHook(new Thread(d::close));
    d.server.awaitTermination();
  }
}
