package dev.tessera.orchestrator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import dev.tessera.orchestrator.hub.ChainRule;
import dev.tessera.orchestrator.hub.HubSettings;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import dev.tessera.orchestrator.workflow.WorkflowSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code tessera.orchestrator}, read once and validated: an invalid value fails start-up with the
 * key's full name in the message.
 */
public record OrchestratorSettings(
    Duration askTimeout,
    Duration resumeInterval,
    WorkflowSettings workflow,
    HubSettings hub,
    double canaryAlpha,
    Kafka kafka,
    Steps steps,
    Registry registry) {

  public OrchestratorSettings {
    Objects.requireNonNull(askTimeout, "askTimeout");
    Objects.requireNonNull(resumeInterval, "resumeInterval");
    Objects.requireNonNull(workflow, "workflow");
    Objects.requireNonNull(hub, "hub");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(steps, "steps");
    Objects.requireNonNull(registry, "registry");
  }

  /** The workflow-signals topic. */
  public record Kafka(boolean enabled, String bootstrapServers, String topic, int partitions,
      String consumerGroup, boolean publishEmitted) {}

  /**
   * Child-process steps: the launcher, the work directory, the commands by kind.step, the values
   * of the built-in variables ${kafkaBootstrap}, ${topicPrefix} and ${archivePath}, and the
   * environment variables set for every step process.
   */
  public record Steps(String tesseraCommand, Path workDir, Duration killGrace,
      Map<String, List<String>> commands, String kafkaBootstrap, String topicPrefix,
      String archivePath, Map<String, String> environment) {
    public Steps {
      commands = Map.copyOf(commands);
      environment = Map.copyOf(environment);
    }

    /** The built-in ${name} values of step command lines that come from settings. */
    public Map<String, String> variables() {
      return Map.of("kafkaBootstrap", kafkaBootstrap, "topicPrefix", topicPrefix,
          "archivePath", archivePath);
    }
  }

  public record Registry(String keyspace, String table, boolean autoCreate,
      int replicationFactor) {}

  private static final String P = "tessera.orchestrator.";

  public static OrchestratorSettings create(Config root) {
    try {
      Config c = root.getConfig("tessera.orchestrator");
      return new OrchestratorSettings(positive(c, "ask-timeout"), positive(c, "resume-interval"),
          workflow(c), hub(c),
          alpha(c), kafka(c), steps(c), registry(c));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("Invalid configuration: " + e.getMessage(), e);
    }
  }

  public OrchestratorSettings withKafka(Kafka newKafka) {
    return new OrchestratorSettings(askTimeout, resumeInterval, workflow, hub, canaryAlpha,
        newKafka, steps, registry);
  }

  private static WorkflowSettings workflow(Config c) {
    Map<String, Duration> overrides = new LinkedHashMap<>();
    Config timeouts = c.getConfig("workflow.step-timeouts");
    for (Map.Entry<String, ConfigValue> e : timeouts.root().entrySet()) {
      String key = e.getKey();
      checkStepKey("workflow.step-timeouts", key);
      overrides.put(key, positive(timeouts, "\"" + key + "\"", P + "workflow.step-timeouts." + key));
    }
    int maxAttempts = c.getInt("workflow.max-attempts");
    if (maxAttempts < 1) {
      throw invalid("workflow.max-attempts", maxAttempts, "at least 1");
    }
    Duration minBackoff = positive(c, "workflow.min-backoff");
    Duration maxBackoff = positive(c, "workflow.max-backoff");
    if (maxBackoff.compareTo(minBackoff) < 0) {
      throw invalid("workflow.max-backoff", maxBackoff, "at least workflow.min-backoff");
    }
    String approval = c.getString("workflow.defaults.approval");
    if (!approval.equals("auto") && !approval.equals("manual")) {
      throw invalid("workflow.defaults.approval", approval, "auto or manual");
    }
    long minRows = c.getLong("workflow.defaults.min-rows");
    if (minRows < 0) {
      throw invalid("workflow.defaults.min-rows", minRows, "0 or more");
    }
    return new WorkflowSettings(positive(c, "workflow.step-timeout"), overrides, maxAttempts,
        minBackoff, maxBackoff, positive(c, "workflow.wait-timeout"),
        positive(c, "workflow.wait-refresh"), minRows, c.getDouble("workflow.defaults.min-auc"),
        approval);
  }

  private static HubSettings hub(Config c) {
    int maxSignals = c.getInt("hub.max-signals");
    int maxIds = c.getInt("hub.max-ids");
    if (maxSignals < 1) {
      throw invalid("hub.max-signals", maxSignals, "at least 1");
    }
    if (maxIds < maxSignals) {
      throw invalid("hub.max-ids", maxIds, "at least hub.max-signals (" + maxSignals + ")");
    }
    List<ChainRule> chains = new ArrayList<>();
    if (c.getBoolean("hub.chaining")) {
      int i = 0;
      for (Config chain : c.getConfigList("hub.chains")) {
        String key = "hub.chains[" + i++ + "]";
        WorkflowKind kind;
        try {
          kind = WorkflowKind.fromId(chain.getString("kind"));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "Invalid configuration: " + P + key + ".kind: " + e.getMessage());
        }
        String signal = chain.getString("signal");
        if (!signal.matches("[a-z][a-z0-9_]*")) {
          throw invalid(key + ".signal", signal, "a signal name ([a-z][a-z0-9_]*)");
        }
        chains.add(new ChainRule(signal, kind, chain.getStringList("params")));
      }
    }
    return new HubSettings(maxSignals, maxIds, positive(c, "hub.redelivery-delay"), chains);
  }

  private static double alpha(Config c) {
    double alpha = c.getDouble("canary.alpha");
    if (!(alpha > 0 && alpha < 1)) {
      throw invalid("canary.alpha", alpha, "between 0 and 1 (exclusive)");
    }
    return alpha;
  }

  private static Kafka kafka(Config c) {
    int partitions = c.getInt("kafka.partitions");
    if (partitions < 1) {
      throw invalid("kafka.partitions", partitions, "at least 1");
    }
    String topic = c.getString("kafka.topic");
    if (topic.isBlank()) {
      throw invalid("kafka.topic", topic, "a topic name");
    }
    return new Kafka(c.getBoolean("kafka.enabled"), c.getString("kafka.bootstrap-servers"), topic,
        partitions, c.getString("kafka.consumer-group"), c.getBoolean("kafka.publish-emitted"));
  }

  private static Steps steps(Config c) {
    Map<String, List<String>> commands = new LinkedHashMap<>();
    Config config = c.getConfig("steps.commands");
    for (String key : config.root().keySet()) {
      checkStepKey("steps.commands", key);
      List<String> command = config.getStringList("\"" + key + "\"");
      if (command.isEmpty()) {
        throw invalid("steps.commands." + key, "[]", "a non-empty command line");
      }
      commands.put(key, command);
    }
    Map<String, String> environment = new LinkedHashMap<>();
    Config variables = c.getConfig("steps.environment");
    for (String name : variables.root().keySet()) {
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw invalid("steps.environment." + name, name, "an environment variable name");
      }
      environment.put(name, variables.getString("\"" + name + "\""));
    }
    String archivePath = c.getString("steps.archive-path");
    if (archivePath.isBlank()) {
      throw invalid("steps.archive-path", archivePath, "a directory");
    }
    return new Steps(c.getString("steps.tessera-command"), Path.of(c.getString("steps.work-dir")),
        positive(c, "steps.kill-grace"), commands, c.getString("kafka.bootstrap-servers"),
        c.getString("steps.topic-prefix"), archivePath, environment);
  }

  private static Registry registry(Config c) {
    String keyspace = c.getString("registry.keyspace");
    String table = c.getString("registry.table");
    if (!keyspace.matches("[a-z][a-z0-9_]{0,47}")) {
      throw invalid("registry.keyspace", keyspace, "a Cassandra name ([a-z][a-z0-9_], <= 48)");
    }
    if (!table.matches("[a-z][a-z0-9_]{0,47}")) {
      throw invalid("registry.table", table, "a Cassandra name ([a-z][a-z0-9_], <= 48)");
    }
    return new Registry(keyspace, table, c.getBoolean("registry.auto-create"),
        c.getInt("registry.replication-factor"));
  }

  private static void checkStepKey(String section, String key) {
    int dot = key.indexOf('.');
    try {
      WorkflowKind.fromId(dot < 0 ? key : key.substring(0, dot));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid configuration: " + P + section + "." + key
          + ": keys are <kind>.<step> and " + e.getMessage());
    }
    if (dot < 0 || dot == key.length() - 1) {
      throw new IllegalArgumentException("Invalid configuration: " + P + section + "." + key
          + ": keys are <kind>.<step>");
    }
  }

  private static Duration positive(Config c, String key) {
    return positive(c, key, P + key);
  }

  private static Duration positive(Config c, String path, String fullKey) {
    Duration d = c.getDuration(path);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(
          "Invalid configuration: " + fullKey + " = " + d + " must be positive");
    }
    return d;
  }

  private static IllegalArgumentException invalid(String key, Object value, String expected) {
    return new IllegalArgumentException(
        "Invalid configuration: " + P + key + " = " + value + " must be " + expected);
  }
}
