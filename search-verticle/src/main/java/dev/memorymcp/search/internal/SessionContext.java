package dev.memorymcp.search.internal;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Spreads keyword scores to session neighbours (see {@code SearchVerticle#withSessionContext}). */
public final class SessionContext {
  private SessionContext() {}

  /**
   * Each hit's score plus {@code weight} × the score of every hit among its neighbours; neighbours that
   * were not hits get only the lent scores. {@code neighbours}: id → neighbour ids. Best first.
   */
  public static List<Fusion.Hit> spread(List<Fusion.Hit> hits, JsonObject neighbours, double weight) {
    Map<String, Double> out = new LinkedHashMap<>();
    hits.forEach(h -> out.put(h.id(), h.score()));
    for (Fusion.Hit h : hits) {
      for (Object n : neighbours.getJsonArray(h.id(), new JsonArray())) {
        out.merge(String.valueOf(n), weight * h.score(), Double::sum);
      }
    }
    List<Fusion.Hit> ranked = new ArrayList<>();
    out.forEach((id, s) -> ranked.add(new Fusion.Hit(id, s)));
    ranked.sort((a, b) -> Double.compare(b.score(), a.score()));
    return ranked;
  }
}
