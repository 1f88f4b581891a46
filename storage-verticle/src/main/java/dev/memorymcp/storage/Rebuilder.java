package dev.memorymcp.storage;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Memory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Re-embeds every memory with the configured model, batch by batch, publishing progress; then re-stamps the store. */
final class Rebuilder {
  private final Vertx vertx;
  private final MemoryStore store;
  private final EmbeddingClient embeddings;

  Rebuilder(Vertx vertx, MemoryStore store, EmbeddingClient embeddings) {
    this.vertx = vertx;
    this.store = store;
    this.embeddings = embeddings;
  }

  Future<JsonObject> run(JsonObject body) {
    Integer batch = Fields.optInt(body, "batch_size", 1, 256);
    int size = batch == null ? 32 : batch;
    return Future.all(store.count(null), embeddings.info(1)).compose(cf -> {
      long total = cf.<Long>resultAt(0);
      EmbeddingClient.Info info = cf.resultAt(1);
      Promise<Long> done = Promise.promise();
      step(null, size, 0, total, info.model(), done);
      return done.future().compose(n -> store.stampModel(new MemoryStore.ModelStamp(info.model(), info.dimension()))
          .map(v -> new JsonObject().put("memories", n).put("model", info.model())
              .put("dimension", info.dimension())));
    });
  }

  private void step(String after, int size, long done, long total, String model, Promise<Long> p) {
    store.scan(after, size).compose(batch -> {
      if (batch.isEmpty()) {
        p.complete(done);
        return Future.succeededFuture();
      }
      List<String> texts = batch.stream().map(Memory::content).toList();
      return embeddings.passages(texts).compose(vecs -> {
        Map<String, float[]> byId = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
          byId.put(batch.get(i).id(), vecs.get(i));
        }
        return store.replaceVectors(byId, model);
      }).onSuccess(v -> {
        long now = done + batch.size();
        vertx.eventBus().publish(Addresses.STORE_REBUILD_PROGRESS,
            new JsonObject().put("done", now).put("total", total));
        step(batch.get(batch.size() - 1).id(), size, now, total, model, p);
      });
    }).onFailure(p::fail);
  }
}
