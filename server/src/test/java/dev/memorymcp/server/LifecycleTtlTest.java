package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Default lifetimes per type, expiry out of recall at once, and the purge with its history and audit line. */
@DisplayName("TTL and expiry cleanup")
class LifecycleTtlTest {
  @TempDir
  static Path dir;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject().put("ttl.days_by_type", "work=30,decision=365")
        .put("ttl.cleanup_interval_minutes", 0)).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String ns() {
    return "ttl-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static long epoch(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  @Test
  @DisplayName("a memory without expires_at gets its type's lifetime; an explicit one wins; unlisted types never expire")
  void defaultsPerType() throws Exception {
    String ns = ns();
    long now = System.currentTimeMillis();
    JsonObject work = server.remember(ns, new JsonObject().put("content", "Refactor the billing job this sprint").put("type", "work"))
        .getJsonObject("memory");
    assertThat((double) epoch(work.getString("expires_at"))).isCloseTo(now + 30 * 86_400_000.0, within(60_000.0));
    JsonObject decision = server.remember(ns, new JsonObject().put("content", "We chose Kafka for events").put("type", "decision"))
        .getJsonObject("memory");
    assertThat((double) epoch(decision.getString("expires_at"))).isCloseTo(now + 365 * 86_400_000.0, within(60_000.0));
    JsonObject note = server.remember(ns, new JsonObject().put("content", "Keiko's birthday is in May").put("type", "fact"))
        .getJsonObject("memory");
    assertThat(note.getValue("expires_at")).isNull();
    JsonObject explicit = server.remember(ns, new JsonObject().put("content", "Demo freeze until the offsite").put("type", "work")
        .put("expires_at", "2099-01-01T00:00:00Z")).getJsonObject("memory");
    assertThat(explicit.getString("expires_at")).isEqualTo("2099-01-01T00:00:00Z");
  }

  @Test
  @DisplayName("an expired memory leaves recall at once; the cleanup purges it with a DELETE event and an audit line")
  void expiryAndPurge() throws Exception {
    String ns = ns();
    String keep = server.remember(ns, "The expiry probe keeps this zebra fact").getString("id");
    String gone = server.remember(ns, new JsonObject().put("content", "The expiry probe zebra stand-up moved to 10:30")
        .put("expires_at", Instant.now().plusMillis(1500).toString())).getString("id");
    assertThat(MemoryApiTest.ids(server.search(ns, new JsonObject().put("query", "expiry probe zebra").put("search_type", "keyword"))))
        .contains(gone);
    Thread.sleep(1700);
    assertThat(MemoryApiTest.ids(server.search(ns, new JsonObject().put("query", "expiry probe zebra").put("search_type", "keyword"))))
        .contains(keep).doesNotContain(gone);
    assertThat(server.get("/api/v1/memories/" + gone, ns).status()).isEqualTo(200); // still stored until purged
    TestServer.Resp purge = server.call("POST", "/api/v1/admin/cleanup", null, null);
    assertThat(purge.status()).as(purge.text()).isEqualTo(200);
    assertThat(purge.json().getJsonObject("namespaces").getInteger(ns)).isEqualTo(1);
    assertThat(server.get("/api/v1/memories/" + gone, ns).status()).isEqualTo(404);
    assertThat(server.get("/api/v1/memories/" + keep, ns).status()).isEqualTo(200);
    JsonArray events = server.get("/api/v1/memories/" + gone + "/history", ns).json().getJsonArray("events");
    JsonObject last = events.getJsonObject(events.size() - 1);
    assertThat(last.getString("type")).isEqualTo("DELETE");
    assertThat(last.getString("actor")).isEqualTo("ttl-cleanup");
    assertThat(last.encode()).contains("stand-up moved to 10:30"); // the purged memory is kept in its history
    Thread.sleep(600);
    JsonArray audit = server.get("/api/v1/admin/audit-logs?action=memory.purge&namespace=" + ns, null).json().getJsonArray("entries");
    assertThat(audit).hasSize(1);
    assertThat(audit.getJsonObject(0).getJsonArray("ids")).containsExactly(gone);
    assertThat(audit.encode()).doesNotContain("stand-up");
    assertThat(server.call("POST", "/api/v1/admin/cleanup", null, null).json().getInteger("purged")).isZero();
  }
}
