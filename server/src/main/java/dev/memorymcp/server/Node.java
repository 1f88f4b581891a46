package dev.memorymcp.server;

import dev.memorymcp.auth.AuthVerticle;
import dev.memorymcp.embedding.EmbeddingVerticle;
import dev.memorymcp.gateway.GatewayVerticle;
import dev.memorymcp.ingest.IngestVerticle;
import dev.memorymcp.search.SearchVerticle;
import dev.memorymcp.storage.StorageVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JVM's verticles, deployed in dependency order (embedding, storage, auth, search, ingest, gateway)
 * and undeployed in reverse, so the gateway stops taking requests and the ingest worker finishes
 * its running jobs before storage drains and closes.
 */
public final class Node {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  /** Which verticles a node runs. */
  public enum Role {
    EMBEDDING, STORAGE, AUTH, SEARCH, INGEST, GATEWAY;

    /** {@code gateway} → GATEWAY; anything else is a configuration error naming the choices. */
    public static Role parse(String name) {
      for (Role r : values()) {
        if (r.name().equalsIgnoreCase(name.strip())) {
          return r;
        }
      }
      throw new IllegalArgumentException("unknown role '" + name + "': use gateway, embedding, storage, auth, search or ingest");
    }
  }

  private final Vertx vertx;
  private final JsonObject cfg;
  private final List<String> deployments = new ArrayList<>();
  private final List<Role> deployed = new ArrayList<>();
  private GatewayVerticle gateway;

  private io.vertx.core.http.HttpServer metrics;

  public Node(Vertx vertx, JsonObject cfg) {
    this.vertx = vertx;
    this.cfg = cfg;
  }

  /**
   * Whether this member runs auth (the API keys and audit log in auth.db): when asked for, and
   * with SQLite storage, whose one member has always kept them beside the memories. Storage on
   * Qdrant scales out, so there auth is a role of its own on one member.
   */
  static boolean runsAuth(List<Role> roles, JsonObject cfg) {
    return roles.contains(Role.AUTH)
        || roles.contains(Role.STORAGE) && "sqlite".equals(cfg.getString("storage.backend", "sqlite"));
  }

  /** Deploys the roles in order; on failure undeploys what was deployed. */
  public Future<Node> deploy(List<Role> roles) {
    Future<Void> chain = Future.succeededFuture();
    for (Role role : Role.values()) {
      if (role == Role.INGEST && !cfg.getBoolean("ingest.worker", true)) {
        LOG.info("ingest worker off (ingest.worker=false): ingest jobs stay queued");
        continue;
      }
      if (role == Role.AUTH ? runsAuth(roles, cfg) : roles.contains(role)) {
        chain = chain.compose(v -> deployOne(role));
      }
    }
    return chain.compose(v -> roles.contains(Role.GATEWAY) ? Future.succeededFuture() : metricsServer())
        .map(this).recover(err -> undeploy().transform(ar -> Future.failedFuture(err)));
  }

  /**
   * A member without the gateway serves its own metrics on {@code metrics.port} (0: none), at
   * {@code /metrics} only, without keys: bind it where only the scraper reaches ({@code metrics.host}).
   */
  private Future<Void> metricsServer() {
    int port = cfg.getInteger("metrics.port", 0);
    var registry = dev.memorymcp.gateway.MetricsRoute.registry();
    if (port <= 0 || registry == null) {
      return Future.succeededFuture();
    }
    return vertx.createHttpServer().requestHandler(req -> {
      if ("/metrics".equals(req.path())) {
        req.response().putHeader("Content-Type", dev.memorymcp.gateway.MetricsRoute.CONTENT_TYPE).end(registry.scrape());
      } else {
        req.response().setStatusCode(404).end();
      }
    }).listen(port, cfg.getString("metrics.host", "127.0.0.1")).onSuccess(s -> {
      metrics = s;
      LOG.info("metrics on http://{}:{}/metrics", cfg.getString("metrics.host", "127.0.0.1"), s.actualPort());
    }).mapEmpty();
  }

  private Future<Void> deployOne(Role role) {
    DeploymentOptions opts = new DeploymentOptions().setConfig(cfg);
    Future<String> id = switch (role) {
      case EMBEDDING -> vertx.deployVerticle(EmbeddingVerticle::new, opts
          .setThreadingModel(ThreadingModel.WORKER).setWorkerPoolName("embedding")
          .setWorkerPoolSize(Math.max(1, cfg.getInteger("embedding.instances", 1)))
          .setInstances(Math.max(1, cfg.getInteger("embedding.instances", 1)))
          .setMaxWorkerExecuteTime(120).setMaxWorkerExecuteTimeUnit(TimeUnit.SECONDS));
      case STORAGE -> vertx.deployVerticle(new StorageVerticle(), opts);
      // after storage, so a second process on a data directory is refused with the directory's message
      case AUTH -> vertx.deployVerticle(new AuthVerticle(), opts);
      case SEARCH -> vertx.deployVerticle(new SearchVerticle(), opts);
      case INGEST -> vertx.deployVerticle(new IngestVerticle(), opts);
      case GATEWAY -> {
        gateway = new GatewayVerticle();
        yield vertx.deployVerticle(gateway, opts);
      }
    };
    return id.onSuccess(deployments::add).onSuccess(d -> deployed.add(role))
        .onSuccess(d -> LOG.debug("deployed {}", role)).mapEmpty();
  }

  /** The roles deployed (ingest is skipped when ingest.worker is false). */
  public List<Role> deployedRoles() {
    return List.copyOf(deployed);
  }

  /** The gateway deployed in this node, or null. */
  public GatewayVerticle gateway() {
    return gateway;
  }

  /** The HTTP port the gateway bound, or -1 when this node has no gateway. */
  public int httpPort() {
    return gateway == null ? -1 : gateway.actualPort();
  }

  /** Undeploys in reverse order of deployment. */
  public Future<Void> undeploy() {
    if (metrics != null) {
      metrics.close();
      metrics = null;
    }
    List<String> ids = new ArrayList<>(deployments);
    Collections.reverse(ids);
    deployments.clear();
    deployed.clear();
    Future<Void> chain = Future.succeededFuture();
    for (String id : ids) {
      chain = chain.compose(v -> vertx.undeploy(id).recover(err -> {
        LOG.warn("undeploy failed: {}", err.getMessage());
        return Future.succeededFuture();
      }));
    }
    return chain;
  }
}
