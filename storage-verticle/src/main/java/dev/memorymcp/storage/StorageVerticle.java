package dev.memorymcp.storage;

import dev.memorymcp.bus.Addresses;
import dev.memorymcp.bus.Bus;
import dev.memorymcp.bus.Fields;
import dev.memorymcp.bus.Namespaces;
import dev.memorymcp.bus.JsonHandler;
import dev.memorymcp.bus.MemoryException;
import dev.memorymcp.bus.ProcessLock;
import dev.memorymcp.storage.MemoryStore.ModelStamp;
import dev.memorymcp.storage.catalogue.Catalogue;
import dev.memorymcp.storage.catalogue.GraphView;
import dev.memorymcp.storage.dedupe.DuplicateFinder;
import dev.memorymcp.storage.dedupe.DedupePolicy;
import dev.memorymcp.storage.dedupe.DedupeThresholds;
import dev.memorymcp.storage.qdrant.QdrantMemoryStore;
import dev.memorymcp.storage.migrate.MigrationJobs;
import dev.memorymcp.storage.migrate.StoreOpeners;
import dev.memorymcp.storage.ingest.IngestQueue;
import dev.memorymcp.storage.ingest.QdrantIngestQueue;
import dev.memorymcp.storage.ingest.SqliteIngestQueue;
import dev.memorymcp.storage.qdrant.QdrantCalls;
import dev.memorymcp.storage.sqlite.SqliteMemoryStore;
import dev.memorymcp.storage.sqlite.VectorIndexOptions;
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
  private IngestQueue ingestQueue;
  private MemoryService service;
  private AccessRecorder accesses;
  private Path dbFile;
  /** Where the memories are, for log lines and errors: the SQLite file or the Qdrant URL. */
  private String location;
  private ProcessLock lock;
  private MigrationJobs migrations;
  private ExpiryCleanup cleanup;
  private TransferApi transfers;
  private OnlineRebuild rebuild;
  private final StorageMetrics metrics = new StorageMetrics();

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
      // with qdrant too: migration state (and the ingest queue unless it is shared) is in the data dir
      lock = DataDirLock.acquire(dbFile);
    } catch (IOException | IllegalStateException e) {
      return Future.failedFuture(e);
    }
    try {
      store = "qdrant".equals(backend)
          ? new QdrantMemoryStore(vertx, cfg.getString("qdrant.url", "http://127.0.0.1:6334"),
              cfg.getString("qdrant.api_key", ""), cfg.getString("qdrant.collection_prefix", "memory_"))
          : new SqliteMemoryStore(vertx, dbFile, cfg.getString("storage.synchronous", "FULL"),
          VectorIndexOptions.from(cfg));
    } catch (IllegalArgumentException e) {
      lock.close();
      return Future.failedFuture(e);
    }
    location = "qdrant".equals(backend) ? "Qdrant at " + cfg.getString("qdrant.url", "")
        + " (collections " + cfg.getString("qdrant.collection_prefix", "memory_") + "*)"
        : dbFile.toString();
    try {
      ingestQueue = ingestQueue(cfg, backend);
    } catch (IllegalArgumentException e) {
      lock.close();
      return Future.failedFuture(e);
    }
    EmbeddingClient embeddings = new EmbeddingClient(vertx);
    return store.open()
        .compose(v -> ingestQueue.open())
        .compose(v -> embeddings.info(60))
        .compose(configured -> servingModel(configured, embeddings, cfg).compose(serving -> {
          DedupePolicy policy = new DedupePolicy(DedupeThresholds.of(serving.model(), cfg), serving.multilingual());
          service = new MemoryService(store, embeddings, policy, cfg.getBoolean("dedupe.enabled", true),
              cfg.getBoolean("catalogue.infer", true), serving.model(),
              TtlPolicy.parse(cfg.getString("ttl.days_by_type", "")));
          ModelStamp target = new ModelStamp(configured.model(), configured.dimension());
          rebuild = new OnlineRebuild(vertx, store, embeddings, service, target,
              new ModelStamp(serving.model(), serving.dimension()), cfg.getLong("rebuild.pause_ms", 0L), () -> {
                embeddings.useModel(null);
                service.useModel(configured.model(),
                    new DedupePolicy(DedupeThresholds.of(configured.model(), cfg), configured.multilingual()));
              });
          cleanup = new ExpiryCleanup(vertx, store, service);
          cleanup.schedule(cfg.getInteger("ttl.cleanup_interval_minutes", 60));
          transfers = new TransferApi((StoreTransfer) store, service, embeddings, rebuild);
          LOG.info("storage ready: {} ({}), model {} dim {}, dedupe thresholds {}", location, backend,
              serving.model(), serving.dimension(), policy.thresholds());
          accesses = new AccessRecorder(vertx, store, service);
          migrations = new MigrationJobs(vertx, dbFile.resolveSibling(MIGRATIONS_DIR),
              new StoreOpeners(vertx, cfg, store, dbFile));
          return registerAll(new StorageApi(store, service, accesses, rebuild), new Rebuilder(vertx, store, embeddings),
              new IngestQueueApi(ingestQueue, cfg), new Curation(store, service, embeddings))
              .compose(v -> switching(serving, target, skip(cfg)));
        }))
        .onSuccess(switching -> {
          metrics.start(vertx, () -> store.count(null), ingestQueue::counts);
          if (switching) {
            rebuild.start(new JsonObject()); // in the background; status on GET /api/v1/admin/rebuild
          }
        })
        .onSuccess(v -> migrations.resumeUnfinished() // in the background: start does not wait for it
            .onFailure(err -> LOG.error("resuming unfinished migrations failed: {}", err.getMessage())))
        .recover(err -> Future.join(store.close(), ingestQueue.close()).transform(ar -> {
          lock.close(); // a verticle whose start failed is never stopped
          return Future.failedFuture(err);
        }));
  }

  /**
   * The ingest queue of {@code ingest.queue}: {@code sqlite} (ingest.db in the data dir, this
   * member's own), {@code qdrant} (one collection every storage member shares), or {@code auto}
   * (the storage backend's: a cluster of Qdrant storage members needs the shared one).
   */
  private IngestQueue ingestQueue(JsonObject cfg, String backend) {
    String kind = cfg.getString("ingest.queue", "auto");
    if ("auto".equals(kind)) {
      kind = backend;
    }
    int depth = cfg.getInteger("ingest.queue_depth", 10_000);
    return switch (kind) {
      case "sqlite" -> new SqliteIngestQueue(vertx, dbFile.resolveSibling(INGEST_DB_FILE),
          cfg.getString("storage.synchronous", "FULL"), depth, Ids::newId);
      case "qdrant" -> {
        String url = cfg.getString("qdrant.url", "http://127.0.0.1:6334");
        yield new QdrantIngestQueue(vertx, new QdrantCalls(vertx, QdrantCalls.connect(url,
            cfg.getString("qdrant.api_key", "")), url, java.time.Duration.ofSeconds(30)),
            cfg.getString("qdrant.collection_prefix", "memory_"), depth, Ids::newId);
      }
      default -> throw new IllegalArgumentException("ingest.queue must be auto, sqlite or qdrant, got '" + kind + "'");
    };
  }

  private static boolean skip(JsonObject cfg) {
    return cfg.getBoolean("storage.skip_model_check", false);
  }

  /**
   * Whether a rebuild must run: the store serves another model than the configured one, or a rebuild
   * towards the configured one was cut short. Another unfinished rebuild's vectors are dropped (the
   * model was changed back, or the offline rebuild ran).
   */
  private Future<Boolean> switching(EmbeddingClient.Info serving, ModelStamp configured, boolean skip) {
    if (!serving.model().equals(configured.model())) {
      return Future.succeededFuture(true);
    }
    return store.rebuildTarget().compose(target -> {
      if (target == null) {
        return Future.succeededFuture(false);
      }
      if (target.equals(configured) && !skip) {
        return Future.succeededFuture(true);
      }
      LOG.info("dropping the vectors of an unfinished rebuild to {}", target.model());
      return store.abandonRebuild().map(false);
    });
  }

  /**
   * The model whose vectors answer recall: the configured one, unless the store was filled with
   * another. Then, on a store that re-embeds online (and with embedding.on_model_change=rebuild), the
   * old model keeps serving while a rebuild runs; otherwise the start fails naming the offline rebuild.
   */
  private Future<EmbeddingClient.Info> servingModel(EmbeddingClient.Info configured, EmbeddingClient embeddings, JsonObject cfg) {
    boolean skip = skip(cfg);
    return store.modelStamp().compose(stamp -> {
      if (stamp == null) {
        return store.stampModel(new ModelStamp(configured.model(), configured.dimension())).map(configured);
      }
      if (skip || stamp.model().equals(configured.model()) && stamp.dimension() == configured.dimension()) {
        return Future.succeededFuture(configured);
      }
      String refusal = String.format("the store %s holds vectors of model %s (dimension %d) but the configured model is %s "
              + "(dimension %d). Re-embed every memory with the new model by running: "
              + "java -jar server/target/memory-server.jar rebuild  (or set MEMORY_MCP_EMBEDDING_MODEL "
              + "back to %s)", location, stamp.model(), stamp.dimension(), configured.model(),
          configured.dimension(), stamp.model());
      if (stamp.model().equals(configured.model())) { // one name, two dimensions: a custom model directory changed
        return Future.failedFuture(new IllegalStateException(refusal));
      }
      if (!store.rebuildsOnline()) {
        return Future.failedFuture(new IllegalStateException(refusal + ". The " + store.backend()
            + " backend cannot re-embed while serving."));
      }
      if (!"rebuild".equals(cfg.getString("embedding.on_model_change", "rebuild"))) {
        return Future.failedFuture(new IllegalStateException(refusal + " (embedding.on_model_change="
            + cfg.getString("embedding.on_model_change") + ")"));
      }
      // the old model must answer queries until the new vectors are complete
      return embeddings.info(stamp.model())
          .recover(err -> Future.failedFuture(new IllegalStateException(refusal + ". It cannot keep serving while "
              + "re-embedding, because " + stamp.model() + " cannot be loaded here: " + err.getMessage())))
          .onSuccess(old -> {
            embeddings.useModel(old.model());
            LOG.warn("the store holds vectors of {}; they keep answering recall while every memory is re-embedded "
                + "with {} (GET /api/v1/admin/rebuild shows the progress)", old.model(), configured.model());
          });
    });
  }

  private Future<Void> registerAll(StorageApi api, Rebuilder rebuilder, IngestQueueApi ingest, Curation curation) {
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
    reg(regs, Addresses.STORE_COUNTS, this::counts);
    Catalogue catalogue = new Catalogue(store);
    reg(regs, Addresses.STORE_CATALOGUE, catalogue::answer);
    reg(regs, Addresses.STORE_DUPLICATES, new DuplicateFinder(store, service::policy)::answer);
    reg(regs, Addresses.STORE_GRAPH, new GraphView(store)::graph);
    reg(regs, Addresses.STORE_MERGE, curation::merge);
    reg(regs, Addresses.STORE_RESTORE, curation::restore);
    reg(regs, Addresses.STORE_CLEAN, curation::clean);
    reg(regs, Addresses.STORE_WRITE_KEY, api::writeKey);
    reg(regs, Addresses.INGEST_ENQUEUE, ingest::enqueue);
    reg(regs, Addresses.INGEST_GET, ingest::get);
    reg(regs, Addresses.INGEST_LIST, ingest::list);
    reg(regs, Addresses.INGEST_CLAIM, ingest::claim);
    reg(regs, Addresses.INGEST_CHECKPOINT, ingest::checkpoint);
    reg(regs, Addresses.INGEST_RENEW, ingest::renew);
    reg(regs, Addresses.INGEST_COMPLETE, ingest::complete);
    reg(regs, Addresses.INGEST_FAIL, ingest::fail);
    reg(regs, Addresses.STORE_REBUILD, body -> service.serial("\u0000rebuild", () -> rebuilder.run(body)));
    reg(regs, Addresses.STORE_REBUILD_START, rebuild::start);
    reg(regs, Addresses.STORE_REBUILD_STATUS, body -> Future.succeededFuture(rebuild.status()));
    reg(regs, Addresses.STORE_MIGRATE_START, body -> rebuild.refuseWhileRunning("a migration")
        .compose(v -> migrations.start(body)));
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

  private Future<JsonObject> counts(JsonObject body) {
    List<String> names = Fields.optStrings(body, "namespaces", Namespaces.MAX_LISTED, 256);
    List<Future<Long>> counts = (names == null ? List.<String>of() : names).stream().map(store::count).toList();
    return Future.all(counts).map(cf -> {
      JsonObject out = new JsonObject();
      for (int i = 0; i < counts.size(); i++) {
        out.put(names.get(i), counts.get(i).result());
      }
      return new JsonObject().put("counts", out);
    });
  }

  private Future<JsonObject> stats(JsonObject body) {
    String ns = body.getString("namespace");
    return Future.all(store.count(ns), store.modelStamp(), ingestQueue.counts()).map(cf -> {
      MemoryStore.ModelStamp stamp = cf.resultAt(1);
      return new JsonObject().put("backend", store.backend()).put("memories", cf.<Long>resultAt(0))
          .put("ingest_jobs", cf.<JsonObject>resultAt(2))
          .put("model", stamp == null ? null : stamp.model())
          .put("dimension", stamp == null ? null : stamp.dimension())
          .put("rebuild", rebuild.running() ? rebuild.status() : null)
          .put("vector_index", store instanceof SqliteMemoryStore sqlite && sqlite.vectorIndexStatus() != null
              ? new JsonObject(sqlite.vectorIndexStatus()) : null)
          .put("loading", store instanceof SqliteMemoryStore sqlite && sqlite.loadingStatus() != null
              ? new JsonObject(sqlite.loadingStatus()) : null);
    });
  }

  @Override
  public Future<?> stop() {
    metrics.stop(vertx);
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
