package dev.memorymcp.search.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("session context")
class SessionContextTest {

  @Test
  @DisplayName("a hit lends weight × its score to its neighbours; a neighbour that matched nothing comes in")
  void spreads() {
    List<Fusion.Hit> hits = List.of(new Fusion.Hit("dentist", 4.0), new Fusion.Hit("crown", 1.0));
    JsonObject neighbours = new JsonObject()
        .put("dentist", new JsonArray().add("how-did-it-go").add("crown"))
        .put("crown", new JsonArray().add("dentist").add("how-did-it-go"));
    List<Fusion.Hit> out = SessionContext.spread(hits, neighbours, 0.5);
    assertThat(out).containsExactly(new Fusion.Hit("dentist", 4.5), new Fusion.Hit("crown", 3.0),
        new Fusion.Hit("how-did-it-go", 2.5));
  }

  @Test
  @DisplayName("without neighbours (no session) the list is unchanged")
  void noSession() {
    List<Fusion.Hit> hits = List.of(new Fusion.Hit("a", 2.0), new Fusion.Hit("b", 1.0));
    assertThat(SessionContext.spread(hits, new JsonObject(), 0.5)).isEqualTo(hits);
  }
}
