package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export → a new data directory → import gives the same memories, histories and relations. */
@DisplayName("export and import")
class ExportImportTest {
  @TempDir
  Path dir;

  /**
   * Every memory (with history and relations) of a namespace as the API shows them, by id. Event
   * {@code seq} is left out: it is the store's row order across all memories, not part of a memory's history.
   */
  static JsonObject snapshot(TestServer s, String ns) throws Exception {
    JsonObject out = new JsonObject();
    JsonArray ms = s.get("/api/v1/memories?limit=100", ns).json().getJsonArray("memories");
    for (Object o : ms) {
      JsonObject m = (JsonObject) o;
      String id = m.getString("id");
      JsonObject rel = s.post("/api/v1/search", ns, new JsonObject().put("query", m.getString("content"))
          .put("limit", 1).put("search_type", "keyword").put("include_relations", true).put("record_access", false)).json();
      JsonArray history = s.get("/api/v1/memories/" + id + "/history", ns).json().getJsonArray("events");
      history.forEach(e -> ((JsonObject) e).remove("seq")); // the store's row number: renumbered by an import
      out.put(id, new JsonObject().put("memory", m).put("history", history)
          .put("relations", rel.getJsonArray("results").getJsonObject(0).getValue("relations")));
    }
    return out;
  }

  static String withoutSeq(String line) {
    return line.replaceAll("\"seq\":\\d+,", "");
  }

  static String export(TestServer s, String query) throws Exception {
    TestServer.Resp r = s.call("GET", "/api/v1/export" + query, null, null);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.text();
  }

  @Test
  @DisplayName("a round trip keeps memories, whole histories (deleted memories' too) and relations; importing twice changes nothing")
  void roundTrip() throws Exception {
    String ns = "export-src";
    String jp = "エクスポート";
    String exported;
    JsonObject before;
    JsonObject beforeJp;
    String deletedId;
    try (TestServer a = new TestServer(dir.resolve("a"), new JsonObject().put("ttl.days_by_type", "")).start()) {
      String pg = a.remember(ns, new JsonObject().put("content", "We decided to use PostgreSQL 16 for billing")
          .put("type", "decision").put("tags", new JsonArray().add("db"))).getString("id");
      a.remember(ns, "We decided to use PostgreSQL 16 for billing"); // merged: a MERGE event
      String redis = a.remember(ns, "Sessions are cached in Redis 7").getString("id");
      a.post("/api/v1/relations", ns, new JsonObject().put("source_id", redis).put("target_id", pg).put("relation_type", "depends_on"));
      a.call("PATCH", "/api/v1/memories/" + redis, ns, "{\"importance\": 0.9, \"tags\": [\"cache\"]}");
      deletedId = a.remember(ns, "A temporary note about the offsite lunch").getString("id");
      a.call("DELETE", "/api/v1/memories/" + deletedId, ns, null);
      String enc = URLEncoder.encode(jp, StandardCharsets.UTF_8);
      a.remember(enc, "来月の旅行は沖縄にすることに決めた");
      before = snapshot(a, ns);
      beforeJp = snapshot(a, enc);
      exported = export(a, "?with_vectors=true");
    }
    String[] lines = exported.split("\n");
    JsonObject header = new JsonObject(lines[0]);
    assertThat(header.getString("format")).isEqualTo("memory-export");
    assertThat(header.getJsonArray("namespaces")).contains(ns, jp);
    assertThat(lines).hasSize(1 + 3 + 1); // header, 3 ids in export-src (one merged into another, one deleted), 1 in Japanese
    try (TestServer b = new TestServer(dir.resolve("b"), new JsonObject()).start()) {
      TestServer.Resp imported = b.call("POST", "/api/v1/import", null, exported);
      assertThat(imported.status()).as(imported.text()).isEqualTo(200);
      assertThat(imported.json().getLong("lines")).isEqualTo(4);
      assertThat(imported.json().getLong("reembedded")).isZero(); // same model: the vectors were kept
      assertThat(snapshot(b, ns)).isEqualTo(before);
      assertThat(snapshot(b, URLEncoder.encode(jp, StandardCharsets.UTF_8))).isEqualTo(beforeJp);
      JsonArray deletedHistory = b.get("/api/v1/memories/" + deletedId + "/history", ns).json().getJsonArray("events");
      assertThat(deletedHistory.stream().map(e -> ((JsonObject) e).getString("type"))).containsExactly("CREATE", "DELETE");
      assertThat(b.call("POST", "/api/v1/import", null, exported).status()).isEqualTo(200);
      assertThat(snapshot(b, ns)).isEqualTo(before);
      // the same lines again, but for the stores' event row numbers
      assertThat(export(b, "?namespace=" + ns + "&with_vectors=true").lines().skip(1).map(ExportImportTest::withoutSeq).toList())
          .containsExactlyElementsOf(exported.lines().skip(1).filter(l -> l.contains("\"namespace\":\"" + ns + "\""))
              .map(ExportImportTest::withoutSeq).toList());
    }
  }

  @Test
  @DisplayName("an export without vectors is re-embedded on import and recall works; a bad line is a 400 naming it and writes nothing of its page")
  void reembedAndBadLines() throws Exception {
    String ns = "export-nv";
    String exported;
    try (TestServer a = new TestServer(dir.resolve("c"), new JsonObject()).start()) {
      a.remember(ns, "The user's dog is a golden retriever named Biscuit");
      a.remember(ns, "Deploys go through the staging cluster before production");
      exported = export(a, "?namespace=" + ns);
    }
    assertThat(exported).doesNotContain("\"vector\"");
    try (TestServer b = new TestServer(dir.resolve("d"), new JsonObject()).start()) {
      TestServer.Resp r = b.call("POST", "/api/v1/import?namespace=restored", null, exported);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.json().getLong("reembedded")).isEqualTo(2);
      JsonObject hit = b.search("restored", new JsonObject().put("query", "what kind of pet does he own?").put("search_type", "semantic"));
      assertThat(hit.getJsonArray("results").getJsonObject(0).getString("content")).contains("Biscuit");

      List<String> lines = new ArrayList<>(exported.lines().toList());
      JsonObject broken = new JsonObject(lines.get(2));
      broken.getJsonObject("memory").put("type", "gossip");
      lines.set(2, broken.encode());
      TestServer.Resp bad = b.call("POST", "/api/v1/import?namespace=broken", null, String.join("\n", lines));
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("line 3.memory.type");
      assertThat(b.get("/api/v1/memories", "broken").json().getJsonArray("memories")).isEmpty();
      TestServer.Resp noHeader = b.call("POST", "/api/v1/import", null, lines.get(1));
      assertThat(noHeader.status()).isEqualTo(400);
      assertThat(noHeader.json().getJsonObject("error").getString("message")).contains("header");

      // the same ids into another persona: never moved out of the first one, nor overwritten there
      JsonArray restored = b.get("/api/v1/memories", "restored").json().getJsonArray("memories");
      TestServer.Resp again = b.call("POST", "/api/v1/import?namespace=other", null, exported);
      if ("qdrant".equals(System.getProperty("memory.test.backend"))) {
        // each namespace is its own collection: the lines become copies in the other one
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(b.get("/api/v1/memories", "other").json().getJsonArray("memories")).hasSize(2);
      } else { // one SQLite table holds every namespace's ids: refused, nothing of the page written
        assertThat(again.status()).as(again.text()).isEqualTo(409);
        assertThat(again.json().getJsonObject("error").getString("code")).isEqualTo("MEMORY_EXISTS");
        assertThat(again.json().getJsonObject("error").getString("message")).contains("exists in namespace restored");
        assertThat(b.get("/api/v1/memories", "other").json().getJsonArray("memories")).isEmpty();
      }
      assertThat(b.get("/api/v1/memories", "restored").json().getJsonArray("memories")).isEqualTo(restored);
    }
  }
}
