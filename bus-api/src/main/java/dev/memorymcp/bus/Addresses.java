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

  /** {namespace, memory: MemoryInput json} → {id, action, memory, similar, masked}. */
  public static final String STORE_REMEMBER = "memory.storage.remember";
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
  /** {namespace, terms: [..], k, filters} → {candidates: [{id, score}]}. */
  public static final String STORE_KEYWORD_CANDIDATES = "memory.storage.keyword_candidates";
  /** {namespace, ids, session_id?} fire-and-forget: ACCESS events + counters. */
  public static final String STORE_ACCESS = "memory.storage.access";
  /** {batch_size?} → {memories, model, dimension}; progress is published on {@link #STORE_REBUILD_PROGRESS}. */
  public static final String STORE_REBUILD = "memory.storage.rebuild";
  /** Published {done, total} while a rebuild runs. */
  public static final String STORE_REBUILD_PROGRESS = "memory.storage.rebuild.progress";
  /** {} → {backend, memories, model, dimension}. */
  public static final String STORE_STATS = "memory.storage.stats";

  /** {namespace, query, limit?, search_type?, filters?, include_relations?} → {results, search_type, took_ms}. */
  public static final String SEARCH = "memory.search.query";
}
