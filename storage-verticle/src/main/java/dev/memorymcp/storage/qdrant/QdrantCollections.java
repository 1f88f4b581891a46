package dev.memorymcp.storage.qdrant;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ValueFactory.value;

import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.storage.MemoryStore.ModelStamp;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.Modifier;
import io.qdrant.client.grpc.Collections.SparseVectorConfig;
import io.qdrant.client.grpc.Collections.SparseVectorParams;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.PointStruct;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Qdrant store's collections: their names under the prefix, their creation with payload
 * indexes (cached once seen, so several processes may create the same one), and the model stamp.
 */
final class QdrantCollections {
  private static final Logger LOG = LoggerFactory.getLogger(QdrantCollections.class);

  static final String DENSE = "dense";
  static final String SPARSE = "keywords";
  private static final PointId META_POINT = PointIdFactory.id(QdrantPayloads.uuid("meta", "model"));

  private final String url;
  private final String prefix;
  private final QdrantClient client;
  private final QdrantCalls calls;
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  QdrantCollections(String url, String prefix, QdrantClient client, QdrantCalls calls) {
    this.url = url;
    this.prefix = prefix;
    this.client = client;
    this.calls = calls;
  }

  /**
   * The namespace's collection: {@code <prefix><namespace>} for an ASCII name, {@code <prefix>-<hex
   * of its UTF-8>} for any other (a Unicode persona name such as ニロウ), which no ASCII name can
   * start with and which keeps collection names to characters every Qdrant accepts.
   */
  String collection(String namespace) {
    return Namespaces.isAscii(namespace) ? prefix + namespace
        : prefix + "-" + HexFormat.of().formatHex(namespace.getBytes(StandardCharsets.UTF_8));
  }

  String namespaceOf(String collection) {
    String tail = collection.substring(prefix.length());
    return tail.startsWith("-") ? new String(HexFormat.of().parseHex(tail.substring(1)), StandardCharsets.UTF_8) : tail;
  }

  String events() {
    return prefix + "_events";
  }

  String relationsCollection() {
    return prefix + "_relations";
  }

  String meta() {
    return prefix + "_meta";
  }

  Future<Void> open() {
    return calls.call(client::healthCheckAsync)
        .compose(h -> ensure(events(), 0, Map.of("namespace", FieldType.FieldTypeKeyword,
            "memory_id", FieldType.FieldTypeKeyword, "write_key", FieldType.FieldTypeKeyword,
            "type", FieldType.FieldTypeKeyword,
            "seq", FieldType.FieldTypeInteger, "pending", FieldType.FieldTypeBool)))
        .compose(v -> ensure(relationsCollection(), 0, Map.of(
            "namespace", FieldType.FieldTypeKeyword, "source_id", FieldType.FieldTypeKeyword,
            "target_id", FieldType.FieldTypeKeyword)))
        .compose(v -> ensure(meta(), 0, Map.of()))
        .onSuccess(v -> LOG.info("opened Qdrant at {} (collection prefix {})", url, prefix));
  }

  private static final Map<String, FieldType> MEMORY_INDEXES = Map.ofEntries(
      Map.entry("id", FieldType.FieldTypeKeyword), Map.entry("type", FieldType.FieldTypeKeyword),
      Map.entry("scope", FieldType.FieldTypeKeyword),
      Map.entry("scope_id", FieldType.FieldTypeKeyword),
      Map.entry("tags", FieldType.FieldTypeKeyword),
      Map.entry("category", FieldType.FieldTypeKeyword),
      Map.entry("session_id", FieldType.FieldTypeKeyword),
      Map.entry("created_at", FieldType.FieldTypeInteger),
      Map.entry("expires_at", FieldType.FieldTypeInteger),
      Map.entry("id_key", FieldType.FieldTypeInteger),
      Map.entry("seq", FieldType.FieldTypeInteger),
      Map.entry("importance", FieldType.FieldTypeFloat),
      Map.entry("confidence", FieldType.FieldTypeFloat));

  /** Creates the collection when missing (dim 0: no vectors), with its payload indexes. */
  private Future<Void> ensure(String name, int dim, Map<String, FieldType> indexes) {
    if (known.contains(name)) {
      return Future.succeededFuture();
    }
    CreateCollection.Builder create = CreateCollection.newBuilder().setCollectionName(name);
    if (dim > 0) {
      create.setVectorsConfig(VectorsConfig.newBuilder().setParamsMap(VectorParamsMap.newBuilder()
              .putMap(DENSE, VectorParams.newBuilder().setSize(dim).setDistance(Distance.Cosine)
                  .build())))
          .setSparseVectorsConfig(SparseVectorConfig.newBuilder().putMap(SPARSE,
              SparseVectorParams.newBuilder().setModifier(Modifier.Idf).build()));
    }
    return calls.ensure(create.build(), indexes).onSuccess(v -> known.add(name));
  }

  /** The namespace's collection, created with {@code dim} when missing; dim unknown: from the stamp. */
  Future<Void> ensureNamespace(String namespace, int dim) {
    if (known.contains(collection(namespace))) {
      return Future.succeededFuture();
    }
    Future<Integer> d = dim > 0 ? Future.succeededFuture(dim) : modelStamp().map(s -> {
      if (s == null) {
        throw new MemoryException(ErrorCode.INTERNAL, "STORE_NOT_STAMPED", "the Qdrant store at "
            + url + " has no model stamp yet, so the vector size of a new namespace is unknown");
      }
      return s.dimension();
    });
    return d.compose(n -> ensure(collection(namespace), n, MEMORY_INDEXES));
  }

  /** Whether the namespace has a collection (cached once seen). */
  Future<Boolean> hasNamespace(String namespace) {
    String name = collection(namespace);
    if (known.contains(name)) {
      return Future.succeededFuture(true);
    }
    return calls.call(() -> client.collectionExistsAsync(name)).onSuccess(e -> {
      if (e) {
        known.add(name);
      }
    });
  }

  /** The namespace collections: every collection under the prefix but the system ones. */
  Future<List<String>> namespaceCollections() {
    return calls.call(client::listCollectionsAsync).map(all -> all.stream()
        .filter(c -> c.startsWith(prefix) && c.length() > prefix.length()
            && c.charAt(prefix.length()) != '_')
        .sorted().toList());
  }

  // ---- model stamp (a point in the meta collection) ----

  Future<ModelStamp> modelStamp() {
    return calls.retrieve(meta(), List.of(META_POINT), false).map(points -> {
      if (points.isEmpty()) {
        return null;
      }
      Map<String, Value> p = points.get(0).getPayloadMap();
      return new ModelStamp(QdrantPayloads.str(p, "embedding_model"),
          (int) QdrantPayloads.lng(p, "embedding_dimension"));
    });
  }

  Future<Void> stampModel(ModelStamp stamp) {
    PointStruct point = PointStruct.newBuilder().setId(META_POINT)
        .putPayload("embedding_model", value(stamp.model()))
        .putPayload("embedding_dimension", value(stamp.dimension())).build();
    return calls.upsert(meta(), List.of(point));
  }
}
