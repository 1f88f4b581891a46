package dev.memorymcp.server;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * {@code memory-server.jar migrate --from sqlite --to qdrant [--namespace NS] [--batch-size N]
 * [--dry-run]}: runs a migration job in this process (embedding and storage roles, the configured
 * backend and Qdrant URL) with a progress bar on stderr. A job an earlier run left unfinished in
 * the data directory resumes first and is followed instead. Exit 0 when the copy is done and
 * verified, 1 when it failed or the verification found differences, 2 on bad arguments.
 */
final class MigrateCommand {
  private MigrateCommand() {}

  static int run(String[] args) {
    JsonObject req = new JsonObject();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--dry-run" -> req.put("dry_run", true);
        case "--from", "--to", "--namespace", "--batch-size" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          String v = args[++i];
          switch (a) {
            case "--from" -> req.put("source", v);
            case "--to" -> req.put("target", v);
            case "--namespace" -> req.put("namespace", v);
            default -> {
              try {
                req.put("batch_size", Integer.parseInt(v));
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--batch-size must be a whole number, got " + v);
              }
            }
          }
        }
        default -> throw new IllegalArgumentException("unknown migrate option " + a
            + " (usage: migrate --from sqlite|qdrant --to qdrant|sqlite [--namespace NS] [--batch-size N] [--dry-run])");
      }
    }
    try (LocalEngine engine = LocalEngine.start(Settings.load(System.getenv()))) {
      Vertx vertx = engine.vertx();
      JsonObject state;
      try {
        state = Bus.request(vertx, Addresses.STORE_MIGRATE_START, req).await(1, TimeUnit.MINUTES);
      } catch (MemoryException e) {
        if (!"MIGRATION_RUNNING".equals(e.error())) {
          throw e;
        }
        String id = e.details().getString("job_id");
        System.err.println("an unfinished migration, " + id + ", resumed first; following it (run migrate again afterwards"
            + " for this one)");
        state = new JsonObject().put("job_id", id);
      }
      String id = state.getString("job_id");
      ProgressBar bar = new ProgressBar("migrating " + id, System.err);
      while (true) {
        state = Bus.request(vertx, Addresses.STORE_MIGRATE_GET, new JsonObject().put("job_id", id)).await(1, TimeUnit.MINUTES);
        bar.update(state.getLong("done", 0L), Math.max(1, state.getLong("total", 0L)));
        String status = state.getString("status");
        if ("done".equals(status) || "failed".equals(status)) {
          break;
        }
        Thread.sleep(250);
      }
      bar.finish();
      return report(state);
    } catch (Exception e) {
      System.err.println("migrate failed: " + Main.rootMessage(e));
      return 1;
    }
  }

  private static int report(JsonObject state) {
    System.err.printf("migration %s (%s → %s%s): %s, %d of %d items%n", state.getString("job_id"), state.getString("source"),
        state.getString("target"), state.getBoolean("dry_run", false) ? ", dry run" : "", state.getString("status"),
        state.getLong("done", 0L), state.getLong("total", 0L));
    state.getJsonArray("namespaces", new io.vertx.core.json.JsonArray()).forEach(o -> {
      JsonObject ns = (JsonObject) o;
      System.err.printf("  %-40s %d / %d%n", ns.getString("namespace"), ns.getLong("done"), ns.getLong("total"));
    });
    JsonObject error = state.getJsonObject("error");
    if (error != null) {
      System.err.println("error " + error.getString("code") + ": " + error.getString("message"));
      return 1;
    }
    JsonObject verify = state.getJsonObject("verify");
    if (verify != null) {
      if (verify.getBoolean("ok")) {
        System.err.printf("verified: item and memory counts match in every namespace, %d sampled vectors identical%n",
            verify.getInteger("vectors_checked"));
      } else {
        System.err.println("verification found differences:");
        verify.getJsonArray("differences").forEach(d -> System.err.println("  " + d));
        return 1;
      }
    }
    return 0;
  }
}
