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

  /**
   * Dot product; equals cosine for the unit-length vectors the embedder produces. Four independent
   * sums let the CPU overlap the multiply-adds (this is the inner loop of the vector scan).
   */
  public static float dot(float[] a, float[] b) {
    int n = a.length;
    int i = 0;
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    for (; i + 3 < n; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) {
      s0 += a[i] * b[i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
