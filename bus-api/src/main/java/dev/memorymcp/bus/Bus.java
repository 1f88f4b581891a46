package dev.memorymcp.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
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

  /** Sends a request; a failure arrives as a {@link MemoryException}. */
  public static Future<JsonObject> request(Vertx vertx, String address, JsonObject body, long timeoutMs) {
    return vertx.eventBus().<JsonObject>request(address, body,
            new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(Message::body)
        .recover(err -> Future.failedFuture(MemoryException.from(err)));
  }

  public static Future<JsonObject> request(Vertx vertx, String address, JsonObject body) {
    return request(vertx, address, body, DEFAULT_TIMEOUT_MS);
  }
}
