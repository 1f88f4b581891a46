package dev.memorymcp.bus.text;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Time expressions in a query, English and Japanese ("yesterday", "last week", "3 days ago", "in
 * March", "2026-03-02", 昨日, 先週, 先月, 去年, 3日前, 3月2日 …), turned into a window of time relative
 * to the moment the question is asked. Search boosts the memories said inside the window and drops
 * the expression from the keyword query (its words match every turn that mentions a week).
 *
 * <p>Days are UTC days: the service does not know the user's time zone. The windows are a day wider
 * than the calendar span on each side, so a turn said late in the evening elsewhere still falls in.
 */
public final class TimeCues {
  private TimeCues() {}

  private static final long DAY = 86_400_000L;

  /** A window [from, to] in epoch millis and the text that named it. */
  public record Window(long from, long to, String cue) {
    public boolean contains(long at) {
      return at >= from && at <= to;
    }
  }

  private static final String MONTHS = "january|february|march|april|may|june|july|august|september|october"
      + "|november|december";
  private static final Pattern EN = Pattern.compile("\\b(?:(yesterday|today|tonight|this morning|last night)"
      + "|(last|this|past|previous) (week|month|year)"
      + "|(a|an|one|two|three|four|five|six|\\d{1,2}) (day|week|month|year)s? ago"
      + "|(recently|lately|the other day)"
      + "|(?:in|on|during|back in) (" + MONTHS + ")(?: (\\d{4}))?"
      + "|(\\d{4})-(\\d{2})-(\\d{2}))\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern JA = Pattern.compile("(一昨日|おととい|昨日|きのう|今日|きょう)"
      + "|(先週|今週|先月|今月|去年|昨年|今年)"
      + "|(\\d{1,2}|[一二三四五六七八九十]{1,2})(日|週間|か月|ヶ月|カ月|年)前"
      + "|(最近|この前|この間)"
      + "|(\\d{1,2})月(?:(\\d{1,2})日)?");

  /** The first time expression of {@code query}, as a window relative to {@code asOf}; null if none. */
  public static Window find(String query, long asOf) {
    if (query == null || query.isBlank()) {
      return null;
    }
    LocalDate today = Instant.ofEpochMilli(asOf).atZone(ZoneOffset.UTC).toLocalDate();
    Matcher en = EN.matcher(query);
    if (en.find()) {
      Window w = english(en, today, asOf);
      if (w != null) {
        return w;
      }
    }
    Matcher ja = JA.matcher(query);
    if (ja.find()) {
      return japanese(ja, today, asOf);
    }
    return null;
  }

  /**
   * {@code query} without the expression {@code w} was read from, for the keyword side, when it is
   * relative ("last week", 先週, 3日前: words no memory says); a month or a date ("in March",
   * 3月2日, 2026-03-02) stays, since memories say those too.
   */
  public static String without(String query, Window w) {
    return w == null || ABSOLUTE.matcher(w.cue()).find() ? query : query.replace(w.cue(), " ");
  }

  private static final Pattern ABSOLUTE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}|\\d月|" + MONTHS,
      Pattern.CASE_INSENSITIVE);

  private static Window english(Matcher m, LocalDate today, long asOf) {
    String cue = m.group();
    if (m.group(1) != null) {
      return switch (m.group(1).toLowerCase(Locale.ROOT)) {
        case "yesterday", "last night" -> days(today.minusDays(1), today.minusDays(1), cue);
        default -> days(today, today, cue);
      };
    }
    if (m.group(2) != null) {
      boolean last = !m.group(2).equalsIgnoreCase("this");
      return switch (m.group(3).toLowerCase(Locale.ROOT)) {
        case "week" -> week(today, last, cue);
        case "month" -> month(last ? today.minusMonths(1) : today, cue);
        default -> year(last ? today.getYear() - 1 : today.getYear(), cue);
      };
    }
    if (m.group(4) != null) {
      return ago(count(m.group(4)), m.group(5).toLowerCase(Locale.ROOT), today, cue);
    }
    if (m.group(6) != null) {
      return new Window(asOf - 30 * DAY, asOf, cue);
    }
    if (m.group(7) != null) {
      int month = monthOf(m.group(7));
      int year = m.group(8) != null ? Integer.parseInt(m.group(8))
          : month <= today.getMonthValue() ? today.getYear() : today.getYear() - 1;
      return month(LocalDate.of(year, month, 1), cue);
    }
    try {
      LocalDate d = LocalDate.of(Integer.parseInt(m.group(9)), Integer.parseInt(m.group(10)), Integer.parseInt(m.group(11)));
      return days(d, d, cue);
    } catch (java.time.DateTimeException e) {
      return null; // 2026-13-45 is not a date
    }
  }

  private static Window japanese(Matcher m, LocalDate today, long asOf) {
    String cue = m.group();
    if (m.group(1) != null) {
      return switch (m.group(1)) {
        case "一昨日", "おととい" -> days(today.minusDays(2), today.minusDays(2), cue);
        case "昨日", "きのう" -> days(today.minusDays(1), today.minusDays(1), cue);
        default -> days(today, today, cue);
      };
    }
    if (m.group(2) != null) {
      return switch (m.group(2)) {
        case "先週" -> week(today, true, cue);
        case "今週" -> week(today, false, cue);
        case "先月" -> month(today.minusMonths(1), cue);
        case "今月" -> month(today, cue);
        case "去年", "昨年" -> year(today.getYear() - 1, cue);
        default -> year(today.getYear(), cue);
      };
    }
    if (m.group(3) != null) {
      String unit = switch (m.group(4)) {
        case "日" -> "day";
        case "週間" -> "week";
        case "年" -> "year";
        default -> "month";
      };
      return ago(count(m.group(3)), unit, today, cue);
    }
    if (m.group(5) != null) {
      return new Window(asOf - 30 * DAY, asOf, cue);
    }
    int month = Integer.parseInt(m.group(6));
    if (month < 1 || month > 12) {
      return null;
    }
    int year = month <= today.getMonthValue() ? today.getYear() : today.getYear() - 1;
    if (m.group(7) != null) {
      try {
        LocalDate d = LocalDate.of(year, month, Integer.parseInt(m.group(7)));
        return days(d, d, cue);
      } catch (java.time.DateTimeException e) {
        return null;
      }
    }
    return month(LocalDate.of(year, month, 1), cue);
  }

  /** The calendar week (Monday to Sunday) of {@code today}, or the one before. */
  private static Window week(LocalDate today, boolean previous, String cue) {
    LocalDate monday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    if (previous) {
      monday = monday.minusWeeks(1);
    }
    return days(monday, monday.plusDays(6), cue);
  }

  private static Window month(LocalDate anyDay, String cue) {
    LocalDate first = anyDay.withDayOfMonth(1);
    return days(first, first.plusMonths(1).minusDays(1), cue);
  }

  private static Window year(int year, String cue) {
    return days(LocalDate.of(year, 1, 1), LocalDate.of(year, 12, 31), cue);
  }

  /** N units ago, give or take a third of the distance (at least a day). */
  private static Window ago(int n, String unit, LocalDate today, String cue) {
    long back = switch (unit) {
      case "week" -> 7L * n;
      case "month" -> 30L * n;
      case "year" -> 365L * n;
      default -> n;
    };
    long slack = Math.max(1, back / 3);
    LocalDate center = today.minusDays(back);
    return days(center.minusDays(slack), center.plusDays(slack), cue);
  }

  /** From the start of {@code first} to the end of {@code last}, a day wider on each side. */
  private static Window days(LocalDate first, LocalDate last, String cue) {
    long from = first.minusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long to = last.plusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() - 1;
    return new Window(from, to, cue);
  }

  private static int monthOf(String name) {
    return java.time.Month.valueOf(name.toUpperCase(Locale.ROOT)).getValue();
  }

  private static int count(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "a", "an", "one", "一" -> 1;
      case "two", "二" -> 2;
      case "three", "三" -> 3;
      case "four", "四" -> 4;
      case "five", "五" -> 5;
      case "six", "六" -> 6;
      case "七" -> 7;
      case "八" -> 8;
      case "九" -> 9;
      case "十" -> 10;
      default -> s.chars().allMatch(Character::isDigit) ? Integer.parseInt(s) : 1;
    };
  }
}
