package dev.memorymcp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.memorymcp.bus.Settings;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code serve} arguments and the Hazelcast configuration built from the settings. */
@DisplayName("serve --role/--cluster and the Hazelcast config")
class ClusterConfigTest {

  static JsonObject settings(Map<String, String> env) {
    return Settings.load(env);
  }

  @Test
  @DisplayName("serve alone runs every role without a cluster; --role picks, repeated or comma separated")
  void parsesRoles() {
    assertThat(ServeCommand.Args.parse(new String[0])).isEqualTo(new ServeCommand.Args(List.of(Node.Role.values()), false));
    assertThat(ServeCommand.Args.parse(new String[] {"--role", "gateway", "--role", "storage,ingest", "--cluster"}))
        .isEqualTo(new ServeCommand.Args(List.of(Node.Role.GATEWAY, Node.Role.STORAGE, Node.Role.INGEST), true));
    assertThat(ServeCommand.Args.parse(new String[] {"--role=Embedding"}).roles()).containsExactly(Node.Role.EMBEDDING);
  }

  @Test
  @DisplayName("auth runs where asked, and beside SQLite storage; storage on Qdrant leaves it to its own member")
  void authPlacement() {
    JsonObject sqlite = settings(Map.of());
    JsonObject qdrant = settings(Map.of("MEMORY_MCP_STORAGE_BACKEND", "qdrant"));
    assertThat(Node.runsAuth(List.of(Node.Role.STORAGE), sqlite)).isTrue();
    assertThat(Node.runsAuth(List.of(Node.Role.STORAGE), qdrant)).isFalse();
    assertThat(Node.runsAuth(List.of(Node.Role.AUTH), qdrant)).isTrue();
    assertThat(Node.runsAuth(List.of(Node.Role.GATEWAY, Node.Role.SEARCH), sqlite)).isFalse();
    assertThat(Node.runsAuth(List.of(Node.Role.values()), qdrant)).as("the embedded default runs every role").isTrue();
  }

  @Test
  @DisplayName("an unknown role or argument is a configuration error naming the choices")
  void rejectsUnknownRolesAndArguments() {
    assertThatThrownBy(() -> ServeCommand.Args.parse(new String[] {"--role", "gatewy"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown role 'gatewy'")
        .hasMessageContaining("gateway, embedding, storage, auth, search or ingest");
    assertThatThrownBy(() -> ServeCommand.Args.parse(new String[] {"--clustr"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--clustr");
  }

  @Test
  @DisplayName("tcp-ip (default): the member list, multicast, auto-detection and Kubernetes off")
  void tcpIpJoin() {
    Config hz = Cluster.hazelcastConfig(settings(Map.of("MEMORY_MCP_CLUSTER_MEMBERS", "10.0.0.1, node-b:5702",
        "MEMORY_MCP_CLUSTER_NAME", "prod", "MEMORY_MCP_CLUSTER_HOST", "10.0.0.3")));
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(hz.getClusterName()).isEqualTo("prod");
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.1", "node-b:5702");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.0.3");
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5701);
    assertThat(hz.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    // the structures Vert.x needs come from its default-cluster.xml
    assertThat(hz.getMultiMapConfigs()).containsKey("__vertx.subs");
  }

  @Test
  @DisplayName("dns: Hazelcast's Kubernetes discovery in DNS-lookup mode, no TCP-IP list")
  void dnsJoin() {
    Config hz = Cluster.hazelcastConfig(settings(Map.of("MEMORY_MCP_CLUSTER_JOIN", "dns",
        "MEMORY_MCP_CLUSTER_DNS_NAME", "memory-cluster")));
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("memory-cluster");
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
  }

  @Test
  @DisplayName("kubernetes: API mode on the named Service")
  void kubernetesJoin() {
    Config hz = Cluster.hazelcastConfig(settings(Map.of("MEMORY_MCP_CLUSTER_JOIN", "kubernetes",
        "MEMORY_MCP_CLUSTER_KUBERNETES_SERVICE", "memory-cluster")));
    assertThat(hz.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-name")).isEqualTo("memory-cluster");
    assertThat(hz.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-dns")).isNull();
  }

  @Test
  @DisplayName("a join mode without its setting, or an unknown mode, is a configuration error")
  void rejectsIncompleteJoinSettings() {
    assertThatThrownBy(() -> Cluster.hazelcastConfig(settings(Map.of("MEMORY_MCP_CLUSTER_JOIN", "dns"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MEMORY_MCP_CLUSTER_DNS_NAME");
    assertThatThrownBy(() -> Cluster.hazelcastConfig(settings(Map.of("MEMORY_MCP_CLUSTER_JOIN", "multicast"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tcp-ip, dns or kubernetes");
  }
}
