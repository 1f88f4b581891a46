package dev.memorymcp.server;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.Settings;
import dev.memorymcp.bus.Version;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar memory-server.jar [serve|mcp-stdio|rebuild|migrate|help]}: serve runs every
 * verticle in this JVM (the embedded default), or the given roles, clustered with {@code --cluster}
 * ({@link ServeCommand}); mcp-stdio serves MCP over stdin/stdout; rebuild
 * re-embeds every stored memory with the configured model; migrate copies between backends.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    String command = args.length == 0 ? "serve" : args[0];
    int code;
    try {
      code = switch (command) {
        case "serve" -> ServeCommand.run(args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length) : new String[0]);
        case "mcp-stdio" -> StdioServer.run();
        case "rebuild" -> rebuild();
        case "migrate" -> MigrateCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length));
        case "keys" -> KeysCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length));
        case "models" -> ModelsCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length));
        case "export" -> TransferCommand.run(true, java.util.Arrays.copyOfRange(args, 1, args.length));
        case "import" -> TransferCommand.run(false, java.util.Arrays.copyOfRange(args, 1, args.length));
        case "duplicates", "merge", "restore", "clean", "graph" ->
            CurateCommand.run(command, java.util.Arrays.copyOfRange(args, 1, args.length));
        case "help", "--help", "-h" -> help(0);
        case "version", "--version" -> {
          System.out.println(Version.get());
          yield 0;
        }
        default -> {
          System.err.println("unknown command: " + command);
          yield help(2);
        }
      };
    } catch (IllegalArgumentException e) {
      System.err.println("configuration error: " + e.getMessage());
      code = 2;
    } catch (Exception e) {
      System.err.println(command + " failed: " + rootMessage(e));
      code = 1;
    }
    // mcp-stdio has stopped everything by now, but the SDK's stdio threads are not daemons
    if (code != 0 || command.equals("mcp-stdio")) {
      System.exit(code);
    }
  }

  private static int help(int code) {
    (code == 0 ? System.out : System.err).println(String.join("\n",
        "memory service " + Version.get(),
        "usage: java -jar server/target/memory-server.jar [command]",
        "  serve      (default) run the service: HTTP on MEMORY_MCP_SERVER_HOST:MEMORY_MCP_SERVER_PORT",
        "             [--role gateway|embedding|storage|auth|search|ingest]... only these roles (default: all)",
        "             [--cluster] join the Hazelcast cluster (MEMORY_MCP_CLUSTER_*) so other JVMs' roles answer",
        "  mcp-stdio  serve MCP over stdin/stdout (for clients that start the server; logs on stderr)",
        "  rebuild    re-embed every memory with the configured model, with the service stopped (on SQLite",
        "             the service also does it on its own while serving: see GET /api/v1/admin/rebuild)",
        "  migrate    --from sqlite|qdrant --to qdrant|sqlite [--namespace NS] [--batch-size N] [--dry-run]:",
        "             copy memories, vectors, histories and relations between backends (resumable)",
        "  keys       create --name N --role admin|member|viewer [--namespace NS]... [--scope-id ID]... [--expires-days D] | list [--all]",
        "             | revoke KEY_ID: manage API keys in the data directory (while the service is stopped)",
        "  export     --out FILE [--namespace NS] [--scope-id S] [--with-vectors]: memories, history and relations as JSON Lines",
        "  import     --in FILE [--namespace NS]: read an export back (idempotent by id; re-embeds for another model)",
        "  duplicates --namespace NS [--threshold T] [--limit N] [--scope-id S]: pairs that look like duplicates, with the verdict",
        "  merge      --namespace NS ID ID... [--into ID]: fold memories into one (every text kept; undo with restore)",
        "  restore    --namespace NS ID [--event-seq N]: bring a deleted memory back, or undo an update / merge",
        "  clean      --namespace NS [--confirm]: exact duplicates (a dry run unless --confirm)",
        "  graph      --namespace NS --out FILE.html|FILE.json [--scope-id S] [--limit N]: the knowledge graph",
        "  models     list | pull NAME [--revision R] [--onnx-file PATH]: download a hub embedding model",
        "             (e.g. intfloat/multilingual-e5-small) into the data directory, verified; then",
        "             MEMORY_MCP_EMBEDDING_MODEL=NAME runs it offline",
        "  version    print the version",
        "configuration: MEMORY_MCP_* environment variables, then $MEMORY_MCP_DATA_DIR/config.json; see README"));
    return code;
  }

  /** DJL unpacks the tokenizer's native library once; keep it under the data dir rather than ~/.djl.ai. */
  static void djlCache(JsonObject cfg) {
    if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
      System.setProperty("DJL_CACHE_DIR", java.nio.file.Path.of(cfg.getString("data_dir"), "djl-cache").toAbsolutePath().toString());
    }
  }

  private static int rebuild() {
    JsonObject cfg = Settings.load(System.getenv()).put("storage.skip_model_check", true);
    try (LocalEngine engine = LocalEngine.start(cfg)) {
      Vertx vertx = engine.vertx();
      ProgressBar bar = new ProgressBar("re-embedding", System.err);
      vertx.eventBus().<JsonObject>consumer(Addresses.STORE_REBUILD_PROGRESS,
          m -> bar.update(m.body().getLong("done"), m.body().getLong("total")));
      JsonObject r = Bus.request(vertx, Addresses.STORE_REBUILD, new JsonObject(), TimeUnit.HOURS.toMillis(24))
          .await(24, TimeUnit.HOURS);
      bar.finish();
      System.err.printf("rebuilt %d memories with %s (dimension %d)%n", r.getLong("memories"),
          r.getString("model"), r.getInteger("dimension"));
      return 0;
    } catch (Exception e) {
      System.err.println("rebuild failed: " + rootMessage(e));
      return 1;
    }
  }

  /** Undeploys and closes an admin command's Vert.x; a failure is reported, never thrown. */
  static void stopQuietly(Node node, Vertx vertx) {
    try {
      node.undeploy().await(30, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("unclean shutdown: " + rootMessage(e));
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }
}
