package dev.memorymcp.storage;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Vectors;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The embedding service as the storage verticle sees it: passages in, vectors out. */
final class EmbeddingClient {
  /** What the embedding service reports about its model. */
  record Info(String model, int dimension, boolean multilingual) {
    static Info from(JsonObject j) {
      return new Info(j.getString("model"), j.getInteger("dimension"), j.getBoolean("multilingual", false));
    }
  }

  private final Vertx vertx;
  /** The model passages are embedded with; null: the embedding service's configured one. */
  private volatile String model;

  EmbeddingClient(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Embeds with {@code model} (the one whose vectors the store serves) from now on; null: the configured one. */
  void useModel(String model) {
    this.model = model;
  }

  Future<float[]> passage(String text) {
    return passage(text, false);
  }

  /**
   * {@code background}: work nobody waits for (an ingest job's fact), which the embedding service
   * runs in its background lane at a lower CPU priority, behind requests.
   */
  Future<float[]> passage(String text, boolean background) {
    return passages(List.of(text), model, background).map(v -> v.get(0));
  }

  /** The embedding service takes at most this many texts per request. */
  static final int MAX_TEXTS = 256;

  Future<List<float[]>> passages(List<String> texts) {
    return passages(texts, model, false);
  }

  /**
   * Passages embedded with {@code model} (null: the embedding service's configured one);
   * {@code background} as for {@link #passage(String, boolean)}.
   */
  Future<List<float[]>> passages(List<String> texts, String model, boolean background) {
    if (texts.size() > MAX_TEXTS) {
      return passages(texts.subList(0, MAX_TEXTS), model, background).compose(head ->
          passages(texts.subList(MAX_TEXTS, texts.size()), model, background).map(tail -> {
            List<float[]> all = new ArrayList<>(head);
            all.addAll(tail);
            return all;
          }));
    }
    JsonObject req = new JsonObject().put("texts", new JsonArray(new ArrayList<>(texts))).put("kind", "passage")
        .put("model", model).put("priority", background ? "background" : "foreground");
    return Bus.request(vertx, Addresses.EMBED, req).map(reply -> {
      JsonArray vs = reply.getJsonArray("vectors");
      List<float[]> out = new ArrayList<>(vs.size());
      for (int i = 0; i < vs.size(); i++) {
        out.add(Vectors.fromBuffer(vs.getBuffer(i))); // a Buffer locally, base64 across the cluster
      }
      return out;
    });
  }

  /** Asks for the model info, retrying while no embedding service is up yet (cluster start-up order). */
  Future<Info> info(int attempts) {
    Promise<Info> p = Promise.promise();
    tryInfo(attempts, p);
    return p.future();
  }

  /** The facts of another model than the configured one, loading it in the embedding service (it fails UNAVAILABLE if it cannot). */
  Future<Info> info(String model) {
    return Bus.request(vertx, Addresses.EMBED_INFO, new JsonObject().put("model", model), 120_000)
        .map(Info::from);
  }

  private void tryInfo(int left, Promise<Info> p) {
    Bus.request(vertx, Addresses.EMBED_INFO, new JsonObject(), 5_000)
        .map(Info::from)
        .onSuccess(p::complete)
        .onFailure(err -> {
          if (left > 1 && MemoryException.from(err).code() == ErrorCode.UNAVAILABLE) {
            vertx.setTimer(500, t -> tryInfo(left - 1, p));
          } else {
            p.fail(err);
          }
        });
  }
}
