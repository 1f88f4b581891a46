package dev.memorymcp.bench;

import java.util.Random;

/**
 * Generated memories and queries for the latency scenarios: short work facts like "Dana is
 * migrating to Terraform after the outage (note 123, ticket 4567)". The note number makes every
 * text unique; queries carry a number too, so the service's embedding cache never answers them.
 */
final class Corpus {
  static final String[] WHO = {"Alice", "Bob", "Chen", "Dana", "Emeka", "Fatima", "Goro", "Hana", "Ivan", "Jun"};
  static final String[] DOES = {"prefers", "decided to use", "is responsible for", "wants to learn", "dislikes",
      "recommended", "is migrating to", "wrote a guide about"};
  static final String[] WHAT = {"PostgreSQL", "Kotlin coroutines", "the billing service", "dark mode", "Rust",
      "weekly demos", "Terraform", "the mobile app", "GraphQL", "unit tests", "the staging cluster", "code reviews",
      "Kafka", "the design system", "pair programming", "Python type hints"};
  static final String[] WHY = {"because it is faster", "after the outage", "for the Q3 roadmap", "to reduce costs",
      "since the last retro", "for the new hires"};

  private final Random random;

  Corpus(long seed) {
    random = new Random(seed);
  }

  String memory(long note) {
    return WHO[random.nextInt(WHO.length)] + " " + DOES[random.nextInt(DOES.length)] + " "
        + WHAT[random.nextInt(WHAT.length)] + " " + WHY[random.nextInt(WHY.length)]
        + " (note " + note + ", ticket " + random.nextInt(100_000) + ")";
  }

  String query(long n) {
    return "who " + DOES[random.nextInt(DOES.length)] + " " + WHAT[random.nextInt(WHAT.length)] + " " + n;
  }
}
