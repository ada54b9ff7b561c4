package dev.tessera.simulations.load;

import dev.tessera.simulations.generator.ReferenceData;
import dev.tessera.simulations.kafka.SimulationTopics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The parameters of a load run, read once from system properties ({@code -Dtessera.load.rate=2000})
 * or, when a property is absent, from the environment ({@code TESSERA_LOAD_RATE=2000}). Defaults
 * are the gentle CI ones; a by-hand run sets its rate, duration and strict thresholds.
 *
 * @param url the node's HTTP API, without a trailing slash
 * @param rate single reads started per second (open model: arrivals do not wait for answers)
 * @param durationSeconds how long the injection lasts
 * @param memberIds the members read, each read picks one at random
 * @param batchRate batch-get requests started per second (0: none; default rate / batchSize, as
 *     many member lookups as the single reads)
 * @param batchSize member ids per batch-get request
 * @param group the feature group read
 * @param maxP99Ms the run fails when the p99 response time of all requests is not below this
 * @param maxFailedPercent the run fails when more than this share of requests failed
 * @param kafka the broker MixedTraffic produces to
 * @param eventRate raw events per second MixedTraffic produces while reading
 * @param topics the node's raw and reference topics (with its topic prefix, if any)
 * @param seed the simulator's seed for MixedTraffic (event ids carry it: a new one per run)
 * @param ingestTimeoutSeconds how long MixedTraffic waits for the node to count every sent event
 */
public record LoadSettings(
    String url,
    double rate,
    int durationSeconds,
    List<String> memberIds,
    double batchRate,
    int batchSize,
    String group,
    int maxP99Ms,
    double maxFailedPercent,
    String kafka,
    int eventRate,
    SimulationTopics topics,
    long seed,
    int ingestTimeoutSeconds) {

  public LoadSettings {
    Objects.requireNonNull(url, "url");
    memberIds = List.copyOf(memberIds);
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topics, "topics");
  }

  /** From system properties, then the environment (the launcher and the CI gate set either). */
  public static LoadSettings fromEnvironment() {
    return create(key -> {
      String value = System.getProperty(key);
      return value != null ? value : System.getenv(envName(key));
    });
  }

  /** {@code tessera.load.max-p99-ms} is also {@code TESSERA_LOAD_MAX_P99_MS}. */
  static String envName(String key) {
    return key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
  }

  static LoadSettings create(Function<String, String> source) {
    Reader read = new Reader(source);
    String url = read.string("tessera.load.url", "http://127.0.0.1:8080").replaceAll("/+$", "");
    double rate = read.number("tessera.load.rate", 50, 0.1, 1_000_000);
    int members = (int) read.number("tessera.load.members", 500, 1, 10_000_000);
    String explicit = read.string("tessera.load.member-ids", "");
    List<String> memberIds = explicit.isBlank()
        ? range(members)
        : Arrays.stream(explicit.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    String prefix = read.string("tessera.load.topic-prefix", "");
    // Batches look up as many members per second as the single reads unless told otherwise.
    int batchSize = (int) read.number("tessera.load.batch-size", 100, 1, 500);
    return new LoadSettings(
        url,
        rate,
        (int) read.number("tessera.load.duration", 30, 1, 86_400),
        memberIds,
        read.number("tessera.load.batch-rate", rate / batchSize, 0, 1_000_000),
        batchSize,
        read.string("tessera.load.group", "member_engagement"),
        (int) read.number("tessera.load.max-p99-ms", 1000, 1, 600_000),
        read.number("tessera.load.max-failed-percent", 1.0, 0, 100),
        read.string("tessera.load.kafka", "127.0.0.1:9092"),
        (int) read.number("tessera.load.event-rate", 200, 1, 1_000_000),
        new SimulationTopics(
            prefix + read.string("tessera.load.raw-topic", SimulationTopics.DEFAULT_RAW),
            prefix + SimulationTopics.DEFAULT_CONTENT,
            prefix + SimulationTopics.DEFAULT_PROFILES,
            (int) read.number("tessera.load.raw-partitions",
                SimulationTopics.DEFAULT_RAW_PARTITIONS, 1, 10_000)),
        (long) read.number("tessera.load.seed", new Random().nextInt(Integer.MAX_VALUE), 0,
            Integer.MAX_VALUE),
        (int) read.number("tessera.load.ingest-timeout", 60, 1, 3600));
  }

  /** One line for the start of a run: what is about to be measured. */
  public String describe() {
    return String.format(Locale.ROOT,
        "%s: %.1f single reads/s + %.1f batch-gets/s of %d ids for %d s over %d members;"
            + " gate p99 < %d ms, failed <= %.2f%%",
        url, rate, batchRate, batchSize, durationSeconds, memberIds.size(), maxP99Ms,
        maxFailedPercent);
  }

  private static List<String> range(int members) {
    List<String> ids = new ArrayList<>(members);
    for (int i = 0; i < members; i++) {
      ids.add(ReferenceData.memberId(i));
    }
    return ids;
  }

  /** Reads one key at a time, naming the key (and its environment name) when a value is wrong. */
  private record Reader(Function<String, String> source) {
    String string(String key, String fallback) {
      String value = source.apply(key);
      return value == null || value.isBlank() ? fallback : value.trim();
    }

    double number(String key, double fallback, double min, double max) {
      String value = string(key, null);
      if (value == null) {
        return fallback;
      }
      double parsed;
      try {
        parsed = Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw invalid(key, value, "is not a number");
      }
      if (parsed < min || parsed > max) {
        throw invalid(key, value, "must be within " + min + ".." + max);
      }
      return parsed;
    }

    private static IllegalArgumentException invalid(String key, String value, String why) {
      return new IllegalArgumentException(
          key + " (" + envName(key) + ") = " + value + " " + why);
    }
  }

  /** The members as a Gatling feeder: {@code #{memberId}}, uniformly at random, forever. */
  Iterator<Map<String, Object>> memberFeeder() {
    Random random = new Random();
    return Stream.generate(() -> Map.<String, Object>of("memberId", randomMember(random)))
        .iterator();
  }

  String randomMember(Random random) {
    return memberIds.get(random.nextInt(memberIds.size()));
  }
}
