package dev.memorymcp.server;

import dev.memorymcp.auth.KeyRequest;
import dev.memorymcp.auth.internal.AuthLock;
import dev.memorymcp.auth.internal.AuthStore;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.ProcessLock;
import dev.memorymcp.bus.Settings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code keys create --name N --role admin|member|viewer [--namespace NS]… [--scope-id ID]… [--expires-days D]},
 * {@code keys list [--all]}, {@code keys revoke ID}: manages API keys in the data directory's
 * auth.db while the service is stopped (how the first keys are made without a bootstrap key).
 * A running service holds the lock and the command refuses, naming the admin API instead. Every
 * change is written to the audit log as actor {@code cli}.
 */
final class KeysCommand {
  private KeysCommand() {}

  static final String USAGE = "usage: keys create --name NAME --role admin|member|viewer [--namespace NS]... "
      + "[--scope-id ID]... [--expires-days N] | keys list [--all] | keys revoke KEY_ID";

  static int run(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException(USAGE);
    }
    JsonObject cfg = Settings.load(System.getenv());
    Path dataDir = Path.of(cfg.getString("data_dir"));
    try (ProcessLock lock = AuthLock.acquire(dataDir);
         AuthStore store = AuthStore.open(dataDir, cfg.getString("storage.synchronous", "FULL"))) {
      long now = System.currentTimeMillis();
      switch (args[0]) {
        case "create" -> {
          KeyRequest req = KeyRequest.parse(createRequest(args, now), now);
          AuthStore.Created c = store.create(req.name(), req.role(), req.namespaces(), req.scopeIds(), req.expiresAt(),
              "cli", now);
          audit(store, now, "key.create", c.info());
          System.err.println("created key " + c.info().getString("id") + " (" + req.role().label() + ", namespaces "
              + req.namespaces() + (req.scopeIds().isEmpty() ? "" : ", scope ids " + req.scopeIds())
              + "). It is shown only this once; store it now:");
          System.out.println(c.key());
        }
        case "list" -> {
          List<JsonObject> keys = store.list(args.length > 1 && args[1].equals("--all"));
          System.out.println(new JsonObject().put("keys", new JsonArray(List.copyOf(keys))).encodePrettily());
        }
        case "revoke" -> {
          if (args.length != 2) {
            throw new IllegalArgumentException(USAGE);
          }
          JsonObject info = store.revoke(args[1], now);
          audit(store, now, "key.revoke", info);
          System.err.println("revoked key " + info.getString("id") + " (" + info.getString("name") + ")");
        }
        default -> throw new IllegalArgumentException("unknown keys command " + args[0] + "; " + USAGE);
      }
      return 0;
    } catch (MemoryException e) {
      System.err.println("keys: " + e.getMessage());
      return 2;
    } catch (IllegalStateException e) {
      System.err.println("keys: " + e.getMessage());
      return 1;
    }
  }

  private static JsonObject createRequest(String[] args, long now) {
    JsonObject j = new JsonObject();
    JsonArray namespaces = new JsonArray();
    JsonArray scopeIds = new JsonArray();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value; " + USAGE);
      }
      String v = args[++i];
      switch (a) {
        case "--name" -> j.put("name", v);
        case "--role" -> j.put("role", v);
        case "--namespace" -> namespaces.add(v);
        case "--scope-id" -> scopeIds.add(v);
        case "--expires-days" -> {
          try {
            j.put("expires_at", java.time.Instant.ofEpochMilli(now + Long.parseLong(v) * 86_400_000L).toString());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--expires-days must be a whole number, got " + v);
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + a + "; " + USAGE);
      }
    }
    if (!namespaces.isEmpty()) {
      j.put("namespaces", namespaces);
    }
    if (!scopeIds.isEmpty()) {
      j.put("scope_ids", scopeIds);
    }
    return j;
  }

  private static void audit(AuthStore store, long now, String action, JsonObject info) throws Exception {
    store.append(List.of(new JsonObject().put("at", now).put("actor", "cli").put("action", action)
        .put("client", "local").put("outcome", "ok").put("ids", new JsonArray().add(info.getString("id")))
        .put("detail", new JsonObject().put("key_id", info.getString("id")).put("key_name", info.getString("name"))
            .put("role", info.getString("role")))));
  }
}
