package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad input gets a 4xx naming the field, writes nothing, and the server stays up. */
@DisplayName("bad input")
class BadInputTest {
  @TempDir
  static Path dir;
  static TestServer server;
  static final String NS = "bad-input";

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, new JsonObject().put("server.body_limit", 65_536)).start();
    server.remember(NS, "An existing memory that must stay untouched");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static Stream<Arguments> cases() {
    String big = "x".repeat(70_000);
    return Stream.of(
        Arguments.of("POST", "/api/v1/memories", "{not json", 400, "body"),
        Arguments.of("POST", "/api/v1/memories", "[1,2]", 400, "body"),
        Arguments.of("POST", "/api/v1/memories", "", 400, "body"),
        Arguments.of("POST", "/api/v1/memories", "{}", 400, "content"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"   \"}", 400, "content"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":42}", 400, "content"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"a\",\"importance\":1.5}", 400, "importance"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"a\",\"importance\":-0.1}", 400, "importance"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"a\",\"importance\":\"high\"}", 400, "importance"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"a\",\"confidence\":2}", 400, "confidence"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"a\",\"type\":\"diary\"}", 400, "type"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"a\",\"tags\":\"x\"}", 400, "tags"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"a\",\"tags\":[1]}", 400, "tags"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"a\",\"metadata\":[]}", 400, "metadata"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"a\",\"created_at\":\"yesterday\"}", 400, "created_at"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"a\",\"contnet\":\"typo\"}", 400, "contnet"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"a\",\"relations\":[{\"target_id\":\"nope\"}]}", 400, "relations[0].target_id"),
        Arguments.of("POST", "/api/v1/memories", "{\"content\":\"" + big + "\"}", 413, null),
        Arguments.of("POST", "/api/v1/search", "{}", 400, "query"),
        Arguments.of("POST", "/api/v1/search", "{\"query\":\"\"}", 400, "query"),
        Arguments.of("POST", "/api/v1/search", "{\"query\":\"a\",\"limit\":0}", 400, "limit"),
        Arguments.of("POST", "/api/v1/search", "{\"query\":\"a\",\"limit\":\"ten\"}", 400, "limit"),
        Arguments.of("POST", "/api/v1/search", "{\"query\":\"a\",\"search_type\":\"fuzzy\"}", 400, "search_type"),
        Arguments.of("POST", "/api/v1/search", "{\"query\":\"a\",\"filters\":{\"min_importance\":3}}", 400, "filters.min_importance"),
        Arguments.of("POST", "/api/v1/search", "{\"query\":\"a\",\"filters\":{\"colour\":\"red\"}}", 400, "filters.colour"),
        Arguments.of("GET", "/api/v1/search?query=", null, 400, "query"),
        Arguments.of("GET", "/api/v1/search?query=a&limit=abc", null, 400, "limit"),
        Arguments.of("GET", "/api/v1/memories?min_importance=lots", null, 400, "min_importance"),
        Arguments.of("GET", "/api/v1/memories?cursor=not-a-cursor%21", null, 400, "cursor"),
        Arguments.of("GET", "/api/v1/memories/doesnotexist", null, 404, "id"),
        Arguments.of("PATCH", "/api/v1/memories/doesnotexist", "{\"importance\":0.3}", 404, "id"),
        Arguments.of("PATCH", "/api/v1/memories/doesnotexist", "{}", 400, "body"),
        Arguments.of("DELETE", "/api/v1/memories/doesnotexist", null, 404, "id"),
        Arguments.of("GET", "/api/v1/memories/doesnotexist/history", null, 404, "id"),
        Arguments.of("POST", "/api/v1/relations", "{\"source_id\":\"a\"}", 400, "target_id"),
        Arguments.of("POST", "/api/v1/relations", "{\"source_id\":\"a\",\"target_id\":\"b\",\"relation_type\":\"Bad Type\"}", 400, "relation_type"));
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3} {4}")
  @MethodSource("cases")
  void rejected(String method, String path, String body, int status, String field) throws Exception {
    long before = count();
    TestServer.Resp r = server.call(method, path, NS, body);
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    JsonObject err = r.json().getJsonObject("error");
    assertThat(err.getString("code")).isNotBlank();
    assertThat(err.getString("message")).isNotBlank();
    if (field != null) {
      assertThat(err.getJsonObject("details").getString("field", err.getJsonObject("details").getString("id")))
          .as(r.text()).isNotNull();
      assertThat(err.getString("message") + err.getJsonObject("details").encode()).contains(field);
    }
    assertThat(count()).isEqualTo(before);
    assertThat(server.get("/health", null).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a bad persona header is a 400 naming the header")
  void badNamespace() throws Exception {
    TestServer.Resp r = server.call("GET", "/api/v1/memories", "no spaces allowed", null);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getJsonObject("details").getString("field")).isEqualTo("X-Persona");
  }

  @Test
  @DisplayName("an unknown route is a JSON 404")
  void unknownRoute() throws Exception {
    TestServer.Resp r = server.get("/api/v1/nothing", NS);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().getJsonObject("error").getString("code")).isEqualTo("ROUTE_NOT_FOUND");
  }

  private static long count() throws Exception {
    return server.get("/health", null).json().getLong("memories");
  }
}
