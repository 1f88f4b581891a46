package dev.memorymcp.qdrantdouble;

import static dev.memorymcp.qdrantdouble.DoubleCollections.reply;
import static dev.memorymcp.qdrantdouble.DoubleState.invalid;
import static dev.memorymcp.qdrantdouble.DoubleState.unimplemented;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.Modifier;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CountResponse;
import io.qdrant.client.grpc.Points.CountResult;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.Direction;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.GetResponse;
import io.qdrant.client.grpc.Points.NamedVectorsOutput;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.SparseVector;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorInput;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.VectorsOutput;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import io.qdrant.client.grpc.PointsGrpc;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The double's Points service, with Qdrant's documented semantics:
 * <ul>
 *   <li>upsert replaces whole points (payload and all vectors); cosine vectors are normalised on
 *   the way in, as Qdrant stores them; a dense vector of the wrong size is INVALID_ARGUMENT;
 *   every write is applied before the reply, whatever {@code wait} says (reported Completed or
 *   Acknowledged accordingly);</li>
 *   <li>delete by ids (missing ones ignored) or by filter; set_payload merges keys into the
 *   selected points (by ids, a missing one is NOT_FOUND and nothing changes);
 *   create_field_index records the index type (order_by needs an integer or float index);</li>
 *   <li>get and scroll return points in id order, with their payload unless a selector says
 *   otherwise (query returns none unless asked); scroll pages with {@code offset} (the first id
 *   of the page) and returns the next page's first id; with {@code order_by} it sorts by that
 *   payload key (points without it left out, ties in id order), forbids {@code offset} as Qdrant
 *   does, and returns no next offset;</li>
 *   <li>query: nearest to a dense vector (cosine: dot product of normalised vectors) or a sparse
 *   vector (dot product over shared indices, each multiplied by the IDF
 *   ln((N - n + 0.5) / (n + 0.5) + 1) when the vector has the IDF modifier, N = points having that
 *   sparse vector, n = those having the index; only points sharing an index are returned), best
 *   first, ties in id order, filtered, with limit, offset and score_threshold;</li>
 *   <li>count, exact, with a filter.</li>
 * </ul>
 */
final class DoublePoints extends PointsGrpc.PointsImplBase {
  private final DoubleState state;

  DoublePoints(DoubleState state) {
    this.state = state;
  }

  private static PointsOperationResponse done(DoubleState.Coll c, boolean wait) {
    return PointsOperationResponse.newBuilder().setResult(UpdateResult.newBuilder()
        .setOperationId(++c.operations)
        .setStatus(wait ? UpdateStatus.Completed : UpdateStatus.Acknowledged)).build();
  }

  @Override
  public void upsert(UpsertPoints req, StreamObserver<PointsOperationResponse> out) {
    reply(out, () -> {
      DoubleState.Coll c = state.get(req.getCollectionName());
      if (req.hasOrdering() || req.hasShardKeySelector()) {
        throw unimplemented("upsert ordering or shard keys");
      }
      UpdateMode mode = req.hasUpdateMode() ? req.getUpdateMode() : UpdateMode.Upsert;
      if (mode == UpdateMode.UNRECOGNIZED) {
        throw invalid("unknown update_mode");
      }
      synchronized (c) {
        List<DoubleState.Point> points = new ArrayList<>();
        for (PointStruct ps : req.getPointsList()) {
          points.add(point(c, ps)); // all validated before any is stored
        }
        points.forEach(p -> {
          if (applies(c.points.get(DoubleState.key(p.id)), mode, req)) {
            p.version = c.operations + 1;
            c.points.put(DoubleState.key(p.id), p);
          }
        });
        return done(c, req.getWait());
      }
    });
  }

  /**
   * Qdrant's conditional upsert (1.17+): a new point is written unless the mode is update_only;
   * an existing one is left alone under insert_only, and otherwise replaced only when it passes
   * the update_filter (no filter: always). Judged point by point inside the collection's lock, as
   * Qdrant judges them against the shard's state before the operation reaches its WAL.
   */
  private static boolean applies(DoubleState.Point existing, UpdateMode mode, UpsertPoints req) {
    if (existing == null) {
      return mode != UpdateMode.UpdateOnly;
    }
    if (mode == UpdateMode.InsertOnly) {
      return false;
    }
    return !req.hasUpdateFilter() || DoubleFilters.test(req.getUpdateFilter(), existing.id, existing.payload);
  }

  private static DoubleState.Point point(DoubleState.Coll c, PointStruct ps) {
    DoubleState.key(ps.getId());
    DoubleState.Point p = new DoubleState.Point(ps.getId());
    p.payload = new LinkedHashMap<>(ps.getPayloadMap());
    if (ps.hasVectors()) {
      if (!ps.getVectors().hasVectors()) {
        throw unimplemented("unnamed vectors (the double models named vectors only)");
      }
      for (Map.Entry<String, Vector> e : ps.getVectors().getVectors().getVectorsMap().entrySet()) {
        Vector v = e.getValue();
        DoubleState.Dense dense = c.dense.get(e.getKey());
        if (dense != null) {
          List<Float> data = v.hasDense() ? v.getDense().getDataList() : v.getDataList();
          if (v.hasSparse() || v.hasIndices() || v.hasMultiDense()) {
            throw invalid("vector `" + e.getKey() + "` is dense");
          }
          if (data.size() != dense.size()) {
            throw invalid("Vector dimension error: expected dim: " + dense.size() + ", got "
                + data.size());
          }
          p.dense.put(e.getKey(), store(data, dense.distance()));
        } else if (c.sparse.containsKey(e.getKey())) {
          List<Integer> idx = v.hasSparse() ? v.getSparse().getIndicesList()
              : v.getIndices().getDataList();
          List<Float> vals = v.hasSparse() ? v.getSparse().getValuesList() : v.getDataList();
          if (idx.size() != vals.size() || Set.copyOf(idx).size() != idx.size()) {
            throw invalid("sparse vector `" + e.getKey() + "` must have unique indices, one per value");
          }
          int[] i = idx.stream().mapToInt(Integer::intValue).toArray();
          float[] x = new float[vals.size()];
          for (int k = 0; k < x.length; k++) {
            x[k] = vals.get(k);
          }
          p.sparse.put(e.getKey(), new DoubleState.Sparse(i, x));
        } else {
          throw invalid("Not existing vector name error: " + e.getKey());
        }
      }
    }
    return p;
  }

  private static float[] store(List<Float> data, Distance distance) {
    float[] v = new float[data.size()];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = data.get(i);
      norm += (double) v[i] * v[i];
    }
    if (distance == Distance.Cosine && norm > 0) {
      float n = (float) Math.sqrt(norm);
      for (int i = 0; i < v.length; i++) {
        v[i] = v[i] / n;
      }
    }
    return v;
  }

  @Override
  public void delete(DeletePoints req, StreamObserver<PointsOperationResponse> out) {
    reply(out, () -> {
      DoubleState.Coll c = state.get(req.getCollectionName());
      synchronized (c) {
        selected(c, req.getPoints()).forEach(p -> c.points.remove(DoubleState.key(p.id)));
        return done(c, req.getWait());
      }
    });
  }

  private static List<DoubleState.Point> selected(DoubleState.Coll c, PointsSelector s) {
    if (s.hasPoints()) {
      return s.getPoints().getIdsList().stream().map(id -> c.points.get(DoubleState.key(id)))
          .filter(p -> p != null).toList();
    }
    if (s.hasFilter()) {
      return c.points.values().stream()
          .filter(p -> DoubleFilters.test(s.getFilter(), p.id, p.payload)).toList();
    }
    throw invalid("points selector is empty");
  }

  @Override
  public void setPayload(SetPayloadPoints req, StreamObserver<PointsOperationResponse> out) {
    reply(out, () -> {
      DoubleState.Coll c = state.get(req.getCollectionName());
      if (req.hasKey()) {
        throw unimplemented("set_payload with a key (nested payload)");
      }
      synchronized (c) {
        if (req.getPointsSelector().hasPoints()) { // by ids, every one must exist (as in Qdrant)
          for (PointId id : req.getPointsSelector().getPoints().getIdsList()) {
            if (!c.points.containsKey(DoubleState.key(id))) {
              throw io.grpc.Status.NOT_FOUND.withDescription("No point with id "
                  + (id.hasUuid() ? id.getUuid() : String.valueOf(id.getNum())) + " found")
                  .asRuntimeException();
            }
          }
        }
        for (DoubleState.Point p : selected(c, req.getPointsSelector())) {
          p.payload.putAll(req.getPayloadMap());
          p.version = c.operations + 1;
        }
        return done(c, req.getWait());
      }
    });
  }

  @Override
  public void createFieldIndex(CreateFieldIndexCollection req,
      StreamObserver<PointsOperationResponse> out) {
    reply(out, () -> {
      DoubleState.Coll c = state.get(req.getCollectionName());
      if (req.hasFieldIndexParams()) {
        throw unimplemented("payload index parameters (tokenizers, ...)");
      }
      c.indexes.put(req.getFieldName(), req.getFieldType());
      synchronized (c) {
        return done(c, req.getWait());
      }
    });
  }

  @Override
  public void get(GetPoints req, StreamObserver<GetResponse> out) {
    reply(out, () -> {
      DoubleState.Coll c = state.get(req.getCollectionName());
      synchronized (c) {
        GetResponse.Builder b = GetResponse.newBuilder();
        for (PointId id : req.getIdsList()) {
          DoubleState.Point p = c.points.get(DoubleState.key(id));
          if (p != null) {
            b.addResult(retrieved(p, payloadOrAll(req.hasWithPayload(), req.getWithPayload()),
                req.hasWithVectors() ? req.getWithVectors() : null));
          }
        }
        return b.build();
      }
    });
  }

  private static RetrievedPoint retrieved(DoubleState.Point p, WithPayloadSelector payload,
      WithVectorsSelector vectors) {
    RetrievedPoint.Builder b = RetrievedPoint.newBuilder().setId(p.id)
        .putAllPayload(payload(p, payload));
    VectorsOutput v = vectors(p, vectors);
    if (v != null) {
      b.setVectors(v);
    }
    return b.build();
  }

  /** Get and scroll return the payload unless told otherwise; query returns none by default. */
  private static WithPayloadSelector payloadOrAll(boolean given, WithPayloadSelector s) {
    return given ? s : WithPayloadSelector.newBuilder().setEnable(true).build();
  }

  private static Map<String, Value> payload(DoubleState.Point p, WithPayloadSelector s) {
    if (s == null) {
      return Map.of();
    }
    switch (s.getSelectorOptionsCase()) {
      case ENABLE:
        return s.getEnable() ? p.payload : Map.of();
      case INCLUDE: {
        Map<String, Value> out = new LinkedHashMap<>();
        s.getInclude().getFieldsList().forEach(f -> {
          if (p.payload.containsKey(f)) {
            out.put(f, p.payload.get(f));
          }
        });
        return out;
      }
      case EXCLUDE: {
        Map<String, Value> out = new LinkedHashMap<>(p.payload);
        s.getExclude().getFieldsList().forEach(out::remove);
        return out;
      }
      default:
        return Map.of();
    }
  }

  private static VectorsOutput vectors(DoubleState.Point p, WithVectorsSelector s) {
    if (s == null || s.hasEnable() && !s.getEnable()
        || s.getSelectorOptionsCase() == WithVectorsSelector.SelectorOptionsCase.SELECTOROPTIONS_NOT_SET) {
      return null;
    }
    List<String> names = s.hasInclude() ? s.getInclude().getNamesList() : null;
    NamedVectorsOutput.Builder b = NamedVectorsOutput.newBuilder();
    p.dense.forEach((name, v) -> {
      if (names == null || names.contains(name)) {
        DenseVector.Builder d = DenseVector.newBuilder();
        for (float x : v) {
          d.addData(x);
        }
        b.putVectors(name, VectorOutput.newBuilder().setDense(d).build());
      }
    });
    p.sparse.forEach((name, v) -> {
      if (names == null || names.contains(name)) {
        SparseVector.Builder sv = SparseVector.newBuilder();
        for (int i = 0; i < v.indices().length; i++) {
          sv.addIndices(v.indices()[i]).addValues(v.values()[i]);
        }
        b.putVectors(name, VectorOutput.newBuilder().setSparse(sv).build());
      }
    });
    return VectorsOutput.newBuilder().setVectors(b).build();
  }

  private static boolean passes(Filter f, DoubleState.Point p) {
    return f == null || DoubleFilters.test(f, p.id, p.payload);
  }

  @Override
  public void scroll(ScrollPoints req, StreamObserver<ScrollResponse> out) {
    reply(out, () -> {
      DoubleState.Coll c = state.get(req.getCollectionName());
      if (req.hasShardKeySelector()) {
        throw unimplemented("shard keys");
      }
      int limit = req.hasLimit() ? req.getLimit() : 10;
      Filter f = req.hasFilter() ? req.getFilter() : null;
      synchronized (c) {
        ScrollResponse.Builder b = ScrollResponse.newBuilder();
        if (req.hasOrderBy()) {
          if (req.hasOffset()) {
            throw invalid("Cannot use an `offset` when using `order_by`");
          }
          if (req.getOrderBy().hasStartFrom()) {
            throw unimplemented("order_by start_from");
          }
          String key = req.getOrderBy().getKey();
          FieldType type = c.indexes.get(key);
          if (type != FieldType.FieldTypeInteger && type != FieldType.FieldTypeFloat) {
            throw invalid("No range index for `order_by` key: `" + key + "`. Please create one "
                + "to use `order_by`. Check https://qdrant.tech/documentation/concepts/indexing/"
                + "#payload-index to see which payload schemas support Range conditions");
          }
          Comparator<DoubleState.Point> byValue = Comparator.comparingDouble(p -> number(p, key));
          if (req.getOrderBy().getDirection() == Direction.Desc) {
            byValue = byValue.reversed();
          }
          c.points.values().stream().filter(p -> number(p, key) != null && passes(f, p))
              .sorted(byValue.thenComparing(p -> DoubleState.key(p.id))).limit(limit)
              .forEach(p -> b.addResult(retrieved(p,
                  payloadOrAll(req.hasWithPayload(), req.getWithPayload()),
                  req.hasWithVectors() ? req.getWithVectors() : null)));
          return b.build();
        }
        String from = req.hasOffset() ? DoubleState.key(req.getOffset()) : null;
        List<DoubleState.Point> page = new ArrayList<>();
        for (DoubleState.Point p : (from == null ? c.points : c.points.tailMap(from, true))
            .values()) {
          if (!passes(f, p)) {
            continue;
          }
          if (page.size() == limit) {
            b.setNextPageOffset(p.id);
            break;
          }
          page.add(p);
        }
        page.forEach(p -> b.addResult(retrieved(p,
            payloadOrAll(req.hasWithPayload(), req.getWithPayload()),
            req.hasWithVectors() ? req.getWithVectors() : null)));
        return b.build();
      }
    });
  }

  /** A single numeric payload value, or null (arrays are not modelled for order_by). */
  private static Double number(DoubleState.Point p, String key) {
    Value v = p.payload.get(key);
    if (v == null) {
      return null;
    }
    if (v.hasListValue()) {
      throw unimplemented("order_by over array values (" + key + ")");
    }
    return v.hasIntegerValue() ? (double) v.getIntegerValue()
        : v.hasDoubleValue() ? v.getDoubleValue() : null;
  }

  @Override
  public void count(CountPoints req, StreamObserver<CountResponse> out) {
    reply(out, () -> {
      DoubleState.Coll c = state.get(req.getCollectionName());
      Filter f = req.hasFilter() ? req.getFilter() : null;
      synchronized (c) {
        long n = c.points.values().stream().filter(p -> passes(f, p)).count();
        return CountResponse.newBuilder().setResult(CountResult.newBuilder().setCount(n)).build();
      }
    });
  }

  @Override
  public void query(QueryPoints req, StreamObserver<QueryResponse> out) {
    reply(out, () -> {
      DoubleState.Coll c = state.get(req.getCollectionName());
      if (req.getPrefetchCount() > 0) {
        throw unimplemented("query prefetch");
      }
      if (!req.hasQuery() || !req.getQuery().hasNearest()) {
        throw unimplemented("query variants other than nearest (got "
            + (req.hasQuery() ? req.getQuery().getVariantCase() : "none") + ")");
      }
      if (req.hasLookupFrom() || req.hasShardKeySelector()) {
        throw unimplemented("lookup_from or shard keys");
      }
      VectorInput in = req.getQuery().getNearest();
      String using = req.hasUsing() ? req.getUsing() : "";
      Filter f = req.hasFilter() ? req.getFilter() : null;
      long limit = req.hasLimit() ? req.getLimit() : 10;
      synchronized (c) {
        Map<DoubleState.Point, Double> scores = switch (in.getVariantCase()) {
          case DENSE -> dense(c, using, in.getDense().getDataList());
          case SPARSE -> sparse(c, using, in.getSparse());
          default -> throw unimplemented("nearest " + in.getVariantCase());
        };
        QueryResponse.Builder b = QueryResponse.newBuilder();
        scores.entrySet().stream()
            .filter(e -> passes(f, e.getKey()))
            .filter(e -> !req.hasScoreThreshold() || e.getValue() >= req.getScoreThreshold())
            .sorted(Map.Entry.<DoubleState.Point, Double>comparingByValue().reversed()
                .thenComparing(e -> DoubleState.key(e.getKey().id)))
            .skip(req.hasOffset() ? req.getOffset() : 0).limit(limit)
            .forEach(e -> {
              ScoredPoint.Builder sp = ScoredPoint.newBuilder().setId(e.getKey().id)
                  .setScore(e.getValue().floatValue()).setVersion(e.getKey().version)
                  .putAllPayload(payload(e.getKey(),
                      req.hasWithPayload() ? req.getWithPayload() : null));
              VectorsOutput v = vectors(e.getKey(), req.hasWithVectors() ? req.getWithVectors()
                  : null);
              if (v != null) {
                sp.setVectors(v);
              }
              b.addResult(sp);
            });
        return b.build();
      }
    });
  }

  private static Map<DoubleState.Point, Double> dense(DoubleState.Coll c, String using,
      List<Float> query) {
    DoubleState.Dense cfg = c.dense.get(using);
    if (cfg == null) {
      throw invalid("Not existing vector name error: " + using);
    }
    if (query.size() != cfg.size()) {
      throw invalid("Vector dimension error: expected dim: " + cfg.size() + ", got "
          + query.size());
    }
    float[] q = store(query, cfg.distance());
    Map<DoubleState.Point, Double> out = new HashMap<>();
    for (DoubleState.Point p : c.points.values()) {
      float[] v = p.dense.get(using);
      if (v != null) {
        double dot = 0;
        for (int i = 0; i < q.length; i++) {
          dot += q[i] * v[i];
        }
        out.put(p, dot);
      }
    }
    return out;
  }

  private static Map<DoubleState.Point, Double> sparse(DoubleState.Coll c, String using,
      SparseVector query) {
    if (!c.sparse.containsKey(using)) {
      throw invalid("Not existing vector name error: " + using);
    }
    boolean idf = c.sparse.get(using) == Modifier.Idf;
    List<DoubleState.Point> having = c.points.values().stream()
        .filter(p -> p.sparse.containsKey(using)).toList();
    Map<Integer, Integer> df = new HashMap<>();
    for (DoubleState.Point p : having) {
      for (int i : p.sparse.get(using).indices()) {
        df.merge(i, 1, Integer::sum);
      }
    }
    int n = having.size();
    Map<DoubleState.Point, Double> out = new HashMap<>();
    for (DoubleState.Point p : having) {
      DoubleState.Sparse v = p.sparse.get(using);
      double score = 0;
      boolean shared = false;
      for (int qi = 0; qi < query.getIndicesCount(); qi++) {
        int index = query.getIndices(qi);
        for (int k = 0; k < v.indices().length; k++) {
          if (v.indices()[k] == index) {
            shared = true;
            double w = query.getValues(qi) * v.values()[k];
            if (idf) {
              int d = df.get(index);
              w *= Math.log((n - d + 0.5) / (d + 0.5) + 1);
            }
            score += w;
          }
        }
      }
      if (shared) {
        out.put(p, score);
      }
    }
    return out;
  }
}
