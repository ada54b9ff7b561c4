package dev.tessera.simulations;

import dev.tessera.simulations.generator.SimulationConfig;
import dev.tessera.simulations.kafka.SimulationTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of {@code tessera simulate}. {@link #parse} throws {@link IllegalArgumentException}
 * with a one-line message for anything wrong.
 *
 * @param rate records per second, paced; 0 = as fast as possible
 * @param duration how long to run, or null when {@code events} is given
 * @param events how many raw records to send, or 0 when {@code duration} is given
 * @param truthFile where to write one JSON line per produced record, or null
 */
public record SimulateOptions(
    boolean help,
    SimulationConfig config,
    double rate,
    Duration duration,
    long events,
    String bootstrapServers,
    SimulationTopics topics,
    Path truthFile) {

  public static final String USAGE =
      String.join(
          "\n",
          "usage: tessera simulate (--duration D | --events N) [options]",
          "  --members N          members (default 1000)",
          "  --titles N           catalogue titles (default 2000)",
          "  --rate R             records per second, paced; 0 = as fast as possible (default"
              + " 1000)",
          "  --duration D         run for D: 500ms, 30s, 5m, 1h",
          "  --events N           send N raw records",
          "  --seed S             random seed (default: random, printed)",
          "  --bootstrap H:P      Kafka (default: tessera.kafka.bootstrap-servers, else"
              + " 127.0.0.1:9092)",
          "  --raw-topic T        raw topic (default member-events)",
          "  --content-topic T    compacted catalogue topic (default content-metadata)",
          "  --profiles-topic T   compacted profile topic (default member-profiles)",
          "  --partitions N       raw topic partitions when created (default 6)",
          "  --truth FILE         write one JSON line of truth per produced record",
          "  --duplicates F       fraction of exact re-sends (default 0.005; 0.5% works too)",
          "  --malformed F        fraction of malformed records (default 0.001)",
          "  --late F             fraction beyond the 5 min allowed lateness (default 0.001)",
          "  --unknown-titles F   fraction of viewings of titles not in the catalogue (default"
              + " 0.002)",
          "  --bad-keys F         fraction of records with a null or wrong key (default 0.01)");

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  /**
   * Parses arguments; defaults from the settings, the seed from {@code randomSeed} if not given.
   */
  public static SimulateOptions parse(
      List<String> args, SimulationSettings settings, long randomSeed) {
    SimulationConfig.Builder config = SimulationConfig.builder(randomSeed);
    double rate = 1_000;
    Duration duration = null;
    long events = 0;
    String bootstrap = settings.bootstrapServers();
    SimulationTopics t = settings.topics();
    String raw = t.raw();
    String content = t.content();
    String profiles = t.profiles();
    int partitions = t.rawPartitions();
    Path truth = null;
    boolean help = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (name.equals("--help") || name.equals("-h")) {
        help = true;
        continue;
      }
      if (!name.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      if (!isOption(name)) {
        throw new IllegalArgumentException("unknown option " + name);
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        value = args.get(++i);
      }
      switch (name) {
        case "--members" -> config.members((int) whole(name, value, 1, 1_000_000));
        case "--titles" -> config.titles((int) whole(name, value, 1, 99_999));
        case "--rate" -> rate = decimal(name, value, 0, 10_000_000);
        case "--duration" -> duration = duration(name, value);
        case "--events" -> events = whole(name, value, 1, Long.MAX_VALUE);
        case "--seed" -> config.seed(whole(name, value, Long.MIN_VALUE, Long.MAX_VALUE));
        case "--bootstrap" -> bootstrap = text(name, value);
        case "--raw-topic" -> raw = text(name, value);
        case "--content-topic" -> content = text(name, value);
        case "--profiles-topic" -> profiles = text(name, value);
        case "--partitions" -> partitions = (int) whole(name, value, 1, 10_000);
        case "--truth" -> truth = Path.of(text(name, value));
        case "--duplicates" -> config.duplicateFraction(fraction(name, value));
        case "--malformed" -> config.malformedFraction(fraction(name, value));
        case "--late" -> config.lateFraction(fraction(name, value));
        case "--unknown-titles" -> config.unknownTitleFraction(fraction(name, value));
        case "--bad-keys" -> config.badKeyFraction(fraction(name, value));
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }
    if (help) {
      return new SimulateOptions(true, null, rate, duration, events, bootstrap, t, truth);
    }
    if (duration != null && events > 0) {
      throw new IllegalArgumentException("give either --duration or --events, not both");
    }
    if (duration == null && events == 0) {
      throw new IllegalArgumentException("give --duration D (e.g. 30s, 5m) or --events N");
    }
    return new SimulateOptions(
        false,
        config.build(),
        rate,
        duration,
        events,
        bootstrap,
        new SimulationTopics(raw, content, profiles, partitions),
        truth);
  }

  /** The number of records to send, or -1 when it depends on the producer's speed. */
  public long plannedRecords() {
    if (events > 0) {
      return events;
    }
    return rate > 0 ? Math.max(1, (long) Math.ceil(rate * duration.toNanos() / 1e9)) : -1;
  }

  private static boolean isOption(String name) {
    return switch (name) {
      case "--members",
          "--titles",
          "--rate",
          "--duration",
          "--events",
          "--seed",
          "--bootstrap",
          "--raw-topic",
          "--content-topic",
          "--profiles-topic",
          "--partitions",
          "--truth",
          "--duplicates",
          "--malformed",
          "--late",
          "--unknown-titles",
          "--bad-keys" ->
          true;
      default -> false;
    };
  }

  private static long whole(String name, String value, long min, long max) {
    long v;
    try {
      v = Long.parseLong(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": not a whole number: '" + value + "'");
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
    }
    return v;
  }

  private static double decimal(String name, String value, double min, double max) {
    double v;
    try {
      v = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": not a number: '" + value + "'");
    }
    if (!(v >= min && v <= max)) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
    }
    return v;
  }

  private static double fraction(String name, String value) {
    if (value.endsWith("%")) {
      return decimal(name, value.substring(0, value.length() - 1), 0, 100) / 100;
    }
    return decimal(name, value, 0, 1);
  }

  private static Duration duration(String name, String value) {
    Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          name + ": expected e.g. 500ms, 30s, 5m or 1h, got '" + value + "'");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": too long: '" + value + "'");
    }
    Duration d =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
    if (d.isZero() || d.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException(name + " must be more than 0 and at most 7 days");
    }
    return d;
  }

  private static String text(String name, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    return value;
  }
}
