package dev.memorymcp.search.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Spreads keyword scores to session neighbours (see {@code SearchVerticle#withSessionContext}). */
public final class SessionContext {
  private SessionContext() {}

  /**
   * Each hit's score plus {@code weight} × the score of every hit among its neighbours; neighbours that
   * were not hits get only the lent scores. {@code neighbours}: id → neighbour ids (a JSON array or
   * list). Best first.
   */
  public static List<Fusion.Hit> spread(List<Fusion.Hit> hits, Map<String, Object> neighbours, double weight) {
    Map<String, Double> own = new HashMap<>();
    hits.forEach(h -> own.put(h.id(), h.score()));
    Map<String, Double> out = new LinkedHashMap<>(own);
    for (Fusion.Hit h : hits) {
      Object near = neighbours.get(h.id());
      Iterable<?> ids = near instanceof io.vertx.core.json.JsonArray a ? a : near instanceof List<?> l ? l : List.of();
      for (Object n : ids) {
        out.merge(String.valueOf(n), weight * h.score(), Double::sum);
      }
    }
    List<Fusion.Hit> ranked = new ArrayList<>();
    out.forEach((id, s) -> ranked.add(new Fusion.Hit(id, s)));
    ranked.sort((a, b) -> Double.compare(b.score(), a.score()));
    return ranked;
  }
}
