package dev.memorymcp.storage.qdrant;

import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ValueFactory.value;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.memorymcp.bus.ErrorCode;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.storage.MemoryStore.Scored;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.ConditionFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.Direction;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.OrderBy;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Qdrant calls of {@link QdrantMemoryStore}: each returns a Vert.x future completed on the
 * caller's context (never on a gRPC thread), with transport failures turned into
 * MemoryExceptions that name the URL; plus the paging helpers (scroll all, order_by with ties).
 */
public final class QdrantCalls {
  /** Points read per scroll page. */
  static final int PAGE = 256;

  private final Vertx vertx;
  private final QdrantClient client;
  private final String url;
  private final Duration timeout;
  private volatile boolean closed;

  /** Calls over the client of {@link #connect}, or one on a test double's channel; {@code url} names it in errors. */
  public QdrantCalls(Vertx vertx, QdrantClient client, String url, Duration timeout) {
    this.vertx = vertx;
    this.client = client;
    this.url = url;
    this.timeout = timeout;
  }

  QdrantClient client() {
    return client;
  }

  Duration timeout() {
    return timeout;
  }

  public void close() {
    closed = true;
    client.close();
  }

  /**
   * Marks the events committed (the last step of a write). By filter, not by ids: Qdrant fails a
   * set_payload naming a point that does not exist, and only the pending ones need it.
   */
  Future<Void> commit(String collection, Collection<PointId> ids) {
    Filter pending = Filter.newBuilder().addMust(ConditionFactory.hasId(List.copyOf(ids)))
        .addMust(match("pending", true)).build();
    return call(() -> client.setPayloadAsync(SetPayloadPoints.newBuilder()
        .setCollectionName(collection).setWait(true).putPayload("pending", value(false))
        .setPointsSelector(PointsSelector.newBuilder().setFilter(pending)).build(), timeout))
        .mapEmpty();
  }

  /** A client for {@code url} (http://host:port of the gRPC API, https for TLS; port 6334 if absent). */
  public static QdrantClient connect(String url, String apiKey) {
    URI uri;
    try {
      uri = URI.create(url == null ? "" : url.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("qdrant.url is not a URL: '" + url + "'");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("qdrant.url must look like http://127.0.0.1:6334 (the gRPC "
          + "port), got '" + url + "'");
    }
    boolean tls = "https".equalsIgnoreCase(uri.getScheme());
    QdrantGrpcClient.Builder b = QdrantGrpcClient.newBuilder(uri.getHost(),
        uri.getPort() < 0 ? 6334 : uri.getPort(), tls, false).withTimeout(Duration.ofSeconds(30));
    if (apiKey != null && !apiKey.isBlank()) {
      b.withApiKey(apiKey);
    }
    return new QdrantClient(b.build());
  }

  /**
   * At least the first {@code limit + 1} payloads (when there are that many) in the order of
   * integer {@code key}, with every point tying with the last one included: Qdrant's order_by
   * sorts by one key and leaves the order of ties open, so the caller sorts and cuts.
   */
  public Future<List<Map<String, Value>>> ordered(String collection, Filter f, String key,
      Direction dir, int limit) {
    ScrollPoints req = ScrollPoints.newBuilder().setCollectionName(collection).setFilter(f)
        .setLimit(limit + 1).setWithPayload(WithPayloadSelectorFactory.enable(true))
        .setOrderBy(OrderBy.newBuilder().setKey(key).setDirection(dir)).build();
    return call(() -> client.scrollAsync(req, timeout)).compose(r -> {
      List<Map<String, Value>> got = r.getResultList().stream().map(RetrievedPoint::getPayloadMap)
          .toList();
      if (got.size() <= limit) {
        return Future.succeededFuture(got);
      }
      long boundary = QdrantPayloads.lng(got.get(limit), key);
      List<Map<String, Value>> head = got.stream()
          .filter(p -> QdrantPayloads.lng(p, key) != boundary).toList();
      Filter ties = f.toBuilder().addMust(match(key, boundary)).build();
      return scrollAll(collection, ties).map(tied -> {
        List<Map<String, Value>> out = new ArrayList<>(head);
        tied.forEach(p -> out.add(p.getPayloadMap()));
        return out;
      });
    });
  }

  /** One page of a scroll in point id order, and the offset of the next (null after the last page). */
  record ScrollPage(List<RetrievedPoint> points, PointId next) {}

  /** Up to {@code limit} points passing the filter from {@code offset} (null: the start), in id order. */
  Future<ScrollPage> scrollPage(String collection, Filter f, PointId offset, int limit) {
    ScrollPoints.Builder req = ScrollPoints.newBuilder().setCollectionName(collection).setFilter(f)
        .setLimit(limit).setWithPayload(WithPayloadSelectorFactory.enable(true));
    if (offset != null) {
      req.setOffset(offset);
    }
    return call(() -> client.scrollAsync(req.build(), timeout))
        .map(r -> new ScrollPage(r.getResultList(), r.hasNextPageOffset() ? r.getNextPageOffset() : null));
  }

  /** Every point passing the filter, page by page in id order. */
  Future<List<RetrievedPoint>> scrollAll(String collection, Filter f) {
    List<RetrievedPoint> out = new ArrayList<>();
    return scrollFrom(collection, f, null, out).map(v -> out);
  }

  Future<Void> scrollFrom(String collection, Filter f, PointId offset,
      List<RetrievedPoint> out) {
    ScrollPoints.Builder req = ScrollPoints.newBuilder().setCollectionName(collection).setFilter(f)
        .setLimit(PAGE).setWithPayload(WithPayloadSelectorFactory.enable(true));
    if (offset != null) {
      req.setOffset(offset);
    }
    return call(() -> client.scrollAsync(req.build(), timeout)).compose(r -> {
      out.addAll(r.getResultList());
      return r.hasNextPageOffset() ? scrollFrom(collection, f, r.getNextPageOffset(), out)
          : Future.succeededFuture();
    });
  }

  Future<List<Scored>> query(QueryPoints q) {
    QueryPoints req = q.toBuilder()
        .setWithPayload(WithPayloadSelectorFactory.include(List.of("id"))).build();
    return call(() -> client.queryAsync(req, timeout)).map(points -> {
      List<Scored> out = new ArrayList<>();
      for (ScoredPoint p : points) {
        out.add(new Scored(QdrantPayloads.str(p.getPayloadMap(), "id"), p.getScore()));
      }
      return out;
    });
  }

  public Future<List<RetrievedPoint>> retrieve(String collection, List<PointId> ids,
      boolean withVectors) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    GetPoints req = GetPoints.newBuilder().setCollectionName(collection).addAllIds(ids)
        .setWithPayload(WithPayloadSelectorFactory.enable(true))
        .setWithVectors(withVectors ? WithVectorsSelectorFactory.include(List.of(QdrantCollections.DENSE))
            : WithVectorsSelectorFactory.enable(false)).build();
    return call(() -> client.retrieveAsync(req, timeout));
  }

  public Future<Void> upsert(String collection, List<PointStruct> points) {
    return call(() -> client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(collection)
        .setWait(true).addAllPoints(points).build(), timeout)).mapEmpty();
  }

  /**
   * A conditional upsert (Qdrant 1.17+): under {@code mode}, and for existing points only when
   * they pass {@code onlyIf} (null: no condition). Qdrant does not say which points it wrote, so
   * callers read them back.
   */
  public Future<Void> upsert(String collection, List<PointStruct> points, UpdateMode mode, Filter onlyIf) {
    UpsertPoints.Builder req = UpsertPoints.newBuilder().setCollectionName(collection).setWait(true)
        .addAllPoints(points).setUpdateMode(mode);
    if (onlyIf != null) {
      req.setUpdateFilter(onlyIf);
    }
    return call(() -> client.upsertAsync(req.build(), timeout)).mapEmpty();
  }

  /** The exact number of points passing the filter. */
  public Future<Long> count(String collection, Filter f) {
    return call(() -> client.countAsync(collection, f, true, timeout));
  }

  /**
   * Creates the collection when missing, then its payload indexes; when another process created
   * it meanwhile, that one is used.
   */
  public Future<Void> ensure(CreateCollection create, Map<String, FieldType> indexes) {
    String name = create.getCollectionName();
    return call(() -> client.collectionExistsAsync(name)).compose(exists -> exists ? Future.succeededFuture()
        : call(() -> client.createCollectionAsync(create))
            .<Void>mapEmpty()
            .recover(err -> call(() -> client.collectionExistsAsync(name))
                .compose(now -> now ? Future.succeededFuture() : Future.failedFuture(err)))
            .compose(v -> indexes(name, new ArrayList<>(indexes.entrySet()), 0)));
  }

  private Future<Void> indexes(String name, List<Map.Entry<String, FieldType>> todo, int i) {
    if (i == todo.size()) {
      return Future.succeededFuture();
    }
    Map.Entry<String, FieldType> e = todo.get(i);
    return call(() -> client.createPayloadIndexAsync(CreateFieldIndexCollection.newBuilder()
        .setCollectionName(name).setWait(true).setFieldName(e.getKey()).setFieldType(e.getValue())
        .build(), timeout)).compose(r -> indexes(name, todo, i + 1));
  }

  Future<Void> deleteIds(String collection, List<PointId> ids) {
    return call(() -> client.deleteAsync(DeletePoints.newBuilder().setCollectionName(collection)
        .setWait(true).setPoints(PointsSelector.newBuilder()
            .setPoints(PointsIdsList.newBuilder().addAllIds(ids))).build(), timeout)).mapEmpty();
  }

  Future<Void> deleteWhere(String collection, Filter f) {
    return call(() -> client.deleteAsync(DeletePoints.newBuilder().setCollectionName(collection)
        .setWait(true).setPoints(PointsSelector.newBuilder().setFilter(f)).build(), timeout))
        .mapEmpty();
  }

  /**
   * Calls the client and completes on the Vert.x context of the caller (never on a gRPC thread);
   * transport failures become MemoryExceptions naming the URL.
   */
  public <T> Future<T> call(Supplier<ListenableFuture<T>> op) {
    if (closed) {
      return Future.failedFuture(new MemoryException(ErrorCode.UNAVAILABLE, "STORE_UNAVAILABLE",
          "the store is not open"));
    }
    Context ctx = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    ListenableFuture<T> lf;
    try {
      lf = op.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(translate(e));
    }
    Futures.addCallback(lf, new FutureCallback<T>() {
      @Override
      public void onSuccess(T result) {
        ctx.runOnContext(v -> promise.complete(result));
      }

      @Override
      public void onFailure(Throwable t) {
        Throwable err = translate(t);
        ctx.runOnContext(v -> promise.fail(err));
      }
    }, MoreExecutors.directExecutor());
    return promise.future();
  }

  Throwable translate(Throwable t) {
    Throwable cause = t;
    while (cause != null && !(cause instanceof StatusRuntimeException)) {
      cause = cause.getCause();
    }
    if (!(cause instanceof StatusRuntimeException se)) {
      return t;
    }
    Status.Code code = se.getStatus().getCode();
    if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
      return new MemoryException(ErrorCode.UNAVAILABLE, "STORE_UNAVAILABLE", "Qdrant at " + url
          + " is unreachable (" + code + ": " + se.getStatus().getDescription() + ")");
    }
    if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED) {
      return new MemoryException(ErrorCode.UNAVAILABLE, "STORE_UNAVAILABLE", "Qdrant at " + url
          + " refused the API key (" + code + "): check qdrant.api_key");
    }
    return se;
  }
}
