package dev.memorymcp.storage;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.MemoryInput;
import dev.memorymcp.bus.text.KeywordQuery;
import dev.memorymcp.storage.dedupe.DedupePolicy;
import dev.memorymcp.storage.dedupe.DedupePolicy.Neighbour;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The stored memories a new one is judged against before it is written: the nearest of the same
 * namespace and scope by vector, plus by keywords for text the model does not cover.
 */
final class DedupeNeighbours {
  private static final int NEIGHBOURS = 5;

  private final MemoryStore store;
  /** The serving model's policy (it changes when an online rebuild switches models). */
  private final Supplier<DedupePolicy> policy;

  DedupeNeighbours(MemoryStore store, Supplier<DedupePolicy> policy) {
    this.store = store;
    this.policy = policy;
  }

  Future<List<Neighbour>> of(String ns, MemoryInput in, float[] vector) {
    Filters sameScope = new Filters(List.of(), in.scope(), in.scopeId(), List.of(), null, null,
        null, null, null, null, false);
    Future<List<MemoryStore.Scored>> dense = store.vectorSearch(ns, vector, NEIGHBOURS, sameScope);
    Future<List<MemoryStore.Scored>> lexical = policy.get().covered(in.content())
        ? Future.succeededFuture(List.of())
        : store.keywordSearch(ns, KeywordQuery.of(in.content(), true), NEIGHBOURS * 2, sameScope);
    return Future.all(dense, lexical).compose(cf -> {
      Map<String, Double> scores = new LinkedHashMap<>();
      dense.result().forEach(s -> scores.put(s.id(), s.score()));
      lexical.result().forEach(s -> scores.putIfAbsent(s.id(), 0.0));
      return store.getMany(ns, new ArrayList<>(scores.keySet())).map(ms -> ms.stream()
          .filter(m -> sameScopeId(m.scopeId(), in.scopeId()))
          .map(m -> new Neighbour(m.id(), m.content(), scores.get(m.id()))).toList());
    });
  }

  static boolean sameScopeId(String a, String b) {
    return a == null ? b == null : a.equals(b);
  }
}
