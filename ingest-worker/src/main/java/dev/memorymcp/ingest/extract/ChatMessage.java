package dev.memorymcp.ingest.extract;

/** One conversation turn as posted to the ingest API: role is user | assistant | system | tool. */
public record ChatMessage(String role, String content, Long timestamp) {
  public boolean fromUser() {
    return "user".equals(role);
  }
}
