package dev.memorymcp.server;

import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.Settings;
import dev.memorymcp.bus.Version;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve [--role R]… [--cluster]}: without flags every role runs in this JVM on a local bus
 * (the embedded default, no Hazelcast). {@code --role} picks the roles (repeatable or comma
 * separated); {@code --cluster} joins a Hazelcast cluster so the roles of other JVMs answer.
 */
final class ServeCommand {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  private ServeCommand() {}

  /** What the command line asked for. */
  record Args(List<Node.Role> roles, boolean cluster) {
    static Args parse(String[] args) {
      List<Node.Role> roles = new ArrayList<>();
      boolean cluster = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--cluster")) {
          cluster = true;
        } else if (a.equals("--role") && i + 1 < args.length) {
          Arrays.stream(args[++i].split(",")).filter(r -> !r.isBlank()).map(Node.Role::parse)
              .filter(r -> !roles.contains(r)).forEach(roles::add);
        } else if (a.startsWith("--role=")) {
          Arrays.stream(a.substring(7).split(",")).filter(r -> !r.isBlank()).map(Node.Role::parse)
              .filter(r -> !roles.contains(r)).forEach(roles::add);
        } else {
          throw new IllegalArgumentException("serve: unknown argument '" + a
              + "' (use --role gateway|embedding|storage|search|ingest, repeatable, and --cluster)");
        }
      }
      return new Args(roles.isEmpty() ? List.of(Node.Role.values()) : List.copyOf(roles), cluster);
    }
  }

  static int run(String[] argv) {
    Args args = Args.parse(argv);
    JsonObject cfg = Settings.load(System.getenv());
    Main.djlCache(cfg);
    long t0 = System.nanoTime();
    HeapTuning.apply();
    HazelcastClusterManager mgr = null;
    Vertx vertx;
    if (args.cluster()) {
      mgr = new HazelcastClusterManager(Cluster.hazelcastConfig(cfg));
      try {
        vertx = Cluster.start(cfg, mgr).await(2, TimeUnit.MINUTES);
      } catch (Exception e) {
        System.err.println("startup failed: cannot join cluster '" + cfg.getString("cluster.name") + "': "
            + Main.rootMessage(e));
        return 1;
      }
      Bus.enableFailover(vertx);
    } else {
      vertx = MetricsSetup.builder(cfg, new io.vertx.core.VertxOptions()).build();
    }
    Node node = new Node(vertx, cfg);
    ClusterView view = mgr == null ? null : new ClusterView(vertx, mgr, cfg);
    // a SQLite store, a member's own ingest.db and the API keys each have one owner in the cluster
    String queue = cfg.getString("ingest.queue", "auto");
    boolean sqliteStorage = args.roles().contains(Node.Role.STORAGE)
        && ("sqlite".equals(cfg.getString("storage.backend")) || "sqlite".equals(queue));
    boolean auth = Node.runsAuth(args.roles(), cfg);
    try {
      Future<Void> claimed = view == null ? Future.succeededFuture()
          : (sqliteStorage ? view.claimSqliteStorage() : Future.<Void>succeededFuture())
              .compose(v -> auth ? view.claimAuth() : Future.succeededFuture());
      claimed.compose(v -> node.deploy(args.roles()))
          .compose(n -> view == null ? Future.succeededFuture() : view.publish(n.deployedRoles(), n.httpPort()))
          .await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      System.err.println("startup failed: " + Main.rootMessage(e));
      if (view != null) {
        view.releaseStorage();
      }
      Bus.disableFailover(vertx);
      vertx.close().await();
      return 1;
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (view == null && args.roles().size() == Node.Role.values().length) {
      LOG.info("memory service {} ready in {} ms: http://{}:{} (data {})", Version.get(), ms,
          cfg.getString("server.host"), node.httpPort(), cfg.getString("data_dir"));
    } else {
      LOG.info("memory service {} ready in {} ms: roles {}{}{}", Version.get(), ms,
          node.deployedRoles().stream().map(r -> r.name().toLowerCase(Locale.ROOT)).toList(),
          node.httpPort() > 0 ? ", http://" + cfg.getString("server.host") + ":" + node.httpPort() : "",
          view == null ? ", local bus" : ", cluster '" + cfg.getString("cluster.name") + "' as node "
              + view.nodeId() + " (" + mgr.getNodes().size() + " members)");
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(vertx, node, view), "shutdown"));
    return 0;
  }

  /** Leaves the role registry first, so health checks and senders stop counting on this member. */
  private static void shutdown(Vertx vertx, Node node, ClusterView view) {
    LOG.info("shutting down: draining requests and closing the database");
    try {
      if (view != null) {
        view.withdraw().await(5, TimeUnit.SECONDS);
      }
      node.undeploy().await(30, TimeUnit.SECONDS);
      if (view != null) {
        view.releaseStorage();
      }
      Bus.disableFailover(vertx);
      vertx.close().await(20, TimeUnit.SECONDS);
      LOG.info("stopped cleanly");
    } catch (Exception e) {
      LOG.error("unclean shutdown: {}", Main.rootMessage(e));
    }
  }
}
