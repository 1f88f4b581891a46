package dev.memorymcp.storage.sqlite;

import dev.memorymcp.bus.Memory;
import java.util.List;

/** The copies of memories the {@link VectorIndex} holds: strings shared, access counters kept. */
final class IndexedMemory {
  private IndexedMemory() {}

  /**
   * The memory with its low-cardinality strings shared (namespace, scope, scope id, type, category,
   * source, session id, model, tags): read row by row, each was a copy of its own, about 60 bytes
   * apiece, which at a million memories is hundreds of MiB of heap.
   */
  static Memory canonical(Memory m) {
    List<String> tags = m.tags() == null || m.tags().isEmpty() ? List.of()
        : m.tags().stream().map(String::intern).toList();
    return new Memory(m.id(), intern(m.namespace()), intern(m.scope()), intern(m.scopeId()), intern(m.type()),
        m.name(), m.content(), m.summary(), tags, intern(m.category()), m.importance(), m.confidence(),
        m.metadata(), intern(m.source()), intern(m.sessionId()), m.createdAt(), m.updatedAt(), m.expiresAt(),
        m.accessCount(), m.lastAccessed(), intern(m.embeddingModel()));
  }

  private static String intern(String s) {
    return s == null ? null : s.intern();
  }

  /** The store keeps access counters across updates (recordAccess may land in between): so does the index. */
  static Memory withAccess(Memory m, Memory old) {
    if (old == null || old.accessCount() <= m.accessCount()) {
      return m;
    }
    return new Memory(m.id(), m.namespace(), m.scope(), m.scopeId(), m.type(), m.name(),
        m.content(), m.summary(), m.tags(), m.category(), m.importance(), m.confidence(),
        m.metadata(), m.source(), m.sessionId(), m.createdAt(), m.updatedAt(), m.expiresAt(),
        old.accessCount(), old.lastAccessed(), m.embeddingModel());
  }

}
