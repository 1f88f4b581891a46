package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.json.schema.jackson3.DefaultJsonSchemaValidator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /openapi.json describes exactly the routes the gateway serves, and every example in it fits its schema. */
@DisplayName("OpenAPI document")
class OpenApiTest {
  @TempDir
  static Path dir;
  static TestServer server;
  static JsonObject doc;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, null).start();
    TestServer.Resp r = server.get("/openapi.json", null);
    assertThat(r.status()).isEqualTo(200);
    doc = r.json();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  @DisplayName("every served route is described, and nothing else is")
  void routesMatch() {
    assertThat(doc.getString("openapi")).isEqualTo("3.1.0");
    TreeSet<String> described = new TreeSet<>();
    doc.getJsonObject("paths").forEach(e -> ((JsonObject) e.getValue()).fieldNames()
        .forEach(m -> described.add(m.toUpperCase() + " " + e.getKey())));
    assertThat(described).containsExactlyInAnyOrderElementsOf(server.node().gateway().routes());
  }

  @Test
  @DisplayName("each operation says who may call it; every request and response example validates against its schema")
  void examplesValidate() {
    DefaultJsonSchemaValidator validator = new DefaultJsonSchemaValidator();
    JsonObject components = doc.getJsonObject("components").getJsonObject("schemas");
    List<String> checked = new ArrayList<>();
    doc.getJsonObject("paths").forEach(p -> ((JsonObject) p.getValue()).forEach(o -> {
      JsonObject op = (JsonObject) o.getValue();
      String where = o.getKey().toUpperCase() + " " + p.getKey();
      assertThat(op.getString("x-role")).as(where).isNotBlank();
      assertThat(op.getString("summary")).as(where).isNotBlank();
      List<JsonObject> contents = new ArrayList<>();
      if (op.getJsonObject("requestBody") != null) {
        contents.add(op.getJsonObject("requestBody").getJsonObject("content").getJsonObject("application/json"));
      }
      op.getJsonObject("responses").forEach(r -> {
        JsonObject content = ((JsonObject) r.getValue()).getJsonObject("content");
        if (content != null && content.getJsonObject("application/json") != null) {
          contents.add(content.getJsonObject("application/json"));
        }
      });
      for (JsonObject c : contents) {
        if (c.containsKey("example")) {
          var result = validator.validate(plain(inline(c.getJsonObject("schema"), components)), plainValue(c.getValue("example")));
          assertThat(result.valid()).as(where + ": " + result.errorMessage()).isTrue();
          checked.add(where);
        }
      }
    }));
    assertThat(checked).hasSizeGreaterThan(30);
    // and a wrong example would be caught
    JsonObject memoryInput = inline(new JsonObject().put("$ref", "#/components/schemas/MemoryInput"), components);
    assertThat(validator.validate(plain(memoryInput), Map.of("content", 42)).valid()).isFalse();
    assertThat(validator.validate(plain(memoryInput), Map.of("content", "ok")).valid()).isTrue();
  }

  /** Plain maps and lists all the way down (the validator reads them through Jackson). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> plain(JsonObject j) {
    return (Map<String, Object>) io.vertx.core.json.Json.decodeValue(j.encode(), Map.class);
  }

  static Object plainValue(Object v) {
    return v instanceof JsonObject j ? plain(j) : v instanceof JsonArray a ? io.vertx.core.json.Json.decodeValue(a.encode(), List.class) : v;
  }

  @Test
  @DisplayName("the dashboard's reference page reads this document: every operation has a summary and parameters name where they go")
  void parametersAreComplete() {
    doc.getJsonObject("paths").forEach(p -> ((JsonObject) p.getValue()).forEach(o -> {
      JsonArray params = ((JsonObject) o.getValue()).getJsonArray("parameters", new JsonArray());
      for (Object x : params) {
        JsonObject param = (JsonObject) x;
        assertThat(param.getString("in")).isIn("path", "query", "header");
        if (param.getString("in").equals("path")) {
          assertThat(p.getKey()).contains("{" + param.getString("name") + "}");
        }
      }
      for (String name : pathNames(p.getKey())) {
        assertThat(params.stream().anyMatch(x -> ((JsonObject) x).getString("name").equals(name)))
            .as(o.getKey() + " " + p.getKey() + " describes {" + name + "}").isTrue();
      }
    }));
  }

  private static List<String> pathNames(String path) {
    List<String> out = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([a-z_]+)}").matcher(path);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** The schema with each {@code $ref} to a component replaced by the component, recursively. */
  static JsonObject inline(JsonObject schema, JsonObject components) {
    if (schema.containsKey("$ref")) {
      String name = schema.getString("$ref").substring("#/components/schemas/".length());
      return inline(components.getJsonObject(name), components);
    }
    JsonObject out = new JsonObject();
    schema.forEach(e -> out.put(e.getKey(), inlineValue(e.getValue(), components)));
    return out;
  }

  private static Object inlineValue(Object v, JsonObject components) {
    if (v instanceof JsonObject j) {
      return inline(j, components);
    }
    if (v instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      a.forEach(x -> out.add(inlineValue(x, components)));
      return out;
    }
    return v;
  }
}
