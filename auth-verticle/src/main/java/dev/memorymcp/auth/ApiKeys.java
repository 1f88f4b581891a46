package dev.memorymcp.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * API key format and hashing. A key is {@code mk_<id>_<secret>}: a 48-bit public id (12 hex
 * characters) that finds the row, and a 256-bit random secret (base64url). Only an HMAC-SHA256 of
 * the whole key under a server secret ({@code auth.secret}, never in the database) is stored, and it
 * is compared in constant time: a copy of auth.db alone neither reveals nor lets anyone test keys.
 */
public final class ApiKeys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "mk_";

  private ApiKeys() {}

  /** A new key: its id and the whole key text (shown to its owner once). */
  public record NewKey(String id, String key) {}

  public static NewKey generate() {
    byte[] id = new byte[6];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    String hexId = HexFormat.of().formatHex(id);
    return new NewKey(hexId, PREFIX + hexId + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
  }

  /** The id part of a well-formed key, else null (never throws on attacker input). */
  public static String idOf(String key) {
    if (key == null || key.length() != 3 + 12 + 1 + 43 || !key.startsWith(PREFIX) || key.charAt(15) != '_') {
      return null;
    }
    String id = key.substring(3, 15);
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return null;
      }
    }
    return id;
  }

  /** HMAC-SHA256 of the key under {@code serverSecret}. */
  public static byte[] hash(byte[] serverSecret, String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(serverSecret, "HmacSHA256"));
      return mac.doFinal(key.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Constant-time comparison of two secrets of any length (both are hashed first). */
  public static boolean sameSecret(String a, String b) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] da = sha.digest(a.getBytes(StandardCharsets.UTF_8));
      byte[] db = sha.digest(b.getBytes(StandardCharsets.UTF_8));
      return MessageDigest.isEqual(da, db);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
