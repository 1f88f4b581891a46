package dev.memorymcp.qdrantdouble;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.QdrantGrpc;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;

/** The double's Qdrant service: the health check clients call to see the server is up. */
final class DoubleHealth extends QdrantGrpc.QdrantImplBase {
  @Override
  public void healthCheck(HealthCheckRequest request, StreamObserver<HealthCheckReply> out) {
    out.onNext(HealthCheckReply.newBuilder().setTitle("qdrant test double")
        .setVersion(QdrantDouble.VERSION).build());
    out.onCompleted();
  }
}
