package dev.memorymcp.storage;

import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Namespaces;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Export and import, a page at a time, in the {@link ExportLines} format. An import page is checked
 * whole before anything is written (a bad line writes nothing of its page), replaces what the store
 * has for each id (so importing twice changes nothing), and re-embeds the memories whose vector is
 * absent or was made by another model than the store's.
 */
final class TransferApi {
  static final int MAX_PAGE = 1000;

  private final StoreTransfer transfer;
  private final MemoryService service;
  private final EmbeddingClient embeddings;
  /** Which model's vectors the store serves; imports wait for a running rebuild. */
  private final OnlineRebuild rebuild;

  TransferApi(StoreTransfer transfer, MemoryService service, EmbeddingClient embeddings, OnlineRebuild rebuild) {
    this.transfer = transfer;
    this.service = service;
    this.embeddings = embeddings;
    this.rebuild = rebuild;
  }

  Future<JsonObject> namespaces(JsonObject body) {
    return transfer.namespaces().map(ns -> new JsonObject().put("namespaces", new JsonArray(ns)));
  }

  /** {namespace, cursor?, limit?, with_vectors?} → {items, cursor, model}. */
  Future<JsonObject> exportPage(JsonObject body) {
    String ns = Namespaces.check("namespace", body.getString("namespace"));
    Integer limit = Fields.optInt(body, "limit", 1, MAX_PAGE);
    boolean withVectors = Boolean.TRUE.equals(Fields.optBool(body, "with_vectors"));
    return transfer.readItems(ns, Fields.optString(body, "cursor", 200), limit == null ? 200 : limit).map(page -> {
      JsonArray items = new JsonArray();
      page.items().forEach(it -> items.add(ExportLines.toLine(ns, it, withVectors)));
      return new JsonObject().put("items", items).put("cursor", page.cursor()).put("model", rebuild.serving().model());
    });
  }

  /** {items, namespace? (import every line into it), model? (of the lines' vectors)} → {written, reembedded}. */
  Future<JsonObject> importPage(JsonObject body) {
    String target = body.getValue("namespace") == null ? null : Namespaces.check("namespace", body.getString("namespace"));
    JsonArray lines = Fields.optArray(body, "items");
    if (lines == null || lines.size() > MAX_PAGE) {
      throw MemoryException.invalidField("items", "must be an array of at most " + MAX_PAGE + " export lines");
    }
    int firstLine = body.getInteger("first_line", 1);
    String linesModel = body.getString("model");
    Map<String, List<StoreTransfer.Item>> byNs = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!(lines.getValue(i) instanceof JsonObject line)) {
        throw MemoryException.invalidField("line " + (firstLine + i), "must be a JSON object");
      }
      StoreTransfer.Item item;
      try {
        item = ExportLines.fromLine(line, target);
      } catch (MemoryException e) {
        throw e.withFieldPrefix("line " + (firstLine + i));
      }
      String ns = target != null ? target : line.getString("namespace");
      byNs.computeIfAbsent(Namespaces.check("namespace", ns), k -> new ArrayList<>()).add(item);
    }
    Future<Integer> chain = Future.succeededFuture(0);
    for (Map.Entry<String, List<StoreTransfer.Item>> e : byNs.entrySet()) {
      // embedded inside the namespace's write order, so a model switch never falls between embedding and writing
      chain = chain.compose(done -> service.serial(e.getKey(), () -> rebuild.refuseWhileRunning("an import")
          .compose(v -> reembedded(e.getValue(), rebuild.serving(), linesModel))
          .compose(r -> transfer.writeItems(e.getKey(), r.items()).map(v -> done + r.count()))));
    }
    return chain.map(re -> new JsonObject().put("written", lines.size()).put("reembedded", re));
  }

  private record Reembedded(List<StoreTransfer.Item> items, int count) {}

  /** The items with a vector of the store's model: kept when the lines' model and dimension are the store's, else made. */
  private Future<Reembedded> reembedded(List<StoreTransfer.Item> items, MemoryStore.ModelStamp store, String linesModel) {
    boolean sameModel = store.model().equals(linesModel);
    int dimension = store.dimension();
    String model = store.model();
    List<Integer> need = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      StoreTransfer.Item it = items.get(i);
      if (it.memory() != null && (it.vector() == null || !sameModel || it.vector().length != dimension)) {
        need.add(i);
      }
    }
    if (need.isEmpty()) {
      return Future.succeededFuture(new Reembedded(items, 0));
    }
    return embeddings.passages(need.stream().map(i -> items.get(i).memory().content()).toList()).map(vectors -> {
      List<StoreTransfer.Item> out = new ArrayList<>(items);
      for (int k = 0; k < need.size(); k++) {
        StoreTransfer.Item it = items.get(need.get(k));
        Memory m = it.memory();
        Memory stamped = new Memory(m.id(), m.namespace(), m.scope(), m.scopeId(), m.type(), m.name(), m.content(),
            m.summary(), m.tags(), m.category(), m.importance(), m.confidence(), m.metadata(), m.source(),
            m.sessionId(), m.createdAt(), m.updatedAt(), m.expiresAt(), m.accessCount(), m.lastAccessed(), model);
        out.set(need.get(k), new StoreTransfer.Item(it.id(), stamped, vectors.get(k), it.history(), it.relations()));
      }
      return new Reembedded(out, need.size());
    });
  }
}
