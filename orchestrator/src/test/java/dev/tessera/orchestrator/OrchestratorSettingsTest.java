package dev.tessera.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OrchestratorSettingsTest {

  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void readsTheReferenceDefaults() {
    OrchestratorSettings settings = OrchestratorSettings.create(ConfigFactory.load());

    assertThat(settings.workflow().maxAttempts()).isEqualTo(3);
    assertThat(settings.workflow().timeoutOf(WorkflowKind.MODEL_TRAINING, "train"))
        .isEqualTo(Duration.ofHours(2));
    assertThat(settings.workflow().timeoutOf(WorkflowKind.MODEL_TRAINING, "load"))
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(settings.hub().chains()).hasSize(2);
    assertThat(settings.hub().chainsOf("features_ready").get(0).kind())
        .isEqualTo(WorkflowKind.MODEL_TRAINING);
    assertThat(settings.canaryAlpha()).isEqualTo(0.05);
    assertThat(settings.kafka().topic()).isEqualTo("workflow-signals");
    assertThat(settings.steps().commands()).containsKey("feature-engineering.extract");
    assertThat(settings.steps().variables()).containsEntry("archivePath", "data/batch/archive");
    assertThat(settings.steps().environment()).isEmpty();
  }

  @Test
  void chainingOffMeansNoRules() {
    assertThat(OrchestratorSettings.create(with("tessera.orchestrator.hub.chaining = off"))
        .hub().chains()).isEmpty();
  }

  @Test
  void backoffDoublesUpToTheMaximum() {
    var workflow = OrchestratorSettings.create(with("""
        tessera.orchestrator.workflow { min-backoff = 1s, max-backoff = 5s }
        """)).workflow();
    assertThat(workflow.backoffBefore(2)).isEqualTo(Duration.ofSeconds(1));
    assertThat(workflow.backoffBefore(3)).isEqualTo(Duration.ofSeconds(2));
    assertThat(workflow.backoffBefore(4)).isEqualTo(Duration.ofSeconds(4));
    assertThat(workflow.backoffBefore(5)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void invalidValuesNameTheirKey() {
    assertThatThrownBy(() -> OrchestratorSettings.create(
        with("tessera.orchestrator.workflow.max-attempts = 0")))
        .hasMessageContaining("tessera.orchestrator.workflow.max-attempts");
    assertThatThrownBy(() -> OrchestratorSettings.create(
        with("tessera.orchestrator.canary.alpha = 1.5")))
        .hasMessageContaining("tessera.orchestrator.canary.alpha");
    assertThatThrownBy(() -> OrchestratorSettings.create(
        with("tessera.orchestrator.workflow.defaults.approval = maybe")))
        .hasMessageContaining("tessera.orchestrator.workflow.defaults.approval");
    assertThatThrownBy(() -> OrchestratorSettings.create(
        with("tessera.orchestrator.hub { max-signals = 10, max-ids = 5 }")))
        .hasMessageContaining("tessera.orchestrator.hub.max-ids");
    assertThatThrownBy(() -> OrchestratorSettings.create(
        with("tessera.orchestrator.hub.chains = [{signal = x, kind = nope, params = []}]")))
        .hasMessageContaining("tessera.orchestrator.hub.chains[0].kind");
    assertThatThrownBy(() -> OrchestratorSettings.create(
        with("tessera.orchestrator.workflow.step-timeouts { \"training.x\" = 1s }")))
        .hasMessageContaining("tessera.orchestrator.workflow.step-timeouts.training.x");
    assertThatThrownBy(() -> OrchestratorSettings.create(
        with("tessera.orchestrator.registry.keyspace = \"Bad-Name\"")))
        .hasMessageContaining("tessera.orchestrator.registry.keyspace");
    assertThatThrownBy(() -> OrchestratorSettings.create(
        with("tessera.orchestrator.steps.environment { \"BAD-NAME\" = x }")))
        .hasMessageContaining("tessera.orchestrator.steps.environment.BAD-NAME");
    assertThatThrownBy(() -> OrchestratorSettings.create(
        with("tessera.orchestrator.steps.archive-path = \" \"")))
        .hasMessageContaining("tessera.orchestrator.steps.archive-path");
    assertThatThrownBy(() -> OrchestratorSettings.create(
        with("tessera.orchestrator.ask-timeout = 0s")))
        .hasMessageContaining("tessera.orchestrator.ask-timeout");
    assertThatThrownBy(() -> OrchestratorSettings.create(
        with("tessera.orchestrator.workflow.wait-timeout = soon")))
        .hasMessageContaining("wait-timeout");
  }
}
