package dev.memorymcp.server;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.Version;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Lock;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's view of the cluster: it publishes its roles in a cluster-wide map (key: Vert.x
 * node id; entries of members that left are removed by the others and ignored until then),
 * answers a ping address per role, serves {@link Addresses#CLUSTER_STATUS} to the local gateway,
 * and holds the cluster-wide lock of each single-owner thing it runs: SQLite storage (or a SQLite
 * ingest queue) and the API keys (auth.db).
 */
final class ClusterView {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterView.class);
  static final String ROLES_MAP = "memory.cluster.roles";
  /** Held for its lifetime by the one SQLite storage member; Hazelcast frees it when the holder dies. */
  static final String SQLITE_LOCK = "memory.storage.sqlite";
  /** Held by the one member that runs auth: API keys are checked against its auth.db and secret. */
  static final String AUTH_LOCK = "memory.auth";
  /** How long a SQLite storage waits for the lock: covers a crashed holder not yet declared dead. */
  static final long SQLITE_LOCK_WAIT_MS = 20_000;
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId"; // HazelcastClusterManager's

  private final Vertx vertx;
  private final HazelcastClusterManager mgr;
  private final JsonObject cfg;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final List<Lock> held = new ArrayList<>();
  private UUID listenerId;

  ClusterView(Vertx vertx, HazelcastClusterManager mgr, JsonObject cfg) {
    this.vertx = vertx;
    this.mgr = mgr;
    this.cfg = cfg;
  }

  String nodeId() {
    return mgr.getNodeId();
  }

  /**
   * Before a storage member with a SQLite store or its own SQLite ingest queue deploys: takes the
   * cluster-wide lock, or fails naming the member that holds it. The data-dir file lock covers one
   * host; this covers the cluster.
   */
  Future<Void> claimSqliteStorage() {
    boolean sqliteStore = "sqlite".equals(cfg.getString("storage.backend"));
    return claim(SQLITE_LOCK, "storage", "a storage member with "
        + (sqliteStore ? "storage.backend=sqlite" : "ingest.queue=sqlite"), "A SQLite "
        + (sqliteStore ? "store" : "ingest queue") + " has exactly one owner, so this second storage member "
        + "refuses to start. Stop the other one, or set " + (sqliteStore ? "MEMORY_MCP_STORAGE_BACKEND=qdrant"
        : "MEMORY_MCP_INGEST_QUEUE=qdrant (or auto)") + " on every storage member to run several.");
  }

  /** Before auth deploys: the API keys have one owner (its auth.db and secret), like SQLite storage. */
  Future<Void> claimAuth() {
    return claim(AUTH_LOCK, "auth", "an auth member", "API keys are checked against one auth.db and "
        + "its secret, so this second auth member refuses to start. Run the auth role on one member "
        + "(with storage.backend=sqlite the storage member runs it).");
  }

  private Future<Void> claim(String lock, String role, String what, String why) {
    return vertx.sharedData().getLockWithTimeout(lock, SQLITE_LOCK_WAIT_MS)
        .onSuccess(held::add).<Void>mapEmpty()
        .recover(err -> members().compose(ms -> {
          String holder = ms.stream().map(o -> (JsonObject) o)
              .filter(m -> m.getJsonArray("roles", new JsonArray()).contains(role))
              .map(m -> "node " + m.getString("node_id") + " on " + m.getString("host"))
              .findFirst().orElse("a member that has not published its roles yet");
          return Future.failedFuture(new IllegalStateException("cluster '" + cfg.getString("cluster.name")
              + "' already has " + what + " (" + holder + "). " + why));
        }));
  }

  /** Publishes the roles this member runs and starts answering pings and status requests. */
  Future<Void> publish(List<Node.Role> roles, int httpPort) {
    List<String> names = roles.stream().map(r -> r.name().toLowerCase(Locale.ROOT)).toList();
    JsonObject me = new JsonObject().put("roles", new JsonArray(names))
        .put("host", mgr.getHazelcastInstance().getCluster().getLocalMember().getAddress().getHost())
        .put("version", Version.get()).put("started_at", System.currentTimeMillis());
    if (httpPort > 0) {
      me.put("http_port", httpPort);
    }
    if (names.contains("storage")) {
      me.put("backend", cfg.getString("storage.backend"));
    }
    List<Future<Void>> regs = new ArrayList<>();
    for (String role : names) {
      MessageConsumer<JsonObject> c = vertx.eventBus().consumer(Addresses.clusterPing(role),
          m -> m.reply(new JsonObject().put("node_id", nodeId())));
      consumers.add(c);
      regs.add(c.completion());
    }
    MessageConsumer<JsonObject> status = vertx.eventBus().localConsumer(Addresses.CLUSTER_STATUS,
        m -> status().onSuccess(m::reply).onFailure(err -> m.fail(503, err.getMessage())));
    consumers.add(status);
    regs.add(status.completion());
    listenerId = mgr.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
        LOG.info("member joined: {}", e.getMember().getAddress());
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        LOG.warn("member left: {}", e.getMember().getAddress());
        Bus.memberLeft(vertx); // re-send idempotent requests that may have gone to it
        String gone = e.getMember().getAttribute(NODE_ID_ATTRIBUTE);
        if (gone != null) {
          roles().onSuccess(map -> map.remove(gone));
        }
      }
    });
    return Future.all(regs).compose(v -> roles()).compose(map -> map.put(nodeId(), me.encode()));
  }

  /** Members with their roles, and the roles no live member answers for. */
  Future<JsonObject> status() {
    List<Future<Boolean>> pings = new ArrayList<>();
    for (Node.Role role : Node.Role.values()) {
      pings.add(vertx.eventBus().request(Addresses.clusterPing(role.name().toLowerCase(Locale.ROOT)),
          new JsonObject(), new DeliveryOptions().setSendTimeout(2_000)).map(true).otherwise(false));
    }
    return Future.join(members(), Future.join(pings)).map(cf -> {
      JsonArray members = cf.resultAt(0);
      JsonObject byRole = new JsonObject();
      JsonArray missing = new JsonArray();
      for (int i = 0; i < Node.Role.values().length; i++) {
        String role = Node.Role.values()[i].name().toLowerCase(Locale.ROOT);
        JsonArray ids = new JsonArray();
        members.forEach(o -> {
          JsonObject m = (JsonObject) o;
          if (m.getJsonArray("roles", new JsonArray()).contains(role)) {
            ids.add(m.getString("node_id"));
          }
        });
        byRole.put(role, ids);
        if (!pings.get(i).result()) {
          missing.add(role);
        }
      }
      return new JsonObject().put("name", cfg.getString("cluster.name")).put("node_id", nodeId())
          .put("members", members).put("roles", byRole).put("missing", missing);
    });
  }

  /** Live members (Hazelcast's view) with the roles they published; none yet: roles []. */
  private Future<JsonArray> members() {
    Set<String> live = new HashSet<>();
    for (Member m : mgr.getHazelcastInstance().getCluster().getMembers()) {
      String id = m.getAttribute(NODE_ID_ATTRIBUTE);
      if (id != null) {
        live.add(id);
      }
    }
    return roles().compose(AsyncMap::entries).map(entries -> {
      JsonArray out = new JsonArray();
      for (String id : live) {
        Object v = entries.get(id);
        JsonObject m = v == null ? new JsonObject().put("roles", new JsonArray()) : new JsonObject(v.toString());
        out.add(m.put("node_id", id).put("self", id.equals(nodeId())));
      }
      return out;
    });
  }

  private Future<AsyncMap<String, String>> roles() {
    return vertx.sharedData().getClusterWideMap(ROLES_MAP);
  }

  /** Stops answering for this member's roles and withdraws its entry (before undeploying). */
  Future<Void> withdraw() {
    if (listenerId != null) {
      mgr.getHazelcastInstance().getCluster().removeMembershipListener(listenerId);
      listenerId = null;
    }
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    consumers.clear();
    done.add(roles().compose(map -> map.remove(nodeId())).mapEmpty());
    return Future.join(done).mapEmpty();
  }

  /** Frees the single-owner locks (after storage and auth have closed their files). */
  void releaseStorage() {
    held.forEach(Lock::release);
    held.clear();
  }
}
