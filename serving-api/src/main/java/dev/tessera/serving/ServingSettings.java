package dev.tessera.serving;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the HTTP serving layer, read once from {@code tessera.serving} (see reference.conf)
 * and validated at start-up: a wrong value fails with its key's name. Tokens are kept out of
 * {@link #toString()}.
 *
 * @param host interface the server binds
 * @param port TCP port; 0 picks a free one
 * @param batchMaxMembers most member ids in one batch read
 * @param readTimeout longest a read waits for a member's entity
 * @param retryAfter advertised in 503 answers
 * @param maxRequestBytes largest request body
 * @param auth bearer tokens
 * @param samples served-vector sampling to Kafka
 */
public record ServingSettings(
    String host,
    int port,
    int batchMaxMembers,
    Duration readTimeout,
    Duration retryAfter,
    long maxRequestBytes,
    Auth auth,
    Samples samples) {

  private static final String PREFIX = "tessera.serving.";

  /**
   * @param operatorToken guards state-changing endpoints; empty disables them
   * @param protectReads whether reads need a token
   * @param readToken accepted for reads when they are protected (the operator token is too)
   */
  public record Auth(String operatorToken, boolean protectReads, String readToken) {
    public Auth {
      Objects.requireNonNull(operatorToken, "operatorToken");
      Objects.requireNonNull(readToken, "readToken");
    }

    /** Open reads, no operator endpoints. */
    public static Auth open() {
      return new Auth("", false, "");
    }

    @Override
    public String toString() {
      return "Auth[operatorToken=" + (operatorToken.isEmpty() ? "<none>" : "<set>")
          + ", protectReads=" + protectReads
          + ", readToken=" + (readToken.isEmpty() ? "<none>" : "<set>") + "]";
    }
  }

  /**
   * @param enabled whether served vectors are sampled to Kafka
   * @param topic the topic samples go to
   * @param rate share of (member, group) keys sampled
   */
  public record Samples(boolean enabled, String topic, double rate) {
    public Samples {
      Objects.requireNonNull(topic, "topic");
      if (rate < 0 || rate > 1 || Double.isNaN(rate)) {
        throw new IllegalArgumentException("rate must be within 0..1: " + rate);
      }
    }

    public static Samples disabled() {
      return new Samples(false, "serving-samples", 0);
    }
  }

  public ServingSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(retryAfter, "retryAfter");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(samples, "samples");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be within 0..65535: " + port);
    }
  }

  /** Defaults for tests and embedded runs: loopback, a free port, open reads, no sampling. */
  public static ServingSettings local() {
    return new ServingSettings("127.0.0.1", 0, 500, Duration.ofSeconds(2), Duration.ofSeconds(1),
        1 << 20, Auth.open(), Samples.disabled());
  }

  public ServingSettings withAuth(Auth auth) {
    return new ServingSettings(host, port, batchMaxMembers, readTimeout, retryAfter,
        maxRequestBytes, auth, samples);
  }

  public ServingSettings withPort(int port) {
    return new ServingSettings(host, port, batchMaxMembers, readTimeout, retryAfter,
        maxRequestBytes, auth, samples);
  }

  public ServingSettings withBatchMaxMembers(int batchMaxMembers) {
    return new ServingSettings(host, port, batchMaxMembers, readTimeout, retryAfter,
        maxRequestBytes, auth, samples);
  }

  public ServingSettings withReadTimeout(Duration readTimeout) {
    return new ServingSettings(host, port, batchMaxMembers, readTimeout, retryAfter,
        maxRequestBytes, auth, samples);
  }

  public ServingSettings withSamples(Samples samples) {
    return new ServingSettings(host, port, batchMaxMembers, readTimeout, retryAfter,
        maxRequestBytes, auth, samples);
  }

  /** Reads {@code tessera.serving} from the node's configuration. */
  public static ServingSettings create(Config root) {
    try {
      Config config = root.getConfig("tessera.serving");
      String host = config.getString("host");
      if (host.isBlank()) {
        throw invalid("host", host, "must not be empty");
      }
      int port = config.getInt("port");
      if (port < 0 || port > 65535) {
        throw invalid("port", port, "must be within 0..65535");
      }
      int batchMax = config.getInt("batch-max-members");
      if (batchMax < 1 || batchMax > 10_000) {
        throw invalid("batch-max-members", batchMax, "must be within 1..10000");
      }
      Duration readTimeout = positive(config, "read-timeout");
      Duration retryAfter = positive(config, "retry-after");
      long maxBytes = config.getBytes("max-request-bytes");
      if (maxBytes < 1024) {
        throw invalid("max-request-bytes", maxBytes, "must be at least 1KiB");
      }
      Config auth = config.getConfig("auth");
      boolean protectReads = auth.getBoolean("protect-reads");
      String readToken = auth.getString("read-token");
      String operatorToken = auth.getString("operator-token");
      requireStrongOrEmpty("auth.operator-token", operatorToken);
      requireStrongOrEmpty("auth.read-token", readToken);
      if (protectReads && readToken.isEmpty() && operatorToken.isEmpty()) {
        throw new IllegalArgumentException("Invalid configuration: " + PREFIX
            + "auth.protect-reads = on needs " + PREFIX + "auth.read-token or "
            + PREFIX + "auth.operator-token");
      }
      Config samples = config.getConfig("samples");
      double rate = samples.getDouble("rate");
      if (rate < 0 || rate > 1 || Double.isNaN(rate)) {
        throw invalid("samples.rate", rate, "must be within 0.0..1.0");
      }
      String topic = samples.getString("topic");
      if (topic.isBlank()) {
        throw invalid("samples.topic", topic, "must not be empty");
      }
      return new ServingSettings(host, port, batchMax, readTimeout, retryAfter, maxBytes,
          new Auth(operatorToken, protectReads, readToken),
          new Samples(samples.getBoolean("enabled"), topic, rate));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e);
    }
  }

  private static void requireStrongOrEmpty(String key, String token) {
    if (!token.isEmpty() && token.length() < 16) {
      // The value itself is never printed: it is a secret.
      throw new IllegalArgumentException("Invalid configuration: " + PREFIX + key
          + " must be at least 16 characters (or empty to disable it)");
    }
  }

  private static Duration positive(Config config, String key) {
    Duration value = config.getDuration(key);
    if (value.isNegative() || value.isZero()) {
      throw invalid(key, value, "must be positive");
    }
    return value;
  }

  private static IllegalArgumentException invalid(String key, Object value, String why) {
    return new IllegalArgumentException(
        "Invalid configuration: " + PREFIX + key + " = " + value + " " + why);
  }
}
