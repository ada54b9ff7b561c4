package dev.tessera.orchestrator.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignalJsonTest {

  private static Signal parse(String json) {
    return SignalJson.parse(json.getBytes(StandardCharsets.UTF_8), "default", 99L);
  }

  @Test
  void readsTheBatchJobsFormat() {
    Signal signal = parse("""
        {"id":"features_ready/member_engagement/1/abc","name":"features_ready",
         "emittedAt":1764000000000,"source":"batch/training-set",
         "joinKeys":{"group":"member_engagement","version":"1"},
         "payload":{"group":"member_engagement","version":1,"rows":12345,"completeness":0.995,
                    "outputPath":"/data/x"}}
        """);

    assertThat(signal.id()).isEqualTo("features_ready/member_engagement/1/abc");
    assertThat(signal.emittedAt()).isEqualTo(1764000000000L);
    assertThat(signal.joinKeys()).containsEntry("version", "1");
    assertThat(signal.payload()).containsEntry("rows", 12345).containsEntry("completeness", 0.995);
    assertThat(SignalCondition.parse("features_ready where rows > 1000 and version == 1")
        .matches(signal)).isTrue();
  }

  @Test
  void roundTripsAndDefaultsOptionalFields() {
    Signal minimal = parse("{\"id\":\"x\",\"name\":\"canary_passed\"}");
    assertThat(minimal.emittedAt()).isEqualTo(99L);
    assertThat(minimal.source()).isEqualTo("default");

    Signal full = new Signal("i", "model_trained", 5, "s", Map.of("group", "g"),
        Map.of("auc", 0.8, "list", java.util.List.of(1, 2)));
    assertThat(SignalJson.parse(SignalJson.toJson(full), "d", 0)).isEqualTo(full);
  }

  @Test
  void refusesWhatIsNotASignal() {
    assertThatThrownBy(() -> parse("not json")).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> parse("[]")).hasMessageContaining("object");
    assertThatThrownBy(() -> parse("{\"name\":\"x\"}")).hasMessageContaining("id");
    assertThatThrownBy(() -> parse("{\"id\":\"1\",\"name\":\"Bad Name\"}"))
        .hasMessageContaining("must match");
    assertThatThrownBy(() -> parse("{\"id\":\"1\",\"name\":\"x\",\"payload\":[1]}"))
        .hasMessageContaining("payload");
    assertThatThrownBy(() -> parse("{\"id\":\"1\",\"name\":\"x\",\"emittedAt\":\"soon\"}"))
        .hasMessageContaining("emittedAt");
  }
}
