package dev.memorymcp.embedding;

import dev.memorymcp.bus.Settings;
import dev.memorymcp.bus.Vectors;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Settings, deployment options and vector helpers shared by the tests. */
final class TestSupport {
  private TestSupport() {}

  /** Default settings with the data directory set. */
  static JsonObject settings(Path dataDir) {
    return Settings.defaults().put("data_dir", dataDir.toString());
  }

  /** How the server deploys the verticle: a worker. */
  static DeploymentOptions worker(JsonObject cfg) {
    return new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER).setConfig(cfg);
  }

  static JsonObject embedBody(String kind, String... texts) {
    return new JsonObject().put("texts", new JsonArray(List.of((Object[]) texts)))
        .put("kind", kind);
  }

  /** The vectors of an embed reply, in order. */
  static List<float[]> vectors(JsonObject reply) {
    JsonArray array = reply.getJsonArray("vectors");
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      out.add(Vectors.fromBuffer(array.getBuffer(i)));
    }
    return out;
  }

  static double norm(float[] v) {
    return Math.sqrt(Vectors.dot(v, v));
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }
}
