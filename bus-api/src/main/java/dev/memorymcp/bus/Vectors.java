package dev.memorymcp.bus;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** float32 vectors as little-endian bytes: compact on the bus (base64 across the cluster) and in BLOBs. */
public final class Vectors {
  private Vectors() {}

  public static byte[] toBytes(float[] v) {
    ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bb.asFloatBuffer().put(v);
    return bb.array();
  }

  public static float[] fromBytes(byte[] bytes) {
    float[] v = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  public static Buffer toBuffer(float[] v) {
    return Buffer.buffer(toBytes(v));
  }

  public static float[] fromBuffer(Buffer b) {
    return fromBytes(b.getBytes());
  }

  /** Dot product; equals cosine for the unit-length vectors the embedder produces. */
  public static float dot(float[] a, float[] b) {
    float s = 0f;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
