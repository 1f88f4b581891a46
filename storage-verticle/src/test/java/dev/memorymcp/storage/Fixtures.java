package dev.memorymcp.storage;

import dev.memorymcp.bus.Filters;
import dev.memorymcp.bus.Memory;
import dev.memorymcp.bus.MemoryEvent;
import dev.memorymcp.storage.MemoryStore;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Test data: a memory builder with plain defaults, events, and unit vectors. */
public final class Fixtures {
  private Fixtures() {}

  public static final long T0 = 1_760_000_000_000L;

  public static Builder memory(String namespace, String id, String content) {
    return new Builder(namespace, id, content);
  }

  public static MemoryEvent createEvent(Memory m) {
    return MemoryEvent.of(m.id(), m.namespace(), MemoryEvent.CREATE, "test", m.sessionId(),
        new JsonObject().put("memory", m.toJson()), m.createdAt());
  }

  public static MemoryEvent updateEvent(Memory before, Memory after) {
    return MemoryEvent.of(after.id(), after.namespace(), MemoryEvent.UPDATE, "test",
        after.sessionId(), new JsonObject().put("old", before.toJson()).put("new", after.toJson()),
        after.updatedAt());
  }

  /** Every page of a listing, following cursors (at most 100 pages). */
  public static List<MemoryStore.Page> allPages(MemoryStore store, String ns,
      Filters f, int limit) {
    List<MemoryStore.Page> pages = new ArrayList<>();
    String cursor = null;
    do {
      MemoryStore.Page p = store.list(ns, f, limit, cursor).await();
      pages.add(p);
      cursor = p.nextCursor();
    } while (cursor != null && pages.size() < 100);
    return pages;
  }

  /** The vector scaled to unit length. */
  public static float[] unit(float... v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(norm));
    }
    return out;
  }

  /** A random unit vector. */
  public static float[] random(java.util.Random rnd, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return unit(v);
  }

  public static final class Builder {
    private final String namespace;
    private final String id;
    private String content;
    private String type = "note";
    private String scope = "global";
    private String scopeId;
    private String name;
    private String summary;
    private List<String> tags = List.of();
    private String category;
    private double importance = 0.5;
    private double confidence = 1.0;
    private JsonObject metadata = new JsonObject();
    private String source = "manual";
    private String sessionId;
    private long createdAt = T0;
    private Long expiresAt;
    private String model = "test-model";

    Builder(String namespace, String id, String content) {
      this.namespace = namespace;
      this.id = id;
      this.content = content;
    }

    public Builder content(String v) {
      content = v;
      return this;
    }

    public Builder type(String v) {
      type = v;
      return this;
    }

    public Builder scope(String v, String id) {
      scope = v;
      scopeId = id;
      return this;
    }

    public Builder name(String v) {
      name = v;
      return this;
    }

    public Builder summary(String v) {
      summary = v;
      return this;
    }

    public Builder tags(String... v) {
      tags = List.of(v);
      return this;
    }

    public Builder category(String v) {
      category = v;
      return this;
    }

    public Builder importance(double v) {
      importance = v;
      return this;
    }

    public Builder confidence(double v) {
      confidence = v;
      return this;
    }

    public Builder metadata(JsonObject v) {
      metadata = v;
      return this;
    }

    public Builder source(String v) {
      source = v;
      return this;
    }

    public Builder session(String v) {
      sessionId = v;
      return this;
    }

    public Builder createdAt(long v) {
      createdAt = v;
      return this;
    }

    public Builder expiresAt(Long v) {
      expiresAt = v;
      return this;
    }

    public Memory build() {
      return new Memory(id, namespace, scope, scopeId, type, name, content, summary, tags,
          category, importance, confidence, metadata, source, sessionId, createdAt, createdAt,
          expiresAt, 0, null, model);
    }
  }
}
