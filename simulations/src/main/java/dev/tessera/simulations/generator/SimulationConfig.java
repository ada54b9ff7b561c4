package dev.tessera.simulations.generator;

import java.time.Instant;

/**
 * Everything that determines a simulated stream: the same config gives the same records, byte for
 * byte.
 *
 * @param seed the random seed
 * @param members the number of members ({@code m-000000} ...)
 * @param titles the number of catalogue titles ({@code t-00000} ...)
 * @param startTimeMs simulated time of the first possible event, epoch milliseconds
 * @param duplicateFraction records that re-send an earlier valid record's exact key and body
 * @param malformedFraction records the parser must reject (mixed shapes, see {@link
 *     MalformedShape})
 * @param lateFraction records older than their (member, stream) watermark minus the allowed
 *     lateness
 * @param unknownTitleFraction viewings (impression, click, play, pause, stop) of a title that is
 *     not in the catalogue
 * @param badKeyFraction records whose Kafka key is null or another member's id
 * @param disorderFraction valid records whose event time is moved back by up to {@code
 *     maxDisorderMs}
 * @param maxDisorderMs bound of that disorder; below the allowed lateness, so never late
 * @param allowedLatenessMs the kernel's allowed lateness (default 5 min)
 * @param zipfExponent exponent of the title popularity distribution
 */
public record SimulationConfig(
    long seed,
    int members,
    int titles,
    long startTimeMs,
    double duplicateFraction,
    double malformedFraction,
    double lateFraction,
    double unknownTitleFraction,
    double badKeyFraction,
    double disorderFraction,
    long maxDisorderMs,
    long allowedLatenessMs,
    double zipfExponent) {

  /** Start of simulated time unless set: fixed, so that a seed alone fixes the bytes. */
  public static final long DEFAULT_START_TIME_MS =
      Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  public SimulationConfig {
    positive("members", members);
    positive("titles", titles);
    if (members > 1_000_000 || titles > 99_999) {
      throw new IllegalArgumentException("members must be <= 1000000 and titles <= 99999");
    }
    if (startTimeMs < 0) {
      throw new IllegalArgumentException("startTimeMs must not be negative");
    }
    fraction("duplicateFraction", duplicateFraction);
    fraction("malformedFraction", malformedFraction);
    fraction("lateFraction", lateFraction);
    fraction("unknownTitleFraction", unknownTitleFraction);
    fraction("badKeyFraction", badKeyFraction);
    fraction("disorderFraction", disorderFraction);
    if (duplicateFraction + malformedFraction + lateFraction > 0.5) {
      throw new IllegalArgumentException(
          "duplicate, malformed and late fractions must sum to <= 0.5");
    }
    if (allowedLatenessMs < 1_000) {
      throw new IllegalArgumentException("allowedLatenessMs must be >= 1000");
    }
    if (maxDisorderMs < 0 || maxDisorderMs >= allowedLatenessMs) {
      throw new IllegalArgumentException("maxDisorderMs must be in [0, allowedLatenessMs)");
    }
    if (maxDisorderMs > 10 * 60_000) {
      throw new IllegalArgumentException("maxDisorderMs must be <= 10 min (sessions need the gap)");
    }
    if (!(zipfExponent > 0 && zipfExponent <= 5)) {
      throw new IllegalArgumentException("zipfExponent must be in (0, 5]");
    }
  }

  /** The defaults of the issue: 0.5% duplicates, 0.1% malformed, 0.1% late, 0.2% unknown titles. */
  public static SimulationConfig defaults(long seed) {
    return builder(seed).build();
  }

  public static Builder builder(long seed) {
    return new Builder(seed);
  }

  public Builder toBuilder() {
    return new Builder(seed)
        .members(members)
        .titles(titles)
        .startTimeMs(startTimeMs)
        .duplicateFraction(duplicateFraction)
        .malformedFraction(malformedFraction)
        .lateFraction(lateFraction)
        .unknownTitleFraction(unknownTitleFraction)
        .badKeyFraction(badKeyFraction)
        .disorderFraction(disorderFraction)
        .maxDisorderMs(maxDisorderMs)
        .allowedLatenessMs(allowedLatenessMs)
        .zipfExponent(zipfExponent);
  }

  /** The same config with another start time. */
  public SimulationConfig withStartTimeMs(long start) {
    return toBuilder().startTimeMs(start).build();
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  private static void fraction(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1]");
    }
  }

  /** Builder with the defaults. */
  public static final class Builder {
    private long seed;
    private int members = 1_000;
    private int titles = 2_000;
    private long startTimeMs = DEFAULT_START_TIME_MS;
    private double duplicateFraction = 0.005;
    private double malformedFraction = 0.001;
    private double lateFraction = 0.001;
    private double unknownTitleFraction = 0.002;
    private double badKeyFraction = 0.01;
    private double disorderFraction = 0.05;
    private long maxDisorderMs = 120_000;
    private long allowedLatenessMs = 300_000;
    private double zipfExponent = 1.0;

    private Builder(long seed) {
      this.seed = seed;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder members(int v) {
      members = v;
      return this;
    }

    public Builder titles(int v) {
      titles = v;
      return this;
    }

    public Builder startTimeMs(long v) {
      startTimeMs = v;
      return this;
    }

    public Builder duplicateFraction(double v) {
      duplicateFraction = v;
      return this;
    }

    public Builder malformedFraction(double v) {
      malformedFraction = v;
      return this;
    }

    public Builder lateFraction(double v) {
      lateFraction = v;
      return this;
    }

    public Builder unknownTitleFraction(double v) {
      unknownTitleFraction = v;
      return this;
    }

    public Builder badKeyFraction(double v) {
      badKeyFraction = v;
      return this;
    }

    public Builder disorderFraction(double v) {
      disorderFraction = v;
      return this;
    }

    public Builder maxDisorderMs(long v) {
      maxDisorderMs = v;
      return this;
    }

    public Builder allowedLatenessMs(long v) {
      allowedLatenessMs = v;
      return this;
    }

    public Builder zipfExponent(double v) {
      zipfExponent = v;
      return this;
    }

    public SimulationConfig build() {
      return new SimulationConfig(
          seed,
          members,
          titles,
          startTimeMs,
          duplicateFraction,
          malformedFraction,
          lateFraction,
          unknownTitleFraction,
          badKeyFraction,
          disorderFraction,
          maxDisorderMs,
          allowedLatenessMs,
          zipfExponent);
    }
  }
}
