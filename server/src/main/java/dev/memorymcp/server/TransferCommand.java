package dev.memorymcp.server;

import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Settings;
import dev.memorymcp.gateway.auth.Caller;
import dev.memorymcp.gateway.auth.GatedBus;
import dev.memorymcp.gateway.transfer.Exporter;
import dev.memorymcp.gateway.transfer.Importer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code export --out FILE [--namespace NS] [--scope-id S] [--with-vectors]} and
 * {@code import --in FILE [--namespace NS]}: the REST export and import run in this process
 * against the data directory (stop the service first: it holds the directory), with a progress
 * bar on stderr. The file format is the same JSON Lines as {@code GET /api/v1/export}.
 */
final class TransferCommand {
  private TransferCommand() {}

  static int run(boolean export, String[] args) throws Exception {
    String file = null;
    String namespace = null;
    String scopeId = null;
    boolean withVectors = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--with-vectors") && export) {
        withVectors = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value; " + usage(export));
      }
      String v = args[++i];
      switch (a) {
        case "--out", "--in" -> file = v;
        case "--namespace" -> namespace = Namespaces.check("--namespace", v);
        case "--scope-id" -> scopeId = v;
        default -> throw new IllegalArgumentException("unknown option " + a + "; " + usage(export));
      }
    }
    if (file == null) {
      throw new IllegalArgumentException(usage(export));
    }
    try (LocalEngine engine = LocalEngine.start(Settings.load(System.getenv()))) {
      Vertx vertx = engine.vertx();
      GatedBus bus = new GatedBus(vertx);
      Caller cli = new Caller(dev.memorymcp.bus.Principal.ANONYMOUS, "cli");
      return export ? export(vertx, bus, cli, Path.of(file), namespace, scopeId, withVectors)
          : importFile(vertx, bus, cli, Path.of(file), namespace);
    } catch (Exception e) {
      System.err.println((export ? "export" : "import") + " failed: " + Main.rootMessage(e));
      return 1;
    }
  }

  private static String usage(boolean export) {
    return export ? "usage: export --out FILE [--namespace NS] [--scope-id S] [--with-vectors]"
        : "usage: import --in FILE [--namespace NS]";
  }

  private static int export(Vertx vertx, GatedBus bus, Caller cli, Path out, String namespace, String scopeId,
      boolean withVectors) throws Exception {
    ProgressBar bar = new ProgressBar("exporting", System.err);
    AsyncFile f = vertx.fileSystem().open(out.toString(), new OpenOptions().setWrite(true).setCreate(true)
        .setTruncateExisting(true)).await(1, TimeUnit.MINUTES);
    long n;
    try {
      n = new Exporter(vertx, bus).export(cli, namespace == null ? null : List.of(namespace), scopeId, withVectors,
          text -> text.isEmpty() ? Future.succeededFuture() : f.write(Buffer.buffer(text, "UTF-8")), bar::update)
          .await(24, TimeUnit.HOURS);
    } finally {
      f.close().await(1, TimeUnit.MINUTES);
    }
    bar.finish();
    System.err.printf("exported %d memories to %s%n", n, out);
    return 0;
  }

  private static int importFile(Vertx vertx, GatedBus bus, Caller cli, Path in, String namespace) throws Exception {
    long total;
    try (BufferedReader r = Files.newBufferedReader(in, StandardCharsets.UTF_8)) {
      total = Math.max(0, r.lines().count() - 1); // the header is not a memory
    }
    ProgressBar bar = new ProgressBar("importing", System.err);
    AsyncFile f = vertx.fileSystem().open(in.toString(), new OpenOptions().setRead(true)).await(1, TimeUnit.MINUTES);
    JsonObject r = new Importer(bus).importFrom(cli, f, namespace, (done, t) -> bar.update(done, Math.max(total, done)))
        .await(24, TimeUnit.HOURS);
    bar.finish();
    System.err.printf("imported %d lines (%d re-embedded) from %s%n", r.getLong("lines"), r.getLong("reembedded"), in);
    return 0;
  }
}
