package dev.memorymcp.embedding;

import dev.memorymcp.embedding.internal.ModelFiles;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/** A process that extracts the default model into the data directory given as its argument. */
public final class ExtractOnce {
  private ExtractOnce() {}

  public static void main(String[] args) throws Exception {
    ModelFiles.materialize(ModelSpec.fromSettings(new JsonObject()), Path.of(args[0]));
  }
}
