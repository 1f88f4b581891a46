package dev.memorymcp.server;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedding and storage roles deployed in this process for an admin command (rebuild, migrate,
 * export, import) that works on the data directory while the service is stopped. Closing undeploys
 * and closes Vert.x, reporting a failure on stderr rather than throwing.
 */
final class LocalEngine implements AutoCloseable {
  private final Vertx vertx;
  private final Node node;

  private LocalEngine(Vertx vertx, Node node) {
    this.vertx = vertx;
    this.node = node;
  }

  /** Deploys the two roles with {@code cfg} (up to five minutes: a first start unpacks the model). */
  static LocalEngine start(JsonObject cfg) throws Exception {
    Main.djlCache(cfg);
    Vertx vertx = Vertx.vertx();
    LocalEngine engine = new LocalEngine(vertx, new Node(vertx, cfg));
    try {
      engine.node.deploy(List.of(Node.Role.EMBEDDING, Node.Role.STORAGE, Node.Role.AUTH)).await(5, TimeUnit.MINUTES);
      return engine;
    } catch (Exception e) {
      engine.close();
      throw e;
    }
  }

  Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    Main.stopQuietly(node, vertx);
  }
}
