package dev.memorymcp.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("input validation and error transport")
class ValidationTest {
  private static void rejects(JsonObject in, String field) {
    assertThatThrownBy(() -> MemoryInput.parse(in)).isInstanceOfSatisfying(MemoryException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
      assertThat(e.details().getString("field")).isEqualTo(field);
    });
  }

  @Test
  @DisplayName("remember input: defaults, and each bad field named")
  void memoryInput() {
    MemoryInput ok = MemoryInput.parse(new JsonObject().put("content", "  hello  "));
    assertThat(ok.content()).isEqualTo("hello");
    assertThat(ok.type()).isEqualTo("note");
    assertThat(ok.importance()).isEqualTo(0.5);
    rejects(new JsonObject(), "content");
    rejects(new JsonObject().put("content", "x").put("importance", 1.01), "importance");
    rejects(new JsonObject().put("content", "x").put("scope", "galaxy"), "scope");
    rejects(new JsonObject().put("content", "x").put("created_at", "noon"), "created_at");
    rejects(new JsonObject().put("content", "x".repeat(MemoryInput.MAX_CONTENT + 1)), "content");
  }

  @Test
  @DisplayName("filters: field names carry the prefix")
  void filters() {
    assertThatThrownBy(() -> Filters.parse(new JsonObject().put("min_confidence", 9), "filters"))
        .isInstanceOfSatisfying(MemoryException.class,
            e -> assertThat(e.details().getString("field")).isEqualTo("filters.min_confidence"));
    Filters f = Filters.parse(new JsonObject().put("type", "decision").put("tags", new io.vertx.core.json.JsonArray().add("a")), "filters");
    assertThat(Filters.parse(f.toJson(), "filters")).isEqualTo(f);
  }

  @Test
  @DisplayName("a coded failure survives the trip through a ReplyException with its name and details")
  void errorTransport() {
    MemoryException e = MemoryException.invalidField("importance", "must be between 0 and 1");
    String wire = e.toErrorBody().getJsonObject("error").encode();
    MemoryException back = MemoryException.from(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 400, wire));
    assertThat(back.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(back.error()).isEqualTo("INVALID_FIELD");
    assertThat(back.details().getString("field")).isEqualTo("importance");
    assertThat(MemoryException.from(new ReplyException(ReplyFailure.TIMEOUT, -1, "t")).code()).isEqualTo(ErrorCode.UNAVAILABLE);
  }

  @Test
  @DisplayName("settings: environment beats defaults, numbers are checked")
  void settings() {
    JsonObject cfg = Settings.load(java.util.Map.of("MEMORY_MCP_SERVER_PORT", "9999", "MEMORY_MCP_DATA_DIR", "/nonexistent-dir"));
    assertThat(cfg.getInteger("server.port")).isEqualTo(9999);
    assertThat(cfg.getString("server.host")).isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> Settings.load(java.util.Map.of("MEMORY_MCP_SERVER_PORT", "http")))
        .hasMessageContaining("MEMORY_MCP_SERVER_PORT");
  }

  @Test
  void patchRefusesNullForFieldsEveryMemoryHas() {
    for (String f : new String[] {"type", "scope", "importance", "confidence"}) {
      assertThatThrownBy(() -> MemoryPatch.parse(new JsonObject().putNull(f)))
          .isInstanceOfSatisfying(MemoryException.class, e -> assertThat(e.details().getString("field")).isEqualTo(f));
    }
    assertThat(MemoryPatch.parse(new JsonObject().putNull("expires_at")).containsKey("expires_at")).isTrue();
  }

  @Test
  void loneSurrogatesAreRefusedAndPairsKept() {
    rejects(new JsonObject().put("content", "broken \ud800 text"), "content");
    rejects(new JsonObject().put("content", "ok").put("tags", new io.vertx.core.json.JsonArray().add("\udc00")), "tags");
    assertThat(MemoryInput.parse(new JsonObject().put("content", "emoji 🙂 is a valid pair")).content()).contains("🙂");
  }
}
