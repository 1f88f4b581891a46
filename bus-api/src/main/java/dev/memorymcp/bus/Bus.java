package dev.memorymcp.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** Consumers that never throw, and requests that always carry a timeout. */
public final class Bus {
  private Bus() {}

  /** Default request timeout; long enough for a batch embedding on a slow machine. */
  public static final long DEFAULT_TIMEOUT_MS = 30_000;

  /** Registers a JSON handler: any exception or failed future becomes a coded failure reply. */
  public static Future<Void> register(Vertx vertx, String address,
      Function<JsonObject, Future<JsonObject>> op) {
    return vertx.eventBus().<JsonObject>consumer(address, msg -> handle(msg, op)).completion();
  }

  private static void handle(Message<JsonObject> msg, Function<JsonObject, Future<JsonObject>> op) {
    Future<JsonObject> result;
    try {
      JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
      result = op.apply(body);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) { // a handler that throws would leave the caller waiting for a timeout
      result = Future.failedFuture(e);
    }
    result.onSuccess(msg::reply).onFailure(err -> MemoryException.failReply(msg, err));
  }

  /**
   * Sends a request; a failure arrives as a {@link MemoryException}. On a clustered node
   * ({@link #enableFailover}) a request to an {@link #IDEMPOTENT} address, or an ingest enqueue
   * with an idempotency key, is retried on another member when no member answers (see
   * {@link Failover}); other requests are sent exactly once.
   */
  public static Future<JsonObject> request(Vertx vertx, String address, JsonObject body, long timeoutMs) {
    Failover failover = FAILOVER.get(vertx);
    if (failover != null && retryable(address, body)) {
      return failover.request(address, body, timeoutMs);
    }
    return once(vertx, address, body, timeoutMs)
        .recover(err -> Future.failedFuture(MemoryException.from(err)));
  }

  /**
   * Whether running the request twice does what running it once does: the {@link #IDEMPOTENT}
   * addresses, and an ingest enqueue that carries an idempotency key (the queue answers a second
   * one with the first job).
   */
  static boolean retryable(String address, JsonObject body) {
    return IDEMPOTENT.contains(address)
        || Addresses.INGEST_ENQUEUE.equals(address) && body != null && body.getString("idempotency_key") != null;
  }

  /** One send, failing with the raw ReplyException (its type decides whether to retry). */
  static Future<JsonObject> once(Vertx vertx, String address, JsonObject body, long timeoutMs) {
    return vertx.eventBus().<JsonObject>request(address, body,
        new DeliveryOptions().setSendTimeout(timeoutMs)).map(Message::body);
  }

  /**
   * Addresses whose handlers may safely run twice for one request: reads, embeddings and
   * searches (a retried search may record one more ACCESS event). Writes are never re-sent.
   */
  public static final Set<String> IDEMPOTENT = Set.of(Addresses.EMBED, Addresses.EMBED_INFO, Addresses.EMBED_RERANK,
      Addresses.SEARCH, Addresses.STORE_GET, Addresses.STORE_GET_MANY, Addresses.STORE_LIST,
      Addresses.STORE_HISTORY, Addresses.STORE_RELATIONS, Addresses.STORE_VECTOR_CANDIDATES,
      Addresses.STORE_KEYWORD_CANDIDATES, Addresses.STORE_SESSION_NEIGHBOURS, Addresses.STORE_STATS, Addresses.STORE_WRITE_KEY,
      Addresses.INGEST_GET, Addresses.STORE_MIGRATE_GET, Addresses.STORE_REBUILD_STATUS,
      Addresses.STORE_CATALOGUE, Addresses.STORE_COUNTS, Addresses.STORE_DUPLICATES, Addresses.STORE_GRAPH,
      Addresses.INGEST_LIST);

  private static final Map<Vertx, Failover> FAILOVER = new ConcurrentHashMap<>();

  /** Turns on retries of idempotent requests for this (clustered) Vert.x instance. */
  public static void enableFailover(Vertx vertx) {
    FAILOVER.putIfAbsent(vertx, new Failover(vertx));
  }

  /** Forgets the instance (at close). */
  public static void disableFailover(Vertx vertx) {
    FAILOVER.remove(vertx);
  }

  /**
   * A cluster member left: every idempotent request still waiting may have gone to it, and a
   * message sent to a dead member is only failed by its timeout, so each is sent once more.
   * Callable from any thread.
   */
  public static void memberLeft(Vertx vertx) {
    Failover failover = FAILOVER.get(vertx);
    if (failover != null) {
      failover.memberLeft();
    }
  }

  public static Future<JsonObject> request(Vertx vertx, String address, JsonObject body) {
    return request(vertx, address, body, DEFAULT_TIMEOUT_MS);
  }
}
