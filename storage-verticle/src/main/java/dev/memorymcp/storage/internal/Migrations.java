package dev.memorymcp.storage.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations: the scripts {@code db/migration/V<n>__<name>.sql} listed in
 * {@link #SCRIPTS}, applied in version order, each in its own transaction together with its row in
 * {@code schema_migrations}; versions already recorded there are skipped.
 */
final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** The scripts in version order; append new ones, never edit applied ones. */
  static final List<String> SCRIPTS = List.of("V1__core.sql");

  private static final String DIR = "db/migration/";
  private static final Pattern VERSION = Pattern.compile("V(\\d+)__.+\\.sql");
  private static final Pattern TRIGGER =
      Pattern.compile("(?is)^\\s*CREATE\\s+(TEMP\\s+|TEMPORARY\\s+)?TRIGGER\\b.*");
  private static final Pattern TRIGGER_END = Pattern.compile("(?is).*\\bEND\\s*;\\s*$");

  private Migrations() {}

  /** Applies the pending migrations on {@code writer}; completes with the versions applied now. */
  static Future<List<Integer>> apply(Vertx vertx, Pool writer) {
    return writer.query(SqlQueries.CREATE_MIGRATIONS).execute()
        .compose(v -> writer.query(SqlQueries.APPLIED_MIGRATIONS).execute())
        .compose(rows -> {
          Set<Integer> applied = new HashSet<>();
          for (Row r : rows) {
            applied.add(r.getInteger("version"));
          }
          return vertx.executeBlocking(Migrations::load, false).compose(all -> {
            List<Integer> done = new ArrayList<>();
            Future<Void> chain = Future.succeededFuture();
            for (Script s : all) {
              if (!applied.contains(s.version())) {
                chain = chain.compose(v -> writer.withTransaction(conn -> run(conn, s)))
                    .onSuccess(v -> {
                      LOG.info("applied schema migration {}", s.name());
                      done.add(s.version());
                    });
              }
            }
            return chain.map(v -> done);
          });
        });
  }

  private static Future<Void> run(SqlConnection conn, Script s) {
    Future<Void> chain = Future.succeededFuture();
    for (String stmt : s.statements()) {
      chain = chain.compose(v -> conn.query(stmt).execute().mapEmpty());
    }
    return chain.compose(v -> conn.preparedQuery(SqlQueries.INSERT_MIGRATION)
        .execute(Tuple.of(s.version(), System.currentTimeMillis())).mapEmpty());
  }

  /** A migration script split into statements. */
  record Script(int version, String name, List<String> statements) {}

  static List<Script> load() {
    List<Script> out = new ArrayList<>();
    int last = 0;
    for (String name : SCRIPTS) {
      Matcher m = VERSION.matcher(name);
      if (!m.matches()) {
        throw new IllegalStateException("migration name must be V<n>__<name>.sql: " + name);
      }
      int version = Integer.parseInt(m.group(1));
      if (version <= last) {
        throw new IllegalStateException("migrations out of order at " + name);
      }
      last = version;
      out.add(new Script(version, name, split(read(DIR + name))));
    }
    return out;
  }

  private static String read(String resource) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing migration resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Splits a script into statements at lines ending with ';'. Whole-line {@code --} comments are
   * dropped; a CREATE TRIGGER statement runs until a line ending with {@code END;}.
   */
  static List<String> split(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : script.split("\\R")) {
      if (line.strip().startsWith("--") || (cur.length() == 0 && line.isBlank())) {
        continue;
      }
      cur.append(line).append('\n');
      String stmt = cur.toString();
      boolean ends = line.stripTrailing().endsWith(";");
      boolean inTrigger = TRIGGER.matcher(stmt).matches() && !TRIGGER_END.matcher(stmt).matches();
      if (ends && !inTrigger) {
        String s = stmt.strip();
        out.add(s.substring(0, s.length() - 1).strip());
        cur.setLength(0);
      }
    }
    if (!cur.toString().isBlank()) {
      out.add(cur.toString().strip());
    }
    return out;
  }
}
