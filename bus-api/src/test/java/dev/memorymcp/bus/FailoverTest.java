package dev.memorymcp.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The retry policy of idempotent requests on a node with failover on (as clustered nodes have). */
@DisplayName("Bus failover")
class FailoverTest {
  Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    Bus.disableFailover(vertx);
    vertx.close().await();
  }

  @Test
  @DisplayName("an idempotent request finds a consumer that registers during its retries")
  void retriesNoHandlersOnIdempotentAddresses() throws Exception {
    Bus.enableFailover(vertx);
    vertx.setTimer(250, t -> Bus.register(vertx, Addresses.SEARCH, b -> Future.succeededFuture(new JsonObject().put("ok", true))));
    JsonObject r = Bus.request(vertx, Addresses.SEARCH, new JsonObject(), 2_000).await(5, TimeUnit.SECONDS);
    assertThat(r.getBoolean("ok")).isTrue();
  }

  @Test
  @DisplayName("a write is sent once: no handlers fails at once, without retries")
  void neverRetriesWrites() {
    Bus.enableFailover(vertx);
    vertx.setTimer(250, t -> Bus.register(vertx, Addresses.STORE_REMEMBER, b -> Future.succeededFuture(new JsonObject())));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> Bus.request(vertx, Addresses.STORE_REMEMBER, new JsonObject(), 2_000).await(5, TimeUnit.SECONDS))
        .isInstanceOf(MemoryException.class).hasMessageContaining("no");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(250);
  }

  @Test
  @DisplayName("an ingest enqueue is retried only when it carries an idempotency key")
  void keyedEnqueuesAreRetried() throws Exception {
    Bus.enableFailover(vertx);
    vertx.setTimer(250, t -> Bus.register(vertx, Addresses.INGEST_ENQUEUE, b -> Future.succeededFuture(new JsonObject().put("job_id", "j1"))));
    assertThatThrownBy(() -> Bus.request(vertx, Addresses.INGEST_ENQUEUE, new JsonObject(), 2_000).await(5, TimeUnit.SECONDS))
        .as("without a key: sent once").isInstanceOf(MemoryException.class);
    JsonObject r = Bus.request(vertx, Addresses.INGEST_ENQUEUE, new JsonObject().put("idempotency_key", "k"), 2_000)
        .await(5, TimeUnit.SECONDS);
    assertThat(r.getString("job_id")).isEqualTo("j1");
  }

  @Test
  @DisplayName("a recipient failure is an answer: not retried")
  void recipientFailuresAreNotRetried() {
    Bus.enableFailover(vertx);
    AtomicInteger calls = new AtomicInteger();
    Bus.register(vertx, Addresses.STORE_GET, b -> {
      calls.incrementAndGet();
      return Future.failedFuture(new MemoryException(ErrorCode.NOT_FOUND, "MEMORY_NOT_FOUND", "no such memory"));
    }).await();
    assertThatThrownBy(() -> Bus.request(vertx, Addresses.STORE_GET, new JsonObject(), 2_000).await(5, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(MemoryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThat(calls).hasValue(1);
  }

  @Test
  @DisplayName("when a member leaves, a request still waiting is sent again and the new reply wins")
  void memberLeftResendsWaitingRequests() throws Exception {
    Bus.enableFailover(vertx);
    List<Message<JsonObject>> swallowed = new ArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    // the first delivery is lost (as one sent to a member that just died); the second is answered
    vertx.eventBus().<JsonObject>consumer(Addresses.EMBED, m -> {
      if (calls.incrementAndGet() == 1) {
        swallowed.add(m);
      } else {
        m.reply(new JsonObject().put("attempt", calls.get()));
      }
    }).completion().await();
    Future<JsonObject> reply = Bus.request(vertx, Addresses.EMBED, new JsonObject(), 20_000);
    long t0 = System.nanoTime();
    vertx.setTimer(100, t -> Bus.memberLeft(vertx));
    JsonObject r = reply.await(5, TimeUnit.SECONDS);
    assertThat(r.getInteger("attempt")).isEqualTo(2);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("answered long before the 20 s timeout").isLessThan(3_000);
  }

  @Test
  @DisplayName("without failover (the embedded mode) a request is sent exactly once")
  void embeddedModeSendsOnce() {
    vertx.setTimer(250, t -> Bus.register(vertx, Addresses.SEARCH, b -> Future.succeededFuture(new JsonObject())));
    assertThatThrownBy(() -> Bus.request(vertx, Addresses.SEARCH, new JsonObject(), 2_000).await(5, TimeUnit.SECONDS))
        .isInstanceOf(MemoryException.class);
  }
}
