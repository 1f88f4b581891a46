package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memorymcp.gateway.GatewayVerticle;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rate limits, CORS and the DNS-rebinding checks on REST, and refusing to serve a network without auth. */
@DisplayName("access control: limits, CORS, bind rules")
class AuthLimitsTest {
  static final String ADMIN = "bootstrap-admin-key-for-limits-0123456789abcdef";
  @TempDir
  Path dir;

  @Test
  @DisplayName("past the rate limit a key gets 429 with Retry-After; another key and the health probe are unaffected")
  void rateLimit() throws Exception {
    try (TestServer s = new TestServer(dir, new JsonObject().put("require_auth", true).put("admin_api_key", ADMIN)
        .put("rate_limit.requests", 5).put("rate_limit.window", 60)).start()) {
      String member = s.call("POST", "/api/v1/admin/keys", null, new JsonObject().put("name", "limited").put("role", "member")
          .put("namespaces", new io.vertx.core.json.JsonArray().add("alice")).encode(),
          Map.of("Authorization", "Bearer " + ADMIN)).json().getString("key");
      Map<String, String> auth = Map.of("Authorization", "Bearer " + member);
      for (int i = 0; i < 5; i++) {
        assertThat(s.call("GET", "/api/v1/memories", "alice", null, auth).status()).isEqualTo(200);
      }
      TestServer.Resp limited = s.call("GET", "/api/v1/memories", "alice", null, auth);
      assertThat(limited.status()).isEqualTo(429);
      assertThat(limited.json().getJsonObject("error").getString("code")).isEqualTo("RATE_LIMITED");
      assertThat(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 60);
      assertThat(s.call("POST", "/mcp", "alice", "{}", auth).status()).isEqualTo(429);
      assertThat(s.get("/health", null).status()).isEqualTo(200);
      // unauthenticated attempts count per client address: key guessing is limited too
      int last = 0;
      for (int i = 0; i < 7; i++) {
        last = s.call("GET", "/api/v1/memories", "alice", null, Map.of("Authorization", "Bearer wrong")).status();
      }
      assertThat(last).isEqualTo(429);
    }
  }

  @Test
  @DisplayName("CORS is off by default; listed origins get CORS headers on a preflight; other origins 403; a foreign Host 421")
  void corsAndRebinding() throws Exception {
    try (TestServer off = new TestServer(dir.resolve("a"), new JsonObject()).start()) {
      TestServer.Resp pre = off.call("OPTIONS", "/api/v1/search", null, null, Map.of("Origin", "https://app.example.com",
          "Access-Control-Request-Method", "POST"));
      assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
      TestServer.Resp evil = off.call("GET", "/api/v1/memories", null, null, Map.of("Origin", "https://evil.example"));
      assertThat(evil.status()).isEqualTo(403);
      assertThat(evil.json().getJsonObject("error").getString("code")).isEqualTo("ORIGIN_NOT_ALLOWED");
      assertThat(off.call("GET", "/api/v1/memories", null, null, Map.of("Origin", "http://localhost:3000")).status()).isEqualTo(200);
    }
    try (TestServer on = new TestServer(dir.resolve("b"), new JsonObject().put("cors.origins", "https://app.example.com")).start()) {
      TestServer.Resp pre = on.call("OPTIONS", "/api/v1/search", null, null, Map.of("Origin", "https://app.example.com",
          "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,x-persona"));
      assertThat(pre.status()).isBetween(200, 204);
      assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
      TestServer.Resp real = on.call("GET", "/api/v1/memories", null, null, Map.of("Origin", "https://app.example.com"));
      assertThat(real.status()).isEqualTo(200);
      assertThat(real.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
      assertThat(on.call("GET", "/api/v1/memories", null, null, Map.of("Origin", "https://evil.example")).status()).isEqualTo(403);
    }
  }

  @Test
  @DisplayName("a Host this server does not answer for is 421 on REST (DNS rebinding), like on /mcp")
  void hostCheck() throws Exception {
    try (TestServer s = new TestServer(dir, new JsonObject()).start()) {
      java.net.Socket sock = new java.net.Socket("127.0.0.1", s.port());
      try (sock) {
        sock.getOutputStream().write(("GET /api/v1/memories HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String reply = new String(sock.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(reply).startsWith("HTTP/1.1 421").contains("HOST_NOT_ALLOWED");
      }
    }
  }

  @Test
  @DisplayName("without auth the gateway refuses any non-loopback address unless allow_insecure is set")
  void insecureBind() {
    assertThatThrownBy(() -> GatewayVerticle.refuseInsecureBind("0.0.0.0", false, false))
        .hasMessageContaining("refusing to listen on 0.0.0.0 without authentication").hasMessageContaining("MEMORY_MCP_REQUIRE_AUTH");
    assertThatThrownBy(() -> GatewayVerticle.refuseInsecureBind("192.168.1.20", false, false)).isInstanceOf(IllegalStateException.class);
    GatewayVerticle.refuseInsecureBind("0.0.0.0", true, false);
    GatewayVerticle.refuseInsecureBind("0.0.0.0", false, true);
    for (String loopback : new String[] {"127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"}) {
      GatewayVerticle.refuseInsecureBind(loopback, false, false);
    }
  }

  @Test
  @DisplayName("the whole server refuses to start on 0.0.0.0 without auth, saying how to fix it")
  void serverRefusesInsecureStart() {
    assertThatThrownBy(() -> new TestServer(dir, new JsonObject().put("server.host", "0.0.0.0")).start())
        .hasMessageContaining("MEMORY_MCP_REQUIRE_AUTH");
  }
}
