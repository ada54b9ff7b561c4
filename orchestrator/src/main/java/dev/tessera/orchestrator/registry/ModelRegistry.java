package dev.tessera.orchestrator.registry;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.orchestrator.OrchestratorSettings;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The model registry: one Cassandra row per model (a Pekko Connectors Cassandra session of its
 * own, {@code tessera.orchestrator.registry.session}, on the same driver settings),
 * written by the deployment workflow's steps. Writes are idempotent upserts keyed by model id, so
 * a step that runs again after a crash writes the same row.
 *
 * <p>Table {@code <keyspace>.<table>}: model_id (key), feature_group, group_version,
 * artifact_path, metrics (JSON text), workflow_id, registered_at, stage ({@code registered},
 * {@code canary}, {@code production}), stage_changed_at.
 */
public final class ModelRegistry {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A registered model. */
  public record Model(String modelId, String group, String version, String artifactPath,
      Map<String, Object> metrics, String workflowId, Instant registeredAt, String stage,
      Instant stageChangedAt) {
    public Model {
      Objects.requireNonNull(modelId, "modelId");
      metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
  }

  private final CassandraSession session;
  private final CompletionStage<PreparedStatement> insert;
  private final CompletionStage<PreparedStatement> stage;
  private final CompletionStage<PreparedStatement> select;

  private ModelRegistry(CassandraSession session, OrchestratorSettings.Registry settings) {
    this.session = session;
    String table = settings.keyspace() + "." + settings.table();
    CompletionStage<Done> schema = settings.autoCreate()
        ? session.executeDDL("CREATE KEYSPACE IF NOT EXISTS " + settings.keyspace()
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': "
                + settings.replicationFactor() + "}")
            .thenCompose(done -> session.executeDDL("CREATE TABLE IF NOT EXISTS " + table
                + " (model_id text PRIMARY KEY, feature_group text, group_version text,"
                + " artifact_path text, metrics text, workflow_id text, registered_at timestamp,"
                + " stage text, stage_changed_at timestamp)"))
        : CompletableFuture.completedFuture(Done.getInstance());
    this.insert = schema.thenCompose(done -> session.prepare("INSERT INTO " + table
        + " (model_id, feature_group, group_version, artifact_path, metrics, workflow_id,"
        + " registered_at, stage, stage_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    this.stage = schema.thenCompose(done -> session.prepare("UPDATE " + table
        + " SET stage = ?, stage_changed_at = ? WHERE model_id = ?"));
    this.select = schema.thenCompose(done -> session.prepare("SELECT * FROM " + table
        + " WHERE model_id = ?"));
  }

  /** The registry on the node's Cassandra session; the schema is created in the background. */
  public static ModelRegistry create(ActorSystem<?> system, OrchestratorSettings.Registry settings) {
    return new ModelRegistry(
        CassandraSessionRegistry.get(system).sessionFor("tessera.orchestrator.registry.session"),
        settings);
  }

  /** Writes (or rewrites) a model's row with stage {@code registered}. */
  public CompletionStage<Done> register(String modelId, String group, String version,
      String artifactPath, Map<String, Object> metrics, String workflowId) {
    String json;
    try {
      json = MAPPER.writeValueAsString(metrics);
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(e);
    }
    Instant now = Instant.now();
    return insert.thenCompose(s -> session.executeWrite(s.bind(modelId, group, version,
        artifactPath, json, workflowId, now, "registered", now)));
  }

  /** Moves a registered model to a stage ({@code canary}, {@code production}). */
  public CompletionStage<Done> setStage(String modelId, String newStage) {
    return get(modelId).thenCompose(model -> {
      if (model.isEmpty()) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("model " + modelId + " is not registered"));
      }
      return stage.thenCompose(s -> session.executeWrite(s.bind(newStage, Instant.now(),
          modelId)));
    });
  }

  public CompletionStage<Optional<Model>> get(String modelId) {
    return select.thenCompose(s -> session.selectOne(s.bind(modelId)))
        .thenApply(row -> row.map(ModelRegistry::model));
  }

  private static Model model(Row row) {
    Map<String, Object> metrics;
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> read = MAPPER.readValue(row.getString("metrics"), Map.class);
      metrics = read;
    } catch (JsonProcessingException e) {
      metrics = Map.of("unreadable", row.getString("metrics"));
    }
    return new Model(row.getString("model_id"), row.getString("feature_group"),
        row.getString("group_version"), row.getString("artifact_path"), metrics,
        row.getString("workflow_id"), row.getInstant("registered_at"), row.getString("stage"),
        row.getInstant("stage_changed_at"));
  }
}
