package dev.memorymcp.storage;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.JsonHandler;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.ProcessLock;
import dev.memorymcp.storage.dedupe.DedupePolicy;
import dev.memorymcp.storage.dedupe.DedupeThresholds;
import dev.memorymcp.storage.internal.QdrantMemoryStore;
import dev.memorymcp.storage.migrate.MigrationJobs;
import dev.memorymcp.storage.migrate.StoreOpeners;
import dev.memorymcp.storage.internal.SqliteIngestQueue;
import dev.memorymcp.storage.internal.SqliteMemoryStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the memory store: every write and every candidate lookup goes through here. On start it
 * checks that the configured embedding model is the one the store was filled with, and refuses
 * to start otherwise (config {@code storage.skip_model_check} is for the rebuild command only).
 */
public class StorageVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StorageVerticle.class);
  /** The SQLite file name under the data directory. */
  public static final String DB_FILE = "memory.db";
  /** Migration jobs' state files, next to the memories. */
  public static final String MIGRATIONS_DIR = "migrations";
  /** The ingest queue's SQLite file, next to the memories. */
  public static final String INGEST_DB_FILE = "ingest.db";

  private MemoryStore store;
  private SqliteIngestQueue ingestQueue;
  private MemoryService service;
  private AccessRecorder accesses;
  private Path dbFile;
  /** Where the memories are, for log lines and errors: the SQLite file or the Qdrant URL. */
  private String location;
  private ProcessLock lock;
  private MigrationJobs migrations;
  private ExpiryCleanup cleanup;
  private TransferApi transfers;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    String backend = cfg.getString("storage.backend", "sqlite");
    if (!"sqlite".equals(backend) && !"qdrant".equals(backend)) {
      return Future.failedFuture(new IllegalArgumentException(
          "storage.backend must be sqlite or qdrant, got '" + backend + "'"));
    }
    dbFile = Path.of(cfg.getString("data_dir", "./data"), DB_FILE);
    try {
      // with qdrant too: the ingest queue stays a local SQLite file in the data dir
      lock = DataDirLock.acquire(dbFile);
    } catch (IOException | IllegalStateException e) {
      return Future.failedFuture(e);
    }
    try {
      store = "qdrant".equals(backend)
          ? new QdrantMemoryStore(vertx, cfg.getString("qdrant.url", "http://127.0.0.1:6334"),
              cfg.getString("qdrant.api_key", ""), cfg.getString("qdrant.collection_prefix", "memory_"))
          : new SqliteMemoryStore(vertx, dbFile, cfg.getString("storage.synchronous", "FULL"));
    } catch (IllegalArgumentException e) {
      lock.close();
      return Future.failedFuture(e);
    }
    location = "qdrant".equals(backend) ? "Qdrant at " + cfg.getString("qdrant.url", "")
        + " (collections " + cfg.getString("qdrant.collection_prefix", "memory_") + "*)"
        : dbFile.toString();
    ingestQueue = new SqliteIngestQueue(vertx, dbFile.resolveSibling(INGEST_DB_FILE),
        cfg.getString("storage.synchronous", "FULL"), cfg.getInteger("ingest.queue_depth", 10_000), Ids::newId);
    EmbeddingClient embeddings = new EmbeddingClient(vertx);
    return store.open()
        .compose(v -> ingestQueue.open())
        .compose(v -> embeddings.info(60))
        .compose(info -> checkModel(info, cfg.getBoolean("storage.skip_model_check", false)).map(info))
        .compose(info -> {
          DedupePolicy policy = new DedupePolicy(DedupeThresholds.of(info.model(), cfg), info.multilingual());
          service = new MemoryService(store, embeddings, policy, cfg.getBoolean("dedupe.enabled", true), info.model(),
              TtlPolicy.parse(cfg.getString("ttl.days_by_type", "")));
          cleanup = new ExpiryCleanup(vertx, store, service);
          cleanup.schedule(cfg.getInteger("ttl.cleanup_interval_minutes", 60));
          transfers = new TransferApi((StoreTransfer) store, service, embeddings, info.model(), info.dimension());
          LOG.info("storage ready: {} ({}), model {} dim {}, dedupe thresholds {}", location, backend,
              info.model(), info.dimension(), policy.thresholds());
          accesses = new AccessRecorder(vertx, store, service);
          migrations = new MigrationJobs(vertx, dbFile.resolveSibling(MIGRATIONS_DIR),
              new StoreOpeners(vertx, cfg, store, dbFile));
          return registerAll(new StorageApi(store, service, accesses), new Rebuilder(vertx, store, embeddings),
              new IngestQueueApi(ingestQueue, cfg));
        })
        .onSuccess(v -> migrations.resumeUnfinished() // in the background: start does not wait for it
            .onFailure(err -> LOG.error("resuming unfinished migrations failed: {}", err.getMessage())))
        .recover(err -> Future.join(store.close(), ingestQueue.close()).transform(ar -> {
          lock.close(); // a verticle whose start failed is never stopped
          return Future.failedFuture(err);
        }));
  }

  private Future<Void> checkModel(EmbeddingClient.Info info, boolean skip) {
    return store.modelStamp().compose(stamp -> {
      if (stamp == null) {
        return store.stampModel(new MemoryStore.ModelStamp(info.model(), info.dimension()));
      }
      if (skip || stamp.model().equals(info.model()) && stamp.dimension() == info.dimension()) {
        return Future.succeededFuture();
      }
      return Future.failedFuture(new IllegalStateException(String.format(
          "the store %s holds vectors of model %s (dimension %d) but the configured model is %s "
              + "(dimension %d). Re-embed every memory with the new model by running: "
              + "java -jar server/target/memory-server.jar rebuild  (or set MEMORY_MCP_EMBEDDING_MODEL "
              + "back to %s)", location, stamp.model(), stamp.dimension(), info.model(),
          info.dimension(), stamp.model())));
    });
  }

  private Future<Void> registerAll(StorageApi api, Rebuilder rebuilder, IngestQueueApi ingest) {
    List<Future<Void>> regs = new ArrayList<>();
    reg(regs, Addresses.STORE_REMEMBER, api::remember);
    reg(regs, Addresses.STORE_REMEMBER_BATCH, api::rememberBatch);
    reg(regs, Addresses.STORE_GET, api::get);
    reg(regs, Addresses.STORE_GET_MANY, api::getMany);
    reg(regs, Addresses.STORE_UPDATE, api::update);
    reg(regs, Addresses.STORE_DELETE, api::delete);
    reg(regs, Addresses.STORE_FORGET, api::forget);
    reg(regs, Addresses.STORE_LIST, api::list);
    reg(regs, Addresses.STORE_HISTORY, api::history);
    reg(regs, Addresses.STORE_RELATE, api::relate);
    reg(regs, Addresses.STORE_RELATIONS, api::relations);
    reg(regs, Addresses.STORE_VECTOR_CANDIDATES, api::vectorCandidates);
    reg(regs, Addresses.STORE_KEYWORD_CANDIDATES, api::keywordCandidates);
    reg(regs, Addresses.STORE_SESSION_NEIGHBOURS, api::sessionNeighbours);
    reg(regs, Addresses.STORE_ACCESS, api::access);
    reg(regs, Addresses.STORE_STATS, this::stats);
    reg(regs, Addresses.STORE_WRITE_KEY, api::writeKey);
    reg(regs, Addresses.INGEST_ENQUEUE, ingest::enqueue);
    reg(regs, Addresses.INGEST_GET, ingest::get);
    reg(regs, Addresses.INGEST_CLAIM, ingest::claim);
    reg(regs, Addresses.INGEST_CHECKPOINT, ingest::checkpoint);
    reg(regs, Addresses.INGEST_COMPLETE, ingest::complete);
    reg(regs, Addresses.INGEST_FAIL, ingest::fail);
    reg(regs, Addresses.STORE_REBUILD, body -> service.serial("\u0000rebuild", () -> rebuilder.run(body)));
    reg(regs, Addresses.STORE_MIGRATE_START, migrations::start);
    reg(regs, Addresses.STORE_MIGRATE_GET, migrations::get);
    reg(regs, Addresses.STORE_CLEANUP, body -> cleanup.run(body.getString("actor", ExpiryCleanup.ACTOR),
        body.getJsonObject("principal")));
    reg(regs, Addresses.STORE_EXPORT_PAGE, transfers::exportPage);
    reg(regs, Addresses.STORE_IMPORT_PAGE, transfers::importPage);
    reg(regs, Addresses.STORE_NAMESPACES, transfers::namespaces);
    return Future.all(regs).mapEmpty();
  }

  private void reg(List<Future<Void>> regs, String address, JsonHandler handler) {
    regs.add(Bus.register(vertx, address, handler));
  }

  private Future<JsonObject> stats(JsonObject body) {
    String ns = body.getString("namespace");
    return Future.all(store.count(ns), store.modelStamp(), ingestQueue.counts()).map(cf -> {
      MemoryStore.ModelStamp stamp = cf.resultAt(1);
      return new JsonObject().put("backend", store.backend()).put("memories", cf.<Long>resultAt(0))
          .put("ingest_jobs", cf.<JsonObject>resultAt(2))
          .put("model", stamp == null ? null : stamp.model())
          .put("dimension", stamp == null ? null : stamp.dimension());
    });
  }

  @Override
  public Future<?> stop() {
    if (store == null) {
      return Future.succeededFuture();
    }
    Future<Void> drained = (migrations == null ? Future.<Void>succeededFuture() : migrations.stop())
        .compose(v -> service == null ? Future.succeededFuture() : service.drain().compose(x -> accesses.flush()));
    return drained.eventually(() -> Future.join(ingestQueue.close(), store.close()))
        .onComplete(ar -> lock.close())
        .onSuccess(v -> LOG.info("storage closed cleanly: {}", location))
        .onFailure(err -> LOG.error("storage close failed: {}", MemoryException.from(err).getMessage()));
  }
}
