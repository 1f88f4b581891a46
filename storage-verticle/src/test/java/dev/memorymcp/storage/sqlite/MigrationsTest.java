package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.Fixtures;

import static dev.memorymcp.storage.Fixtures.memory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.text.KeywordQuery;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.storage.MemoryStore.Scored;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Schema migrations and connection pragmas")
class MigrationsTest extends StoreTestBase {

  @Test
  @DisplayName("migrations apply once and reopening applies nothing again")
  void migrationsApplyOnceAndAreIdempotentOnReopen() {
    assertThat(Files.exists(dbFile())).isTrue();
    List<Object> versions = column(store.readerPool(), "SELECT version FROM schema_migrations");
    List<Object> appliedAt =
        column(store.readerPool(), "SELECT applied_at FROM schema_migrations ORDER BY version");
    assertThat(versions).containsExactly(1, 2, 3, 4, 5);

    reopen();
    reopen();

    assertThat(column(store.readerPool(), "SELECT version FROM schema_migrations"))
        .containsExactly(1, 2, 3, 4, 5);
    assertThat(column(store.readerPool(),
        "SELECT applied_at FROM schema_migrations ORDER BY version"))
        .containsExactlyElementsOf(appliedAt);
    assertThat(column(store.readerPool(),
        "SELECT name FROM pragma_table_list WHERE schema = 'main' "
            + "AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite%' ORDER BY name"))
        .containsExactly("events", "memories", "memories_fts", "memories_fts_cjk", "memories_fts_ja",
            "memories_fts_trigram", "meta", "rebuild_vectors", "relations", "schema_migrations", "vectors");
  }

  @Test
  @DisplayName("NORMAL store: WAL, synchronous=NORMAL, busy_timeout and foreign keys on the writer")
  void pragmasApplyWithNormal() {
    assertThat(store.writerPragma("journal_mode").await()).isEqualTo("wal");
    assertThat(store.writerPragma("synchronous").await()).isEqualTo(1);
    assertThat(store.writerPragma("busy_timeout").await()).isEqualTo(5000);
    assertThat(store.writerPragma("foreign_keys").await()).isEqualTo(1);
    assertThat(column(store.readerPool(), "PRAGMA journal_mode")).containsExactly("wal");
    assertThat(column(store.readerPool(), "PRAGMA busy_timeout")).containsExactly(5000);
  }

  @Test
  @DisplayName("FULL store: synchronous=FULL on the writer")
  void pragmasApplyWithFull() {
    store.close().await();
    store = open("FULL");
    assertThat(store.writerPragma("synchronous").await()).isEqualTo(2);
  }

  @Test
  @DisplayName("the reader pool cannot write")
  void readerPoolIsReadOnly() {
    assertThatThrownBy(() -> store.readerPool()
        .query("INSERT INTO meta(key, value) VALUES ('x', 'y')").execute().await())
        .hasMessageContaining("readonly");
  }

  @Test
  @DisplayName("scripts split at line-ending semicolons, keeping trigger bodies whole")
  void splitKeepsTriggerBodiesWhole() {
    String script = """
        -- a comment; with a semicolon
        CREATE TABLE a (x INTEGER);

        CREATE TRIGGER t AFTER INSERT ON a BEGIN
          INSERT INTO b VALUES (new.x);
          DELETE FROM c;
        END;
        CREATE INDEX i ON a(x);
        """;
    assertThat(Migrations.split(script)).containsExactly(
        "CREATE TABLE a (x INTEGER)",
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (new.x);\n"
            + "  DELETE FROM c;\nEND",
        "CREATE INDEX i ON a(x)");
  }

  @Test
  @DisplayName("V1 has one statement per table and index, V2 one for the gram table, V4 one for the word table, V5 one for the rebuild vectors")
  void scriptsLoad() {
    List<Migrations.Script> scripts = Migrations.load();
    assertThat(scripts).extracting(Migrations.Script::version).containsExactly(1, 2, 3, 4, 5);
    assertThat(scripts.get(3).statements()).hasSize(1)
        .allSatisfy(s -> assertThat(s).startsWith("CREATE VIRTUAL TABLE memories_fts_ja"));
    assertThat(scripts.get(4).statements()).hasSize(1)
        .allSatisfy(s -> assertThat(s).startsWith("CREATE TABLE rebuild_vectors"));
    assertThat(scripts.get(0).statements()).hasSize(12)
        .allSatisfy(s -> assertThat(s).doesNotEndWith(";").doesNotStartWith("--"));
    assertThat(scripts.get(1).statements()).hasSize(1)
        .allSatisfy(s -> assertThat(s).startsWith("CREATE VIRTUAL TABLE memories_fts_cjk"));
  }

  @Test
  @DisplayName("V2 and V4 on a V1 database backfill the gram and word tables from the existing memories")
  void v2BackfillsV1Database() {
    store.close().await();
    Path v1 = dir.resolve("v1/memory.db");
    SqliteMemoryStore old = new SqliteMemoryStore(vertx, v1, "NORMAL");
    Pool writer = JDBCPool.pool(vertx, new JDBCConnectOptions().setJdbcUrl(old.jdbcUrl(true))
        .setExtraConfig(new JsonObject().put("decoderCls", SqliteDecoder.class.getName())
            .put("encoderCls", SqliteEncoder.class.getName())), new PoolOptions().setMaxSize(1));
    try {
      vertx.fileSystem().mkdirs(v1.getParent().toString()).await();
      assertThat(Migrations.apply(vertx, writer, List.of("V1__core.sql")).await())
          .containsExactly(1);
      List<Memory> rows = new ArrayList<>();
      rows.add(memory("ns1", "t", "来週は東京に出張します").tags("会議").build());
      rows.add(memory("ns1", "e", "English only").build());
      rows.add(memory("ns2", "o", "大阪の天気").name("天気").build());
      for (int i = 0; i < 1203; i++) { // more than two backfill pages
        rows.add(memory("ns3", "p" + i, "ページ" + i).build());
      }
      writer.withTransaction(conn -> { // what V1 wrote for a create
        Future<Void> chain = Future.succeededFuture();
        for (Memory m : rows) {
          chain = chain
              .compose(v -> conn.preparedQuery(SqlQueries.INSERT_MEMORY)
                  .execute(RowMapper.insertParams(m)))
              .compose(v -> conn.preparedQuery(SqlQueries.INSERT_FTS).execute(Tuple.of(m.id())))
              .compose(v -> conn.preparedQuery(SqlQueries.INSERT_FTS_TRIGRAM)
                  .execute(Tuple.of(m.id())))
              .mapEmpty();
        }
        return chain;
      }).await();
    } finally {
      writer.close().await();
    }

    store = new SqliteMemoryStore(vertx, v1, "NORMAL");
    store.open().await();
    assertThat(column(store.readerPool(), "SELECT version FROM schema_migrations"))
        .containsExactly(1, 2, 3, 4, 5);
    assertThat(countRows("SELECT count(*) FROM memories_fts_cjk")).isEqualTo(1205);
    assertThat(countRows("SELECT count(*) FROM memories_fts_ja")).isEqualTo(1205);
    // 出張する is the base form of 出張します: only the word index can match it
    assertThat(store.keywordSearch("ns1", KeywordQuery.of("出張する", true, KeywordQuery.Japanese.WORDS), 10,
        Filters.NONE).await()).extracting(Scored::id).containsExactly("t");
    assertThat(store.keywordSearch("ns1", List.of("東京"), 10, Filters.NONE).await())
        .extracting(Scored::id).containsExactly("t");
    assertThat(store.keywordSearch("ns1", List.of("会"), 10, Filters.NONE).await())
        .extracting(Scored::id).containsExactly("t");
    assertThat(store.keywordSearch("ns2", List.of("気"), 10, Filters.NONE).await())
        .extracting(Scored::id).containsExactly("o");
    assertThat(store.keywordSearch("ns3", List.of("ジ"), 2000, Filters.NONE).await())
        .hasSize(1203);
    assertThat(store.keywordSearch("ns1", List.of("English"), 10, Filters.NONE).await())
        .extracting(Scored::id).containsExactly("e");
  }
}
