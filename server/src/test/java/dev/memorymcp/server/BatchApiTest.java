package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /api/v1/memories:batch end to end: real HTTP, the e5 model, SQLite, dedupe. */
@DisplayName("batch remember API")
class BatchApiTest {
  @TempDir
  static Path dir;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir.resolve("data"), null).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String ns() {
    return "b-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static JsonObject batch(Boolean dedupe, Object... memories) {
    JsonArray a = new JsonArray();
    for (Object m : memories) {
      a.add(m instanceof String s ? new JsonObject().put("content", s) : m);
    }
    JsonObject b = new JsonObject().put("memories", a);
    return dedupe == null ? b : b.put("dedupe", dedupe);
  }

  static List<JsonObject> results(TestServer.Resp r) {
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().getJsonArray("results").stream().map(o -> (JsonObject) o).toList();
  }

  static int count(String ns) throws Exception {
    return server.get("/api/v1/memories?limit=100", ns).json().getJsonArray("memories").size();
  }

  @Test
  @DisplayName("results come back in input order, each memory stored with its own content and searchable")
  void createsInOrder() throws Exception {
    String ns = ns();
    List<String> contents = List.of("The staging cluster runs on Kubernetes 1.31",
        "Keiko leads the payments on-call rotation", "来月の出張は大阪に決まった",
        "Our design reviews happen every Thursday afternoon", "The user is allergic to peanuts");
    List<JsonObject> rs = results(server.post("/api/v1/memories:batch", ns, batch(null, contents.toArray())));
    assertThat(rs).hasSize(5).allSatisfy(r -> assertThat(r.getString("action")).isEqualTo("created"));
    for (int i = 0; i < contents.size(); i++) {
      JsonObject m = server.get("/api/v1/memories/" + rs.get(i).getString("id"), ns).json().getJsonObject("memory");
      assertThat(m.getString("content")).isEqualTo(contents.get(i));
    }
    JsonObject found = server.search(ns, new JsonObject().put("query", "food allergy"));
    assertThat(found.getJsonArray("results").getJsonObject(0).getString("id")).isEqualTo(rs.get(4).getString("id"));
  }

  @Test
  @DisplayName("dedupe works against stored memories and earlier items of the same batch, like single remembers")
  void dedupeAcrossStoreAndBatch() throws Exception {
    String ns = ns();
    String stored = server.remember(ns, "We deploy the billing service every Tuesday morning").getString("id");
    List<JsonObject> rs = results(server.post("/api/v1/memories:batch", ns, batch(null,
        "We deploy the billing service every Tuesday morning",
        "The mobile app release train leaves on the first Monday of each month",
        "The mobile app release train leaves on the first Monday of each month")));
    assertThat(rs.get(0).getString("action")).isEqualTo("merged");
    assertThat(rs.get(0).getString("id")).isEqualTo(stored);
    assertThat(rs.get(1).getString("action")).isEqualTo("created");
    assertThat(rs.get(2).getString("action")).isEqualTo("merged");
    assertThat(rs.get(2).getString("id")).isEqualTo(rs.get(1).getString("id"));
    assertThat(count(ns)).isEqualTo(2);
    JsonArray events = server.get("/api/v1/memories/" + rs.get(1).getString("id") + "/history", ns).json()
        .getJsonArray("events");
    assertThat(events.stream().map(o -> ((JsonObject) o).getString("type")).toList()).containsExactly("CREATE", "MERGE");
  }

  @Test
  @DisplayName("dedupe: false stores every item, duplicates included")
  void dedupeOff() throws Exception {
    String ns = ns();
    List<JsonObject> rs = results(server.post("/api/v1/memories:batch", ns, batch(false,
        "Lunch is at noon", "Lunch is at noon")));
    assertThat(rs).extracting(r -> r.getString("action")).containsExactly("created", "created");
    assertThat(rs.get(0).getString("id")).isNotEqualTo(rs.get(1).getString("id"));
    assertThat(count(ns)).isEqualTo(2);
  }

  @Test
  @DisplayName("one bad item rejects the whole batch with a 400 naming it, and nothing is written")
  void allOrNothingOnBadInput() throws Exception {
    String ns = ns();
    TestServer.Resp bad = server.post("/api/v1/memories:batch", ns, batch(null, "fine one", "fine two",
        new JsonObject().put("content", "x").put("importance", 7)));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getJsonObject("error").getString("message")).startsWith("memories[2].importance");
    TestServer.Resp missingTarget = server.post("/api/v1/memories:batch", ns, batch(null, "fine one",
        new JsonObject().put("content", "linked").put("relations",
            new JsonArray().add(new JsonObject().put("target_id", "nope")))));
    assertThat(missingTarget.status()).isEqualTo(400);
    assertThat(missingTarget.json().getJsonObject("error").getString("message"))
        .startsWith("memories[1].relations[0].target_id");
    assertThat(count(ns)).isZero();
    assertThat(server.post("/api/v1/memories:batch", ns, new JsonObject().put("memories", new JsonArray())).status())
        .isEqualTo(400);
    assertThat(server.post("/api/v1/memories:batch", ns, batch(null, "a b c").put("dedup", true)).status())
        .isEqualTo(400);
  }

  @Test
  @DisplayName("more than 256 items: 413 naming the limit")
  void tooLarge() throws Exception {
    Object[] many = new Object[257];
    java.util.Arrays.fill(many, "short fact");
    TestServer.Resp r = server.post("/api/v1/memories:batch", ns(), batch(null, many));
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().getJsonObject("error").getString("code")).isEqualTo("BATCH_TOO_LARGE");
  }
}
