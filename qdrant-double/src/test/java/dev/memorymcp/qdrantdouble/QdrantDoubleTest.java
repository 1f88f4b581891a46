package dev.memorymcp.qdrantdouble;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.isEmpty;
import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.matchText;
import static io.qdrant.client.ConditionFactory.range;
import static io.qdrant.client.ValueFactory.list;
import static io.qdrant.client.ValueFactory.nullValue;
import static io.qdrant.client.ValueFactory.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.QueryFactory;
import io.qdrant.client.VectorFactory;
import io.qdrant.client.VectorOutputHelper;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.Modifier;
import io.qdrant.client.grpc.Collections.SparseVectorConfig;
import io.qdrant.client.grpc.Collections.SparseVectorParams;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.Direction;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.OrderBy;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The double's own semantics, through the official client, where they are not trivial. */
@DisplayName("QdrantDouble (a test double of Qdrant): filters, scroll, order_by, query, errors")
class QdrantDoubleTest {
  private QdrantDouble qdrant;
  private QdrantClient client;

  @BeforeEach
  void start() throws Exception {
    qdrant = QdrantDouble.inProcess();
    client = new QdrantClient(QdrantGrpcClient.newBuilder(qdrant.channel(), true, true).build());
    client.createCollectionAsync(CreateCollection.newBuilder().setCollectionName("c")
        .setVectorsConfig(VectorsConfig.newBuilder().setParamsMap(VectorParamsMap.newBuilder()
            .putMap("dense", VectorParams.newBuilder().setSize(2).setDistance(Distance.Cosine)
                .build())))
        .setSparseVectorsConfig(SparseVectorConfig.newBuilder().putMap("kw",
            SparseVectorParams.newBuilder().setModifier(Modifier.Idf).build()))
        .build()).get();
  }

  @AfterEach
  void stop() {
    client.close();
    qdrant.close();
  }

  private void put(long id, Map<String, Value> payload) throws Exception {
    client.upsertAsync("c", List.of(PointStruct.newBuilder().setId(PointIdFactory.id(id))
        .putAllPayload(payload).build())).get();
  }

  private List<Long> ids(Filter f) throws Exception {
    List<Long> out = new ArrayList<>();
    client.scrollAsync(ScrollPoints.newBuilder().setCollectionName("c").setFilter(f)
        .setLimit(100).build()).get().getResultList().forEach(p -> out.add(p.getId().getNum()));
    return out;
  }

  private static Status.Code code(Throwable t) {
    Throwable c = t instanceof ExecutionException ? t.getCause() : t;
    assertThat(c).isInstanceOf(StatusRuntimeException.class);
    return ((StatusRuntimeException) c).getStatus().getCode();
  }

  @Test
  @DisplayName("filters: must / should / must_not, arrays match any element, missing fields")
  void filters() throws Exception {
    put(1, Map.of("tags", list(List.of(value("a"), value("b"))), "n", value(5), "t", value("x")));
    put(2, Map.of("tags", list(List.of(value("a"))), "n", value(2.5), "e", nullValue()));
    put(3, Map.of("tags", list(List.of()), "t", value("y")));

    Filter aAndB = Filter.newBuilder().addMust(matchKeyword("tags", "a"))
        .addMust(matchKeyword("tags", "b")).build();
    assertThat(ids(aAndB)).containsExactly(1L);
    assertThat(ids(Filter.newBuilder().addMust(matchKeywords("t", List.of("x", "y"))).build()))
        .containsExactly(1L, 3L);
    assertThat(ids(Filter.newBuilder().addMustNot(matchKeyword("t", "x")).build()))
        .containsExactly(2L, 3L);
    assertThat(ids(Filter.newBuilder().addMust(range("n", Range.newBuilder().setGte(2.5)
        .setLt(5).build())).build())).containsExactly(2L);
    assertThat(ids(Filter.newBuilder().addMust(match("n", 5)).build())).containsExactly(1L);
    assertThat(ids(Filter.newBuilder().addMust(isEmpty("tags")).build())).containsExactly(3L);
    assertThat(ids(Filter.newBuilder().addMust(isEmpty("e")).build())).containsExactly(1L, 2L, 3L);
    assertThat(ids(Filter.newBuilder().addMust(io.qdrant.client.ConditionFactory.isNull("e")).build()))
        .containsExactly(2L);
    Filter nested = Filter.newBuilder().addMust(filter(Filter.newBuilder()
        .addShould(isEmpty("t")).addShould(matchKeyword("t", "y")).build())).build();
    assertThat(ids(nested)).containsExactly(2L, 3L);
    Throwable text = catchThrowable(() -> ids(Filter.newBuilder()
        .addMust(matchText("t", "x")).build()));
    assertThat(code(text)).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(text).hasMessageContaining("TEXT");
  }

  @Test
  @DisplayName("scroll pages in id order with offset and next_page_offset")
  void scrollPages() throws Exception {
    for (long i = 10; i >= 1; i--) {
      put(i, Map.of("odd", value(i % 2 == 1)));
    }
    Filter odd = Filter.newBuilder().addMust(match("odd", true)).build();
    ScrollResponse first = client.scrollAsync(ScrollPoints.newBuilder().setCollectionName("c")
        .setFilter(odd).setLimit(2).build()).get();
    assertThat(first.getResultList()).extracting(p -> p.getId().getNum()).containsExactly(1L, 3L);
    assertThat(first.getNextPageOffset().getNum()).isEqualTo(5);
    ScrollResponse last = client.scrollAsync(ScrollPoints.newBuilder().setCollectionName("c")
        .setFilter(odd).setLimit(3).setOffset(first.getNextPageOffset()).build()).get();
    assertThat(last.getResultList()).extracting(p -> p.getId().getNum())
        .containsExactly(5L, 7L, 9L);
    assertThat(last.hasNextPageOffset()).isFalse();
  }

  @Test
  @DisplayName("order_by needs a range index, skips points without the key, forbids offset")
  void orderBy() throws Exception {
    put(1, Map.of("at", value(20)));
    put(2, Map.of("at", value(10)));
    put(3, Map.of("at", value(20)));
    put(4, Map.of("other", value(1)));
    ScrollPoints byAt = ScrollPoints.newBuilder().setCollectionName("c").setLimit(10)
        .setOrderBy(OrderBy.newBuilder().setKey("at").setDirection(Direction.Desc)).build();

    assertThat(code(catchThrowable(() -> client.scrollAsync(byAt).get())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    client.createPayloadIndexAsync("c", "at", io.qdrant.client.grpc.Collections.PayloadSchemaType
        .Integer, null, true, null, null).get();

    List<RetrievedPoint> got = client.scrollAsync(byAt).get().getResultList();
    assertThat(got).extracting(p -> p.getId().getNum()).containsExactly(1L, 3L, 2L);
    assertThat(code(catchThrowable(() -> client.scrollAsync(byAt.toBuilder()
        .setOffset(PointIdFactory.id(1)).build()).get()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(FieldType.FieldTypeInteger).isNotNull();
  }

  @Test
  @DisplayName("sparse query: dot product weighted by IDF over points having the vector")
  void sparseIdf() throws Exception {
    // index 7 is in all three points, index 9 in one
    upsertSparse(1, new int[] {7, 9}, new float[] {1f, 2f});
    upsertSparse(2, new int[] {7}, new float[] {1f});
    upsertSparse(3, new int[] {7, 8}, new float[] {0.5f, 1f});
    List<ScoredPoint> hits = client.queryAsync(QueryPoints.newBuilder().setCollectionName("c")
        .setUsing("kw").setQuery(QueryFactory.nearest(List.of(1f, 1f), List.of(7, 9))).build())
        .get();
    double idf7 = Math.log((3 - 3 + 0.5) / (3 + 0.5) + 1);
    double idf9 = Math.log((3 - 1 + 0.5) / (1 + 0.5) + 1);
    assertThat(hits).extracting(p -> p.getId().getNum()).containsExactly(1L, 2L, 3L);
    assertThat(hits.get(0).getScore()).isCloseTo((float) (idf7 + 2 * idf9), within(1e-5f));
    assertThat(hits.get(2).getScore()).isCloseTo((float) (0.5 * idf7), within(1e-5f));
    List<ScoredPoint> none = client.queryAsync(QueryPoints.newBuilder().setCollectionName("c")
        .setUsing("kw").setQuery(QueryFactory.nearest(List.of(1f), List.of(42))).build()).get();
    assertThat(none).isEmpty();
  }

  private void upsertSparse(long id, int[] idx, float[] vals) throws Exception {
    List<Integer> i = new ArrayList<>();
    List<Float> v = new ArrayList<>();
    for (int k = 0; k < idx.length; k++) {
      i.add(idx[k]);
      v.add(vals[k]);
    }
    client.upsertAsync("c", List.of(PointStruct.newBuilder().setId(PointIdFactory.id(id))
        .setVectors(VectorsFactory.namedVectors(Map.of("kw", VectorFactory.vector(v, i))))
        .build())).get();
  }

  @Test
  @DisplayName("cosine vectors are stored normalised; wrong sizes and names are refused")
  void denseCosine() throws Exception {
    client.upsertAsync("c", List.of(PointStruct.newBuilder().setId(PointIdFactory.id(1))
        .setVectors(VectorsFactory.namedVectors(Map.of("dense", VectorFactory.vector(3f, 4f))))
        .build())).get();
    RetrievedPoint p = client.retrieveAsync("c", List.of(PointIdFactory.id(1)),
        WithPayloadSelectorFactory.enable(true), WithVectorsSelectorFactory.enable(true), null)
        .get().get(0);
    assertThat(VectorOutputHelper.getDenseVector(p.getVectors().getVectors().getVectorsMap()
        .get("dense")).getDataList()).containsExactly(0.6f, 0.8f);
    List<ScoredPoint> hits = client.queryAsync(QueryPoints.newBuilder().setCollectionName("c")
        .setUsing("dense").setQuery(QueryFactory.nearest(1f, 0f)).build()).get();
    assertThat(hits.get(0).getScore()).isCloseTo(0.6f, within(1e-6f));

    Map<String, Vector> wrongSize = Map.of("dense", VectorFactory.vector(1f, 2f, 3f));
    assertThat(code(catchThrowable(() -> client.upsertAsync("c", List.of(PointStruct.newBuilder()
        .setId(PointIdFactory.id(2)).setVectors(VectorsFactory.namedVectors(wrongSize)).build()))
        .get()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(catchThrowable(() -> client.upsertAsync("missing", List.of(PointStruct
        .newBuilder().setId(PointIdFactory.id(2)).build())).get())))
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  @DisplayName("unmodelled calls and options fail loudly with UNIMPLEMENTED")
  void unimplementedIsLoud() {
    Throwable prefetch = catchThrowable(() -> client.queryAsync(QueryPoints.newBuilder()
        .setCollectionName("c").addPrefetch(io.qdrant.client.grpc.Points.PrefetchQuery
            .newBuilder()).setQuery(QueryFactory.nearest(1f, 0f)).build()).get());
    assertThat(code(prefetch)).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(prefetch).hasMessageContaining("prefetch");
    Throwable info = catchThrowable(() -> client.getCollectionInfoAsync("c").get());
    assertThat(code(info)).isEqualTo(Status.Code.UNIMPLEMENTED);
  }

  @Test
  @DisplayName("an API key, when set, is required")
  void apiKey() throws Exception {
    try (QdrantDouble secured = QdrantDouble.inProcess("secret")) {
      QdrantClient anonymous = new QdrantClient(QdrantGrpcClient.newBuilder(secured.channel(),
          true, false).build());
      assertThat(code(catchThrowable(() -> anonymous.listCollectionsAsync().get())))
          .isEqualTo(Status.Code.UNAUTHENTICATED);
      anonymous.close();
      QdrantClient keyed = new QdrantClient(QdrantGrpcClient.newBuilder(secured.channel(),
          true, false).withApiKey("secret").withTimeout(Duration.ofSeconds(5)).build());
      assertThat(keyed.listCollectionsAsync().get()).isEmpty();
      keyed.close();
    }
  }

  private void upsert(UpsertPoints.Builder req, long id, long version) throws Exception {
    client.upsertAsync(req.setCollectionName("c").setWait(true).addPoints(PointStruct.newBuilder()
        .setId(PointIdFactory.id(id)).putPayload("v", value(version))).build()).get();
  }

  private long version(long id) throws Exception {
    List<RetrievedPoint> got = client.retrieveAsync("c", PointIdFactory.id(id), null).get();
    return got.isEmpty() ? -1 : got.get(0).getPayloadMap().get("v").getIntegerValue();
  }

  @Test
  @DisplayName("conditional upsert: update_filter is compare-and-set, update_mode insert_only / update_only")
  void conditionalUpsert() throws Exception {
    upsert(UpsertPoints.newBuilder().setUpdateMode(UpdateMode.InsertOnly), 1, 1);
    upsert(UpsertPoints.newBuilder().setUpdateMode(UpdateMode.InsertOnly), 1, 9); // exists: kept
    assertThat(version(1)).isEqualTo(1);
    Filter atOne = Filter.newBuilder().addMust(match("v", 1)).build();
    upsert(UpsertPoints.newBuilder().setUpdateMode(UpdateMode.UpdateOnly).setUpdateFilter(atOne), 1, 2);
    assertThat(version(1)).isEqualTo(2);
    upsert(UpsertPoints.newBuilder().setUpdateMode(UpdateMode.UpdateOnly).setUpdateFilter(atOne), 1, 3);
    assertThat(version(1)).as("the second writer at the same version loses").isEqualTo(2);
    upsert(UpsertPoints.newBuilder().setUpdateMode(UpdateMode.UpdateOnly), 2, 1);
    assertThat(version(2)).as("update_only never inserts").isEqualTo(-1);
    upsert(UpsertPoints.newBuilder().setUpdateFilter(atOne), 2, 1);
    assertThat(version(2)).as("the default mode inserts a new point whatever the filter").isEqualTo(1);
    upsert(UpsertPoints.newBuilder().setUpdateFilter(Filter.newBuilder().addMust(match("v", 7)).build()), 2, 5);
    assertThat(version(2)).isEqualTo(1);
  }

  @Test
  @DisplayName("set_payload by ids needs every point to exist; delete by ids ignores missing ones")
  void setPayloadAndDeleteByIds() throws Exception {
    put(1, Map.of("a", value(1)));
    Throwable missing = catchThrowable(() -> client.setPayloadAsync("c", Map.of("b", value(2)),
        List.of(PointIdFactory.id(1), PointIdFactory.id(2)), true, null, null).get());
    assertThat(code(missing)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(client.retrieveAsync("c", PointIdFactory.id(1), null).get().get(0)
        .getPayloadMap()).containsOnlyKeys("a");

    client.setPayloadAsync("c", Map.of("b", value(2)), List.of(PointIdFactory.id(1)), true, null,
        null).get();
    assertThat(client.retrieveAsync("c", PointIdFactory.id(1), null).get().get(0)
        .getPayloadMap()).containsOnlyKeys("a", "b");
    client.deleteAsync("c", List.of(PointIdFactory.id(1), PointIdFactory.id(7))).get();
    assertThat(client.countAsync("c").get()).isZero();
  }

  @Test
  @DisplayName("collection names with characters Qdrant forbids are refused; duplicates too")
  void collectionNames() throws Exception {
    Throwable bad = catchThrowable(() -> client.createCollectionAsync(CreateCollection.newBuilder()
        .setCollectionName("a/b").build()).get());
    assertThat(code(bad)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    Throwable dup = catchThrowable(() -> client.createCollectionAsync(CreateCollection.newBuilder()
        .setCollectionName("c").build()).get());
    assertThat(code(dup)).isEqualTo(Status.Code.ALREADY_EXISTS);
    client.createCollectionAsync(CreateCollection.newBuilder().setCollectionName("memory_x.y-z")
        .build()).get();
    assertThat(client.listCollectionsAsync().get()).containsExactly("c", "memory_x.y-z");
    assertThat(qdrant.collectionCount()).isEqualTo(2);
  }
}
