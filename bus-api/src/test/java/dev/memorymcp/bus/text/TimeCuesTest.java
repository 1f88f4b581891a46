package dev.memorymcp.bus.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("time cues in queries")
class TimeCuesTest {
  /** Monday 2026-05-25, late evening. */
  static final long AS_OF = Instant.parse("2026-05-25T21:00:00Z").toEpochMilli();

  static long at(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  static TimeCues.Window cue(String q) {
    return TimeCues.find(q, AS_OF);
  }

  @Test
  @DisplayName("last week / 先週 is the calendar week before, a day wider on each side")
  void lastWeek() {
    for (String q : new String[] {"How did my race go last week?", "先週のレースはどうだった？"}) {
      TimeCues.Window w = cue(q);
      assertThat(w).as(q).isNotNull();
      assertThat(w.contains(at("2026-05-18T08:00:00Z"))).as(q).isTrue(); // Monday of the week before
      assertThat(w.contains(at("2026-05-24T23:00:00Z"))).as(q).isTrue(); // its Sunday
      assertThat(w.contains(at("2026-05-17T12:00:00Z"))).as(q).isTrue(); // a day wider: time zones
      assertThat(w.contains(at("2026-05-16T12:00:00Z"))).as(q).isFalse();
      assertThat(w.contains(at("2026-05-11T12:00:00Z"))).as(q).isFalse(); // two weeks ago
    }
    assertThat(cue("How did my race go last week?").cue()).isEqualTo("last week");
    assertThat(TimeCues.without("How did my race go last week?", cue("How did my race go last week?")))
        .doesNotContain("week");
    // a month or a date is also content a memory may say: it stays in the keyword query
    assertThat(TimeCues.without("what shipped in March?", cue("what shipped in March?"))).contains("March");
    assertThat(TimeCues.without("3月2日に何があった？", cue("3月2日に何があった？"))).contains("3月2日");
  }

  @Test
  @DisplayName("yesterday, N days ago, months, years, explicit dates; English and Japanese")
  void others() {
    assertThat(cue("what did I eat yesterday").contains(at("2026-05-24T13:00:00Z"))).isTrue();
    assertThat(cue("what did I eat yesterday").contains(at("2026-05-20T13:00:00Z"))).isFalse();
    assertThat(cue("昨日の夕飯は？").contains(at("2026-05-24T13:00:00Z"))).isTrue();
    assertThat(cue("3日前に何を買った？").contains(at("2026-05-22T10:00:00Z"))).isTrue();
    assertThat(cue("three weeks ago").contains(at("2026-05-04T10:00:00Z"))).isTrue();
    assertThat(cue("What did I read last month?").contains(at("2026-04-15T10:00:00Z"))).isTrue();
    assertThat(cue("What did I read last month?").contains(at("2026-05-15T10:00:00Z"))).isFalse();
    assertThat(cue("先月読んだ本").contains(at("2026-04-30T10:00:00Z"))).isTrue();
    assertThat(cue("去年の旅行").contains(at("2025-08-01T10:00:00Z"))).isTrue();
    assertThat(cue("去年の旅行").contains(at("2026-01-10T10:00:00Z"))).isFalse();
    // a month after the question's month is last year's
    assertThat(cue("what happened in October").contains(at("2025-10-10T10:00:00Z"))).isTrue();
    assertThat(cue("what happened in March").contains(at("2026-03-10T10:00:00Z"))).isTrue();
    assertThat(cue("3月2日に何があった？").contains(at("2026-03-02T10:00:00Z"))).isTrue();
    assertThat(cue("3月2日に何があった？").contains(at("2026-03-05T10:00:00Z"))).isFalse();
    assertThat(cue("notes from 2026-03-02").contains(at("2026-03-02T23:00:00Z"))).isTrue();
    assertThat(cue("recently").contains(at("2026-05-01T10:00:00Z"))).isTrue();
  }

  @Test
  @DisplayName("no cue: plain questions, impossible dates, 'may' the verb")
  void none() {
    assertThat(cue("When did I adopt the dog?")).isNull();
    assertThat(cue("which database do we use")).isNull();
    assertThat(cue("notes from 2026-13-45")).isNull();
    assertThat(cue("I may prefer tea")).isNull();
    assertThat(cue("13月の予定")).isNull();
    assertThat(cue("")).isNull();
  }
}
