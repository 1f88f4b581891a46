package dev.memorymcp.server;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Arrays;

/**
 * The clustered Vert.x of {@code serve --cluster}: Hazelcast joined by a TCP-IP member list, by
 * DNS (Hazelcast's Kubernetes discovery in DNS-lookup mode: every address a name resolves to) or
 * by the Kubernetes API. Multicast and cloud auto-detection are always off, so a member only ever
 * talks to the addresses it was given.
 */
final class Cluster {
  private Cluster() {}

  /** The Hazelcast configuration for the settings; throws IllegalArgumentException on a bad one. */
  static Config hazelcastConfig(JsonObject cfg) {
    Config hz = ConfigUtil.loadConfig(); // keeps the __vertx.* maps of default-cluster.xml
    hz.setClusterName(cfg.getString("cluster.name", "memory-mcp"));
    defaultProperty(hz, "hazelcast.logging.type", "slf4j");
    defaultProperty(hz, "hazelcast.phone.home.enabled", "false");
    // the master batches joins for this long; Hazelcast's 5 s default slows every start
    defaultProperty(hz, "hazelcast.wait.seconds.before.join", "1");
    // a host that vanishes without closing its sockets is dropped after this (default 60 s)
    defaultProperty(hz, "hazelcast.heartbeat.interval.seconds", "2");
    defaultProperty(hz, "hazelcast.max.no.heartbeat.seconds", "15");

    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(cfg.getInteger("cluster.hazelcast_port", 5701)).setPortAutoIncrement(true);
    String host = cfg.getString("cluster.host", "");
    if (!host.isBlank()) {
      net.getInterfaces().setEnabled(true).addInterface(host);
      hz.setProperty("hazelcast.local.localAddress", host);
    }
    String publicHost = cfg.getString("cluster.public_host", "");
    if (!publicHost.isBlank()) {
      net.setPublicAddress(publicHost);
    }
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(false);
    join.getKubernetesConfig().setEnabled(false);
    String mode = cfg.getString("cluster.join", "tcp-ip");
    switch (mode) {
      case "tcp-ip" -> {
        String[] members = Arrays.stream(cfg.getString("cluster.members", "").split(","))
            .map(String::strip).filter(m -> !m.isEmpty()).toArray(String[]::new);
        if (members.length == 0) {
          throw new IllegalArgumentException("cluster.join=tcp-ip needs MEMORY_MCP_CLUSTER_MEMBERS (host[:port],…)");
        }
        join.getTcpIpConfig().setEnabled(true).setMembers(Arrays.asList(members));
      }
      case "dns" -> {
        String name = require(cfg, "cluster.dns_name", "dns");
        join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", name)
            .setProperty("service-dns-timeout", "5");
      }
      case "kubernetes" -> {
        String service = require(cfg, "cluster.kubernetes_service", "kubernetes");
        join.getKubernetesConfig().setEnabled(true).setProperty("service-name", service);
      }
      default -> throw new IllegalArgumentException(
          "cluster.join must be tcp-ip, dns or kubernetes, got '" + mode + "'");
    }
    return hz;
  }

  /** Joins the cluster; the Future fails if Hazelcast cannot start or bind. */
  static Future<Vertx> start(JsonObject cfg, HazelcastClusterManager mgr) {
    EventBusOptions bus = new EventBusOptions().setPort(cfg.getInteger("cluster.port", 0));
    String host = cfg.getString("cluster.host", "");
    if (!host.isBlank()) {
      bus.setHost(host);
    }
    String publicHost = cfg.getString("cluster.public_host", "");
    if (!publicHost.isBlank()) {
      bus.setClusterPublicHost(publicHost);
    }
    return MetricsSetup.builder(cfg, new VertxOptions().setEventBusOptions(bus))
        .withClusterManager(mgr).buildClustered();
  }

  private static String require(JsonObject cfg, String key, String mode) {
    String v = cfg.getString(key, "");
    if (v.isBlank()) {
      throw new IllegalArgumentException("cluster.join=" + mode + " needs MEMORY_MCP_"
          + key.toUpperCase().replace('.', '_'));
    }
    return v;
  }

  /** Sets a Hazelcast property unless the JVM was given it (-Dhazelcast.…), which then wins. */
  private static void defaultProperty(Config hz, String name, String value) {
    if (System.getProperty(name) == null && hz.getProperty(name) == null) {
      hz.setProperty(name, value);
    }
  }
}
