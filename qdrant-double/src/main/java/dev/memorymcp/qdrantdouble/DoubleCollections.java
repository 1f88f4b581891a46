package dev.memorymcp.qdrantdouble;

import static dev.memorymcp.qdrantdouble.DoubleState.invalid;
import static dev.memorymcp.qdrantdouble.DoubleState.unimplemented;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.CollectionDescription;
import io.qdrant.client.grpc.Collections.CollectionExists;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsResponse;
import io.qdrant.client.grpc.Collections.Modifier;
import io.qdrant.client.grpc.Collections.SparseVectorParams;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.CollectionsGrpc;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The double's Collections service: create (named dense vectors with their size and distance,
 * named sparse vectors with an optional IDF modifier, or no vectors at all), exists, list and
 * delete. Collection options the double does not model (HNSW, quantization, sharding, ...) are
 * accepted only when absent; anything else is UNIMPLEMENTED.
 */
final class DoubleCollections extends CollectionsGrpc.CollectionsImplBase {
  private final DoubleState state;

  DoubleCollections(DoubleState state) {
    this.state = state;
  }

  static <T> void reply(StreamObserver<T> out, Supplier<T> op) {
    T result;
    try {
      result = op.get();
    } catch (RuntimeException e) {
      out.onError(e instanceof io.grpc.StatusRuntimeException ? e
          : Status.INTERNAL.withDescription(String.valueOf(e)).asRuntimeException());
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }

  @Override
  public void create(CreateCollection req, StreamObserver<CollectionOperationResponse> out) {
    reply(out, () -> {
      String name = req.getCollectionName();
      if (name.isEmpty() || name.length() > 255 || name.matches("(?s).*[<>:\"/\\\\|?*\\x00\\x1F].*")) {
        throw invalid("collection name `" + name + "` is not allowed");
      }
      if (req.hasHnswConfig() || req.hasQuantizationConfig() || req.hasShardingMethod()
          || req.hasStrictModeConfig() || req.hasWalConfig() || req.hasOptimizersConfig()) {
        throw unimplemented("collection options other than vectors_config and sparse_vectors_config");
      }
      Map<String, DoubleState.Dense> dense = new HashMap<>();
      if (req.hasVectorsConfig()) {
        if (req.getVectorsConfig().hasParams()) {
          throw unimplemented("an unnamed vector (use params_map)");
        }
        for (Map.Entry<String, VectorParams> e
            : req.getVectorsConfig().getParamsMap().getMapMap().entrySet()) {
          VectorParams p = e.getValue();
          if (p.getDistance() != Distance.Cosine && p.getDistance() != Distance.Dot) {
            throw unimplemented("distance " + p.getDistance());
          }
          if (p.getSize() == 0) {
            throw invalid("vector size must be greater than 0");
          }
          dense.put(e.getKey(), new DoubleState.Dense(p.getSize(), p.getDistance()));
        }
      }
      Map<String, Modifier> sparse = new HashMap<>();
      if (req.hasSparseVectorsConfig()) {
        for (Map.Entry<String, SparseVectorParams> e
            : req.getSparseVectorsConfig().getMapMap().entrySet()) {
          if (e.getValue().hasIndex()) {
            throw unimplemented("sparse index options");
          }
          sparse.put(e.getKey(), e.getValue().getModifier());
        }
      }
      DoubleState.Coll c = new DoubleState.Coll(name, dense, sparse);
      if (state.collections.putIfAbsent(name, c) != null) {
        throw Status.ALREADY_EXISTS.withDescription("Wrong input: Collection `" + name
            + "` already exists!").asRuntimeException();
      }
      return CollectionOperationResponse.newBuilder().setResult(true).build();
    });
  }

  @Override
  public void collectionExists(CollectionExistsRequest req,
      StreamObserver<CollectionExistsResponse> out) {
    reply(out, () -> CollectionExistsResponse.newBuilder().setResult(CollectionExists.newBuilder()
        .setExists(state.collections.containsKey(req.getCollectionName()))).build());
  }

  @Override
  public void list(ListCollectionsRequest req, StreamObserver<ListCollectionsResponse> out) {
    reply(out, () -> {
      ListCollectionsResponse.Builder b = ListCollectionsResponse.newBuilder();
      state.collections.keySet().stream().sorted()
          .forEach(n -> b.addCollections(CollectionDescription.newBuilder().setName(n)));
      return b.build();
    });
  }

  @Override
  public void delete(DeleteCollection req, StreamObserver<CollectionOperationResponse> out) {
    reply(out, () -> CollectionOperationResponse.newBuilder()
        .setResult(state.collections.remove(req.getCollectionName()) != null).build());
  }
}
