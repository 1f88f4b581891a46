package dev.memorymcp.server;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.Principal;
import dev.memorymcp.bus.Settings;
import dev.memorymcp.gateway.GraphExport;
import dev.memorymcp.gateway.auth.Caller;
import dev.memorymcp.gateway.auth.GatedBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tending the memory from the command line, against the data directory (stop the service first):
 * {@code duplicates}, {@code merge}, {@code restore}, {@code clean} and {@code graph}. Each runs the
 * same storage handler as its REST route, as an administrator, audited as the CLI.
 */
final class CurateCommand {
  private CurateCommand() {}

  static final String USAGE = String.join("\n",
      "usage: duplicates --namespace NS [--threshold 0.9] [--limit 50] [--scope-id S]",
      "       merge --namespace NS ID ID... [--into ID]",
      "       restore --namespace NS ID [--event-seq N]",
      "       clean --namespace NS [--confirm]",
      "       graph --namespace NS --out FILE.html|FILE.json [--scope-id S] [--limit 300]");

  static int run(String command, String[] args) throws Exception {
    JsonObject req = new JsonObject();
    List<String> ids = new ArrayList<>();
    String out = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--confirm")) {
        req.put("confirm", true);
        continue;
      }
      if (!a.startsWith("--")) {
        ids.add(a);
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
      }
      String v = args[++i];
      switch (a) {
        case "--namespace" -> req.put("namespace", Namespaces.check("--namespace", v));
        case "--threshold" -> req.put("threshold", number(a, v));
        case "--limit" -> req.put("limit", (int) number(a, v));
        case "--scope-id" -> req.put("scope_id", v);
        case "--into" -> req.put("into", v);
        case "--event-seq" -> req.put("event_seq", (long) number(a, v));
        case "--out" -> out = v;
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    if (!req.containsKey("namespace")) {
      throw new IllegalArgumentException("--namespace is required\n" + USAGE);
    }
    String address = switch (command) {
      case "duplicates" -> Addresses.STORE_DUPLICATES;
      case "merge" -> Addresses.STORE_MERGE;
      case "restore" -> Addresses.STORE_RESTORE;
      case "clean" -> Addresses.STORE_CLEAN;
      case "graph" -> Addresses.STORE_GRAPH;
      default -> throw new IllegalArgumentException(USAGE);
    };
    if (command.equals("merge")) {
      req.put("ids", new JsonArray(ids));
    } else if (command.equals("restore")) {
      if (ids.size() != 1) {
        throw new IllegalArgumentException("restore takes one memory id\n" + USAGE);
      }
      req.put("id", ids.get(0));
    } else if (!ids.isEmpty()) {
      throw new IllegalArgumentException("unexpected argument " + ids.get(0) + "\n" + USAGE);
    }
    if (command.equals("graph") && out == null) {
      throw new IllegalArgumentException("graph needs --out FILE.html or FILE.json\n" + USAGE);
    }
    try (LocalEngine engine = LocalEngine.start(Settings.load(System.getenv()))) {
      GatedBus bus = new GatedBus(engine.vertx());
      Caller cli = new Caller(Principal.ANONYMOUS, "cli");
      if (command.equals("duplicates")) {
        System.err.println("looking for duplicates in " + req.getString("namespace") + " …");
      }
      JsonObject r = bus.request(cli, address, req, TimeUnit.MINUTES.toMillis(30)).await(30, TimeUnit.MINUTES);
      if (command.equals("graph")) {
        Path file = Path.of(out);
        String text = file.getFileName().toString().endsWith(".json") ? r.encodePrettily() : new GraphExport().html(r);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        System.err.printf("wrote %s: %d memories, %d relations%n", file, r.getJsonArray("nodes").size(),
            r.getJsonArray("edges").size());
      } else {
        System.out.println(r.encodePrettily());
      }
      return 0;
    } catch (Exception e) {
      System.err.println(command + " failed: " + Main.rootMessage(e));
      return 1;
    }
  }

  private static double number(String option, String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a number, got '" + v + "'");
    }
  }
}
