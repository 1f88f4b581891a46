package dev.memorymcp.embedding.internal;

import dev.memorymcp.embedding.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a model's files in a directory DJL can load. A classpath model is extracted to
 * {@code <data_dir>/models/<name>/model.onnx} and {@code tokenizer.json}: a file already there
 * with the resource's size is kept; otherwise the resource is written to a temporary file and
 * moved into place atomically, so a crash never leaves a half-written model behind (a leftover
 * temporary file is deleted on the next start). Several processes may share a data directory (a
 * server and a CLI command, or two servers by mistake): an OS lock on {@code models/.<name>.lock}
 * (beside the model's directory, so the directory holds the model's files only) makes them extract
 * one at a time, so one never deletes the other's temporary file as a leftover.
 */
public final class ModelFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ModelFiles.class);
  private static final Object LOCK = new Object();
  private static final String PART = ".part";

  private ModelFiles() {}

  /** The directory holding {@code model.onnx} and {@code tokenizer.json} for this spec. */
  public static Path materialize(ModelSpec spec, Path dataDir) throws IOException {
    if (!spec.onClasspath()) {
      return spec.modelDir();
    }
    Path dir = dataDir.resolve("models").resolve(spec.name()).toAbsolutePath().normalize();
    synchronized (LOCK) { // several verticle instances may start at once
      try {
        Files.createDirectories(dir);
        try (FileChannel lock = FileChannel.open(dir.resolveSibling("." + spec.name() + ".lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE); var held = lock.lock()) { // waits for another process's extraction
          deleteLeftovers(dir);
          for (Map.Entry<String, String> e : Map.of(spec.onnxResource(), ModelSpec.MODEL_FILE,
              spec.tokenizerResource(), ModelSpec.TOKENIZER_FILE).entrySet()) {
            extract(e.getKey(), dir.resolve(e.getValue()));
          }
        }
      } catch (IOException e) {
        throw new IOException("cannot extract the model " + spec.name() + " into " + dir + ": " + e
            + ". Check that the directory is writable and the disk has room (the model needs about 150 MB), or point "
            + "MEMORY_MCP_DATA_DIR at another directory", e);
      }
    }
    return dir;
  }

  /** Removes temporary files a crashed extraction left behind. */
  private static void deleteLeftovers(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().endsWith(PART)).toList()) {
        LOG.info("deleting {}, left by an interrupted extraction", p);
        Files.deleteIfExists(p);
      }
    }
  }

  private static void extract(String resource, Path target) throws IOException {
    URL url = ModelFiles.class.getClassLoader().getResource(resource);
    if (url == null) {
      throw new IOException("model resource " + resource + " is not on the classpath");
    }
    URLConnection conn = url.openConnection();
    long size = conn.getContentLengthLong();
    if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
      return;
    }
    LOG.info("extracting {} to {}", resource, target);
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), PART);
    try (InputStream in = conn.getInputStream()) {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true); // the bytes are on disk before the name points at them
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
