package dev.memorymcp.storage.sqlite;

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
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations: the scripts {@code db/migration/V<n>__<name>.sql} listed in
 * {@link #SCRIPTS}, applied in version order, each in its own transaction together with its row in
 * {@code schema_migrations}; versions already recorded there are skipped. A version may have a
 * Java step ({@link #JAVA_STEPS}) that runs after its SQL, in the same transaction.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** The scripts in version order; append new ones, never edit applied ones. */
  static final List<String> SCRIPTS = List.of("V1__core.sql", "V2__cjk_grams.sql", "V3__write_keys.sql",
      "V4__japanese_words.sql", "V5__rebuild_vectors.sql");

  /** The ingest queue's own database ({@code ingest.db}); names with a folder resolve under {@code db/}. */
  public static final List<String> INGEST_SCRIPTS = List.of("ingest/V1__jobs.sql");

  /** Steps SQL cannot express, by script: V2 and V4 backfill the CJK gram and Japanese word indexes. */
  private static final Map<String, Function<SqlConnection, Future<Void>>> JAVA_STEPS =
      Map.of("V2__cjk_grams.sql", CjkGramIndex::backfill, "V4__japanese_words.sql", JapaneseWordIndex::backfill);

  private static final String DIR = "db/migration/";
  private static final Pattern VERSION = Pattern.compile("(?:[a-z]+/)?V(\\d+)__.+\\.sql");
  private static final Pattern TRIGGER =
      Pattern.compile("(?is)^\\s*CREATE\\s+(TEMP\\s+|TEMPORARY\\s+)?TRIGGER\\b.*");
  private static final Pattern TRIGGER_END = Pattern.compile("(?is).*\\bEND\\s*;\\s*$");

  private Migrations() {}

  /** Applies the pending migrations on {@code writer}; completes with the versions applied now. */
  static Future<List<Integer>> apply(Vertx vertx, Pool writer) {
    return apply(vertx, writer, SCRIPTS);
  }

  /** Applies the pending ones of {@code scripts} (tests use a prefix to build an old schema). */
  public static Future<List<Integer>> apply(Vertx vertx, Pool writer, List<String> scripts) {
    // in a transaction like every write: a statement outside one is only kept once a later commit
    // on the same connection happens to cover it. The read too: the driver keeps a transaction open
    // between commits, and a read outside one would hold its snapshot until the next commit, which
    // then fails (SQLITE_BUSY_SNAPSHOT) if another connection wrote in between
    return writer.withTransaction(conn -> conn.query(SqlQueries.CREATE_MIGRATIONS).execute()
            .compose(v -> conn.query(SqlQueries.APPLIED_MIGRATIONS).execute()))
        .compose(rows -> {
          Set<Integer> applied = new HashSet<>();
          for (Row r : rows) {
            applied.add(r.getInteger("version"));
          }
          return vertx.executeBlocking(() -> load(scripts), false).compose(all -> {
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
    Function<SqlConnection, Future<Void>> step = JAVA_STEPS.get(s.name());
    if (step != null) {
      chain = chain.compose(v -> step.apply(conn));
    }
    return chain.compose(v -> conn.preparedQuery(SqlQueries.INSERT_MIGRATION)
        .execute(Tuple.of(s.version(), System.currentTimeMillis())).mapEmpty());
  }

  /** A migration script split into statements. */
  record Script(int version, String name, List<String> statements) {}

  static List<Script> load() {
    return load(SCRIPTS);
  }

  static List<Script> load(List<String> scripts) {
    List<Script> out = new ArrayList<>();
    int last = 0;
    for (String name : scripts) {
      Matcher m = VERSION.matcher(name);
      if (!m.matches()) {
        throw new IllegalStateException("migration name must be V<n>__<name>.sql: " + name);
      }
      int version = Integer.parseInt(m.group(1));
      if (version <= last) {
        throw new IllegalStateException("migrations out of order at " + name);
      }
      last = version;
      out.add(new Script(version, name, split(read(name.contains("/") ? "db/" + name : DIR + name))));
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
