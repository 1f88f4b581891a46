package dev.memorymcp.gateway.auth;

import dev.memorymcp.bus.Principal;

/**
 * Who is calling and from where: the principal its API key resolved to and the client address
 * (for the audit log and the per-address rate limit).
 */
public record Caller(Principal principal, String client) {
  /** A local process with no key: stdio MCP (its user started the server) and tests. */
  public static final Caller LOCAL = new Caller(Principal.ANONYMOUS, "local");
}
