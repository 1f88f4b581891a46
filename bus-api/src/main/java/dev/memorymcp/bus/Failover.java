package dev.memorymcp.bus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Retry policy of idempotent requests on a clustered node. Vert.x round-robins point-to-point
 * sends over the members consuming an address, so a second attempt usually lands elsewhere:
 * <ul>
 *   <li>NO_HANDLERS (nobody consumes the address right now, e.g. a member restarting): up to
 *       {@link #RETRIES} more attempts after {@link #RETRY_DELAYS_MS};</li>
 *   <li>TIMEOUT: the same retries (the member may have died with the request);</li>
 *   <li>a member leaves the cluster: every request still waiting is sent once more after
 *       {@link #HEDGE_DELAY_MS}, because Vert.x fails a message written to a dead member only
 *       when its timeout expires; the first reply wins. For {@link #SUSPECT_WINDOW_MS} after a
 *       leave, an attempt unanswered after {@link #SUSPECT_RESEND_MS} is sent once more too:
 *       until every member has dropped the dead one's consumers, a send may still pick it.</li>
 * </ul>
 * A recipient failure (400, 404, 500…) is an answer and is never retried.
 */
final class Failover {
  static final int RETRIES = 2;
  static final long[] RETRY_DELAYS_MS = {100, 500};
  /** Lets every member drop the dead one's consumers before the re-send picks a member. */
  static final long HEDGE_DELAY_MS = 300;
  static final long SUSPECT_WINDOW_MS = 10_000;
  static final long SUSPECT_RESEND_MS = 1_000;
  /** Most attempts of one request, whatever triggered them. */
  static final int MAX_ATTEMPTS = 5;

  private final Vertx vertx;
  private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
  private volatile long lastLeftNanos = System.nanoTime() - 2 * SUSPECT_WINDOW_MS * 1_000_000;

  Failover(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<JsonObject> request(String address, JsonObject body, long timeoutMs) {
    InFlight req = new InFlight(address, body, timeoutMs, vertx.getOrCreateContext());
    inFlight.add(req);
    req.attempt();
    return req.result.future().onComplete(ar -> inFlight.remove(req));
  }

  void memberLeft() {
    lastLeftNanos = System.nanoTime();
    for (InFlight req : inFlight) {
      req.context.runOnContext(v -> req.hedge());
    }
  }

  /** One logical request; touched only on its context. */
  private final class InFlight {
    final String address;
    final JsonObject body;
    final long timeoutMs;
    final Context context;
    final Promise<JsonObject> result = Promise.promise();
    int retries;
    int attempts;
    int outstanding;
    boolean hedged;

    InFlight(String address, JsonObject body, long timeoutMs, Context context) {
      this.address = address;
      this.body = body;
      this.timeoutMs = timeoutMs;
      this.context = context;
    }

    void attempt() {
      attempts++;
      outstanding++;
      if (System.nanoTime() - lastLeftNanos < SUSPECT_WINDOW_MS * 1_000_000) {
        vertx.setTimer(SUSPECT_RESEND_MS, t -> {
          if (!result.future().isComplete() && attempts < MAX_ATTEMPTS) {
            attempt();
          }
        });
      }
      Bus.once(vertx, address, body, timeoutMs).onComplete(ar -> {
        outstanding--;
        if (ar.succeeded()) {
          result.tryComplete(ar.result());
        } else if (!result.future().isComplete()) {
          failed(ar.cause());
        }
      });
    }

    private void failed(Throwable err) {
      boolean retryable = err instanceof ReplyException re
          && (re.failureType() == ReplyFailure.NO_HANDLERS || re.failureType() == ReplyFailure.TIMEOUT);
      if (retryable && retries < RETRIES && attempts < MAX_ATTEMPTS) {
        long delay = RETRY_DELAYS_MS[retries++];
        outstanding++; // the scheduled attempt counts, so a failing sibling does not fail the request
        vertx.setTimer(delay, t -> {
          outstanding--;
          if (!result.future().isComplete()) {
            attempt();
          }
        });
      } else if (!retryable || outstanding == 0) {
        result.tryFail(MemoryException.from(err));
      }
    }

    void hedge() {
      if (hedged || result.future().isComplete() || attempts >= MAX_ATTEMPTS) {
        return;
      }
      hedged = true;
      outstanding++;
      vertx.setTimer(HEDGE_DELAY_MS, t -> {
        outstanding--;
        if (!result.future().isComplete()) {
          attempt();
        }
      });
    }
  }
}
