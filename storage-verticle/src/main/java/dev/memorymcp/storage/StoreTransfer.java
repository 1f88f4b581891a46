package dev.memorymcp.storage;

import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.bus.Relation;
import io.vertx.core.Future;
import java.util.List;

/**
 * Copying a store's whole content to another store (the migration between backends). The unit is
 * one memory id with everything kept about it: the memory (null once deleted, whose history is
 * kept too), its vector, its whole event history and the relations it is the source of. Writing an
 * item replaces what the target has for that id, so copying the same item twice changes nothing:
 * an interrupted migration resumes by copying its last batch again.
 */
public interface StoreTransfer {

  /** One memory id's complete record in a namespace. */
  record Item(String id, Memory memory, float[] vector, List<MemoryEvent> history, List<Relation> relations) {}

  /** A page of items and the cursor of the next one (null: this was the last page). */
  record ItemPage(List<Item> items, String cursor) {}

  /** The namespaces that hold memories or history, sorted. */
  Future<List<String>> namespaces();

  /**
   * The number of items in a namespace: memory ids with a memory or any history. Every memory
   * gets a CREATE event when it is made, so this is also the number of memories ever created
   * there, deleted ones included (how the Qdrant store counts them).
   */
  Future<Long> itemCount(String namespace);

  /**
   * Up to {@code limit} items of a namespace, from {@code cursor} (null: the start; otherwise the
   * cursor of the previous page, opaque and stable across restarts, so it can be checkpointed).
   */
  Future<ItemPage> readItems(String namespace, String cursor, int limit);

  /**
   * Replaces, for each item's id, the memory, its keyword index, its vector, its history and the
   * relations it is the source of with the item's; the item's history keeps its times, actors and
   * data. Relations may name targets that a later call brings.
   */
  Future<Void> writeItems(String namespace, List<Item> items);
}
