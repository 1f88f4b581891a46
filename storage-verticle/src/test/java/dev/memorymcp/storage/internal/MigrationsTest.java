package dev.memorymcp.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
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
    Object appliedAt =
        column(store.readerPool(), "SELECT applied_at FROM schema_migrations").get(0);
    assertThat(versions).containsExactly(1);

    reopen();
    reopen();

    assertThat(column(store.readerPool(), "SELECT version FROM schema_migrations"))
        .containsExactly(1);
    assertThat(column(store.readerPool(), "SELECT applied_at FROM schema_migrations"))
        .containsExactly(appliedAt);
    assertThat(column(store.readerPool(),
        "SELECT name FROM pragma_table_list WHERE schema = 'main' "
            + "AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite%' ORDER BY name"))
        .containsExactly("events", "memories", "memories_fts", "memories_fts_trigram", "meta",
            "relations", "schema_migrations", "vectors");
  }

  @Test
  @DisplayName("NORMAL store: WAL, synchronous=NORMAL, busy_timeout and foreign keys on the writer")
  void pragmasApplyWithNormal() {
    assertThat(column(store.writerPool(), "PRAGMA journal_mode")).containsExactly("wal");
    assertThat(column(store.writerPool(), "PRAGMA synchronous")).containsExactly(1);
    assertThat(column(store.writerPool(), "PRAGMA busy_timeout")).containsExactly(5000);
    assertThat(column(store.writerPool(), "PRAGMA foreign_keys")).containsExactly(1);
    assertThat(column(store.readerPool(), "PRAGMA journal_mode")).containsExactly("wal");
    assertThat(column(store.readerPool(), "PRAGMA busy_timeout")).containsExactly(5000);
  }

  @Test
  @DisplayName("FULL store: synchronous=FULL on the writer")
  void pragmasApplyWithFull() {
    store.close().await();
    store = open("FULL");
    assertThat(column(store.writerPool(), "PRAGMA journal_mode")).containsExactly("wal");
    assertThat(column(store.writerPool(), "PRAGMA synchronous")).containsExactly(2);
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
  @DisplayName("V1 has one statement per table and index")
  void v1Loads() {
    List<Migrations.Script> scripts = Migrations.load();
    assertThat(scripts).extracting(Migrations.Script::version).containsExactly(1);
    assertThat(scripts.get(0).statements()).hasSize(12)
        .allSatisfy(s -> assertThat(s).doesNotEndWith(";").doesNotStartWith("--"));
  }
}
