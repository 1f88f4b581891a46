package dev.memorymcp.bus;

/**
 * Event-bus addresses, one place for all of them. Every body is a JsonObject; the keys are
 * documented on each constant and built/parsed by the records of this package.
 */
public final class Addresses {
  private Addresses() {}

  /** {texts: [..], kind: "query"|"passage"} → {model, dimension, vectors: [Buffer(float32 LE)]}. */
  public static final String EMBED = "memory.embedding.embed";
  /** {} → {model, dimension, multilingual, max_tokens}. */
  public static final String EMBED_INFO = "memory.embedding.info";
  /**
   * {query, texts (at most 64)} → {scores: [0..1], model}: the configured cross-encoder's score of each
   * (query, text) pair; fails with UNAVAILABLE when no reranker is configured.
   */
  public static final String EMBED_RERANK = "memory.embedding.rerank";

  /** {namespace, memory: MemoryInput json} → {id, action, memory, similar, masked}. */
  public static final String STORE_REMEMBER = "memory.storage.remember";
  /** {namespace, memories: [MemoryInput json], dedupe} → {results: [{id, action}], masked}; one transaction. */
  public static final String STORE_REMEMBER_BATCH = "memory.storage.remember_batch";
  /** {namespace, id} → {memory}. */
  public static final String STORE_GET = "memory.storage.get";
  /** {namespace, ids: [..], with_vectors?} → {memories: [memory (+ vector Buffer)]}, unknown ids left out. */
  public static final String STORE_GET_MANY = "memory.storage.get_many";
  /** {namespace, id, patch: MemoryPatch json} → {memory}. */
  public static final String STORE_UPDATE = "memory.storage.update";
  /** {namespace, id} → {id, deleted: true}. */
  public static final String STORE_DELETE = "memory.storage.delete";
  /** {namespace, query?, type?, before?, confirm} → {dry_run, count, memories|deleted}. */
  public static final String STORE_FORGET = "memory.storage.forget";
  /** {namespace, filters, limit, cursor?} → {memories, next_cursor}. */
  public static final String STORE_LIST = "memory.storage.list";
  /** {namespace, id} → {events}. */
  public static final String STORE_HISTORY = "memory.storage.history";
  /** {namespace, source_id, target_id, relation_type, properties?, bidirectional?} → {relations}. */
  public static final String STORE_RELATE = "memory.storage.relate";
  /** {namespace, ids} → {relations}: every relation touching one of the ids. */
  public static final String STORE_RELATIONS = "memory.storage.relations";
  /** {namespace, vector: Buffer, k, filters} → {candidates: [{id, score}]}. */
  public static final String STORE_VECTOR_CANDIDATES = "memory.storage.vector_candidates";
  /** {namespace, terms: [..], words: [..] (Japanese words), k, filters, principal?} → {candidates: [{id, score}]}. */
  public static final String STORE_KEYWORD_CANDIDATES = "memory.storage.keyword_candidates";
  /**
   * {namespace, ids (at most 200), window (1..5), filters, principal?} → {neighbours: {id: [ids]}}: each
   * memory's neighbours in its session (search's session context and expansion; not a gateway address).
   */
  public static final String STORE_SESSION_NEIGHBOURS = "memory.storage.session_neighbours";
  /** {namespace, ids, session_id?} fire-and-forget: ACCESS events + counters. */
  public static final String STORE_ACCESS = "memory.storage.access";
  /** {batch_size?} → {memories, model, dimension}; progress is published on {@link #STORE_REBUILD_PROGRESS}. */
  public static final String STORE_REBUILD = "memory.storage.rebuild";
  /** {batch_size?} → the status at once: re-embeds with the configured model while the old vectors serve (SQLite). */
  public static final String STORE_REBUILD_START = "memory.storage.rebuild.start";
  /** {} → {status: idle|running|done|failed, from, to, done, total, serving_model, started_at, finished_at, error}. */
  public static final String STORE_REBUILD_STATUS = "memory.storage.rebuild.status";
  /**
   * Published {from, to} when an online rebuild has switched the store's vectors to another model:
   * searches embed queries with {@code to} from then on, and embedding members free {@code from}.
   */
  public static final String STORE_MODEL_SWITCHED = "memory.storage.model.switched";
  /** Published {done, total} while a rebuild runs. */
  public static final String STORE_REBUILD_PROGRESS = "memory.storage.rebuild.progress";
  /**
   * {source, target, namespace?, batch_size?, dry_run?} → the new migration job's state (status
   * running); 409 MIGRATION_RUNNING while one runs.
   */
  public static final String STORE_MIGRATE_START = "memory.storage.migrate.start";
  /** {job_id} → the job's latest state (counts per namespace, verify once done); 404 MIGRATION_NOT_FOUND. */
  public static final String STORE_MIGRATE_GET = "memory.storage.migrate.get";
  /** {namespace, kind: categories|tags|projects|stats, scope_id?} → the counts (see the README's Catalogue). */
  public static final String STORE_CATALOGUE = "memory.storage.catalogue";
  /** {namespace, threshold?, limit?, max_scan?, scope_id?} → {pairs: [{newer, older, dense, lexical, verdict, reason}], scanned, truncated}. */
  public static final String STORE_DUPLICATES = "memory.storage.duplicates";
  /** {namespace, ids, into?} → {memory, merged}: chosen memories folded into one (admin). */
  public static final String STORE_MERGE = "memory.storage.merge";
  /** {namespace, id, event_seq?} → {memory, restored, from_event}: back from a DELETE, or before an UPDATE / MERGE. */
  public static final String STORE_RESTORE = "memory.storage.restore";
  /** {namespace, confirm?} → {dry_run, groups, duplicates}: exact duplicates merged into their oldest (admin). */
  public static final String STORE_CLEAN = "memory.storage.clean";
  /** {namespace, scope_id?, limit?} → {nodes, edges}. */
  public static final String STORE_GRAPH = "memory.storage.graph";
  /** {namespace, status?, limit?} → {jobs}: the namespace's newest ingest jobs. */
  public static final String INGEST_LIST = "memory.ingest.list";
  /** {namespaces: [..]} → {counts: {namespace: memories}}: for the gateway's namespace list (after its own grant check). */
  public static final String STORE_COUNTS = "memory.storage.counts";
  /** {} → {backend, memories, model, dimension}. */
  public static final String STORE_STATS = "memory.storage.stats";

  /**
   * {namespace, key} → {event} or {event: null}: the event a write with this write key left (the
   * ingest worker's idempotency check; remember/update bodies may carry {write_key, job_id}).
   */
  public static final String STORE_WRITE_KEY = "memory.storage.write_key";

  /** IngestRequest json + {namespace, idempotency_key?} → {job_id, status, duplicate}; 429 past the queue depth. */
  public static final String INGEST_ENQUEUE = "memory.storage.ingest.enqueue";
  /** {namespace, job_id} → {job}. */
  public static final String INGEST_GET = "memory.storage.ingest.get";
  /** {worker, limit, lease_ms} → {jobs: [{id, namespace, session_id, metadata, messages, attempts, extraction?}]}. */
  public static final String INGEST_CLAIM = "memory.storage.ingest.claim";
  /** {job_id, worker, extraction} → {}: the extracted facts, saved before the first memory write. */
  public static final String INGEST_CHECKPOINT = "memory.storage.ingest.checkpoint";
  /** {job_id, worker, lease_ms} → {}: a worker's heartbeat, renewing the lease of a job it still runs. */
  public static final String INGEST_RENEW = "memory.storage.ingest.renew";
  /** {job_id, worker, result} → {status: done}. */
  public static final String INGEST_COMPLETE = "memory.storage.ingest.complete";
  /** {job_id, worker, error} → {status: queued|failed, next_attempt_at?}. */
  public static final String INGEST_FAIL = "memory.storage.ingest.fail";
  /** Published {} after new jobs are durable, so idle workers claim at once instead of at the next poll. */
  public static final String INGEST_AVAILABLE = "memory.ingest.available";

  /** {key} → {principal} (Principal json); 401 UNAUTHORIZED for an unknown, revoked or expired key. */
  public static final String AUTH_RESOLVE = "memory.auth.resolve";
  /** {name, role, namespaces, expires_at?, actor} → {key (shown once), key_info}. */
  public static final String AUTH_KEY_CREATE = "memory.auth.keys.create";
  /** {include_revoked?} → {keys: [key_info]} (never a key or its hash). */
  public static final String AUTH_KEY_LIST = "memory.auth.keys.list";
  /** {id, actor} → {key_info}; 404 KEY_NOT_FOUND. */
  public static final String AUTH_KEY_REVOKE = "memory.auth.keys.revoke";
  /** Published {} after a key changed, so gateways drop the principals they cached. */
  public static final String AUTH_CHANGED = "memory.auth.changed";
  /**
   * Fire-and-forget {actor, actor_name?, role?, action, resource?, namespace?, ids?, client?, outcome,
   * detail?}: one audit-log line; never contents or secrets.
   */
  public static final String AUDIT_APPEND = "memory.auth.audit.append";
  /** {since?, until?, actor?, action?, namespace?, limit?, cursor?} → {entries, next_cursor}, newest first. */
  public static final String AUDIT_QUERY = "memory.auth.audit.query";

  /** {principal} → {purged, namespaces}: deletes every expired memory now (the TTL cleanup). */
  public static final String STORE_CLEANUP = "memory.storage.cleanup";
  /**
   * {namespace, cursor?, limit?, with_vectors?} → {items: [export line], cursor}: one page of a
   * namespace's export (memories with history and relations).
   */
  public static final String STORE_EXPORT_PAGE = "memory.storage.export.page";
  /** {namespace, items: [export line], principal} → {written, reembedded}: an import page, idempotent by id. */
  public static final String STORE_IMPORT_PAGE = "memory.storage.import.page";
  /** {} → {namespaces: [..]}: the namespaces that hold memories or history. */
  public static final String STORE_NAMESPACES = "memory.storage.namespaces";

  /**
   * {namespace, query, limit?, search_type?, filters?, include_relations?, session_id?,
   * record_access? (false: no ACCESS events, for internal lookups)} → {results, search_type, took_ms}.
   */
  public static final String SEARCH = "memory.search.query";
  /**
   * {} → {warmup: {state: waiting|running|done|skipped|failed, queries, took_ms}}: the search
   * member's start-up warm-up, for health's {@code warm} (internal: no caller reaches it).
   */
  public static final String SEARCH_STATUS = "memory.search.status";

  /**
   * Local to each clustered node, absent in the embedded mode: {} → {name, node_id, members:
   * [{node_id, roles, host, version, self}], roles: {role: [node_id]}, missing: [role]}; a role
   * is missing when no live member answers its {@link #clusterPing} address.
   */
  public static final String CLUSTER_STATUS = "memory.cluster.status";

  /** {} → {node_id}: served by every member that runs {@code role} (lower case), for health checks. */
  public static String clusterPing(String role) {
    return "memory.cluster.ping." + role;
  }
}
